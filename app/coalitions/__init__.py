"""Coalitions and professional bodies: members, our membership and renewals, deadlines,
values alignment and finding partners (/coalitions/, signed in)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug coalitions in: its pages, the dashboard panel, renewals in the digest and on
    the representative's calendar feed, sections of the contact and organization pages,
    its members' people as an invite group, the demo builder, and its answers to contact
    and organization merges, deletes and import undo."""
    from app.coalitions import demo, digest, feed, groups, lifecycle, routes, sections  # noqa: F401
    from app.coalitions.blueprint import bp
    from app.coalitions.dashboard import register
    from app.system.demo import register_demo

    app.register_blueprint(bp)
    register()
    feed.register()
    digest.register()
    groups.register()
    sections.register()
    lifecycle.connect()
    register_demo("coalitions", demo)
