"""Notes: interaction notes (some sensitive), the commitments register and keeping in touch."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug notes in: their pages and dashboard panels."""
    from app.notes import demo, lifecycle, routes  # noqa: F401  (attach views)
    from app.notes.blueprint import bp
    from app.notes.dashboard import register
    from app.system.demo import register_demo

    app.register_blueprint(bp)
    register()
    register_demo("notes", demo)
    lifecycle.connect()
