"""The community map at /map: service sites, places, blocks and areas, walk sheets."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the map in: its pages, the dashboard panel of open issues, the tour screening
    matcher, its sections on contact and organization pages, its answers to the people
    lifecycle (merge, what links here, import undo) and the demo map."""
    from app.people.screening import register_matcher
    from app.places import demo, geo, lifecycle, routes, screening, sections  # noqa: F401
    from app.places.blueprint import bp
    from app.places.dashboard import register
    from app.system.demo import register_demo

    app.register_blueprint(bp)
    app.add_template_filter(geo.format_distance, "distance")
    register()
    register_matcher(screening.open_issue_matcher)
    sections.register()
    lifecycle.connect()
    register_demo("places", demo)
