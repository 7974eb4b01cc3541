"""The media page (public /press, vCards, press kit, inquiry form) and media relations
(inquiries log, coverage log) for the liaison."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug press in: the public page, its management, the media log, the `press` command
    and the dashboard panel."""
    from app.press import demo, lifecycle, log_routes, public, routes  # noqa: F401
    from app.press.blueprint import bp, log_bp, public_bp
    from app.press.cli import press_cli
    from app.press.dashboard import register
    from app.press.display import time_left
    from app.system.demo import register_demo

    app.add_template_global(time_left)
    app.register_blueprint(public_bp)
    app.register_blueprint(bp)
    app.register_blueprint(log_bp)
    app.cli.add_command(press_cli)
    register()
    register_demo("press", demo)
    lifecycle.connect()
