"""The page after sign-in: what needs attention today, one panel per domain
(see `app.system.panels`)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the dashboard in (domains add their panels from their own `init_app`)."""
    from app.dashboard import routes  # noqa: F401  (attach views)
    from app.dashboard.blueprint import bp

    app.register_blueprint(bp)
