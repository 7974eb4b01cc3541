"""Coalitions and professional bodies: members, our membership and renewals, deadlines,
values alignment and finding partners (/coalitions/, signed in)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug coalitions in: its pages, the dashboard panel, the demo builder and its answers
    to contact and organization merges, deletes and import undo."""
    from app.coalitions import demo, lifecycle, routes  # noqa: F401  (attach views)
    from app.coalitions.blueprint import bp
    from app.coalitions.dashboard import register
    from app.system.demo import register_demo

    app.register_blueprint(bp)
    register()
    lifecycle.connect()
    register_demo("coalitions", demo)
