"""Notes: interaction notes (some sensitive), the commitments register and keeping in touch."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug notes in: their pages, dashboard panels, commitments on calendar feeds, their
    sections of the contact and organization pages and the lifecycle receivers."""
    from app.notes import demo, feed, lifecycle, routes, sections  # noqa: F401  (attach views)
    from app.notes.blueprint import bp
    from app.notes.dashboard import register
    from app.system.demo import register_demo

    app.register_blueprint(bp)
    register()
    feed.register()
    sections.register()
    register_demo("notes", demo)
    lifecycle.connect()
