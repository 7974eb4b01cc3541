"""Audit trail: an append-only record of who did what, browsable by admins."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the audit trail in: its admin pages."""
    from app.audit import routes  # noqa: F401  (attach views)
    from app.audit.blueprint import bp

    app.register_blueprint(bp)
