"""Sign-in (throttled, with an optional second step), first-run setup, passwords and their
reset by email, and (for admins) managing colleagues' accounts."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug sign-in in: its pages, the `users` and `setup-code` commands, and the expiry of
    old sign-in failures."""
    from app.auth import admin, demo, reset_routes, routes, two_factor_routes  # noqa: F401
    from app.auth.blueprint import bp, users_bp
    from app.auth.cli import setup_code, users_cli
    from app.auth.throttle import expire
    from app.system.demo import register_demo
    from app.system.retention import register_purger

    app.register_blueprint(bp)
    app.register_blueprint(users_bp)
    app.cli.add_command(users_cli)
    app.cli.add_command(setup_code)
    register_purger("sign-in failures", expire)
    register_demo("auth", demo)
