"""Health check, favicon, third-party front-end files served from our own origin, and the
commands that run across domains (`serve`, `purge`, `demo`)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the system pages and the cross-domain commands in."""
    from app.system import public  # noqa: F401  (attach views)
    from app.system.blueprint import bp
    from app.system.cli import purge_command, serve
    from app.system.demo import demo_command

    app.register_blueprint(bp)
    app.cli.add_command(serve)
    app.cli.add_command(purge_command)
    app.cli.add_command(demo_command)
