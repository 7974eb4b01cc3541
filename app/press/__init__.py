"""The media page (public /press, vCards, press kit, inquiry form) and media relations
(inquiries log, coverage log) for the liaison."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug press in: the public page, its management, the media log, the `press` command,
    the dashboard panel, the contact page's media inquiries and the lifecycle receivers."""
    from app.press import demo, lifecycle, log_routes, public, routes, sections  # noqa: F401
    from app.press.blueprint import bp, log_bp, public_bp
    from app.press.cli import press_cli
    from app.press.dashboard import register
    from app.press.display import time_left
    from app.settings.services import organization_saved
    from app.system.demo import register_demo

    app.add_template_global(time_left)
    app.register_blueprint(public_bp)
    app.register_blueprint(bp)
    app.register_blueprint(log_bp)
    app.cli.add_command(press_cli)
    register()
    sections.register()
    register_demo("press", demo)
    lifecycle.connect()
    organization_saved.connect(public.forget_version)
