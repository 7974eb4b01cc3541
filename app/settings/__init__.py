"""Organization-wide settings (key/value), read and written through services; admins edit
the organization's name and time zone, and the program's values, on the Settings page."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the Settings page in."""
    from app.settings import routes, values_routes  # noqa: F401  (attach views)
    from app.settings.blueprint import bp

    app.register_blueprint(bp)
