"""Coalitions and professional bodies: members, our membership and renewals, deadlines,
values alignment and finding partners (/coalitions/, signed in)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug coalitions in: its pages, the dashboard panel and the demo builder."""
    from app.coalitions import demo, routes  # noqa: F401  (attach views)
    from app.coalitions.blueprint import bp
    from app.coalitions.dashboard import register
    from app.system.demo import register_demo

    app.register_blueprint(bp)
    register()
    register_demo("coalitions", demo)
