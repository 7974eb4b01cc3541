"""Tours and open houses: public booking at /tours, the liaison's side at /tours/manage."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug tours in: both sides' pages, the `tours` command, the dashboard panel, the
    screening list matcher, the purge of visitors' details, tours on calendar feeds and the
    periodic job that confirms requests after their random delay (approval off)."""
    from app.people.screening import register_matcher
    from app.system.demo import register_demo
    from app.system.periodic import register_periodic
    from app.system.retention import register_purger
    from app.system.words import plural
    from app.tours import demo, feed, lifecycle, public, routes, screening, services  # noqa: F401
    from app.tours.blueprint import bp, public_bp
    from app.tours.cli import tours_cli
    from app.tours.dashboard import register

    def purge(now) -> str:
        return f"Anonymized {plural(services.purge_bookers(now), 'tour booker')}."

    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    app.cli.add_command(tours_cli)
    register()
    register_matcher(screening.screening_list)
    register_purger("tours", purge)
    register_periodic("tours.confirm_due", services.confirm_due)
    feed.register()
    register_demo("tours", demo)
    lifecycle.connect()
