"""Organization-wide settings (key/value), read and written through services; admins edit
the organization's identity (name, time zone, phone region, public address, media line)
and the program's values on the Settings page."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the Settings page in."""
    from app.settings import demo, routes, values_routes, zones  # noqa: F401  (attach views)
    from app.settings.blueprint import bp
    from app.system.demo import register_demo

    app.register_blueprint(bp)
    register_demo("settings", demo)
    app.add_template_global(zones.browser_aliases, "zone_aliases")
    app.add_template_global(zones.short_label, "zone_label")
