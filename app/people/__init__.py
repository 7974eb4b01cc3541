"""People: contacts and organizations, stance and influence, media contacts, import/export."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug people in: their pages, the dashboard panel and the stance screening matcher."""
    from app.people import (  # noqa: F401  (attach views)
        demo,
        duplicate_routes,
        import_routes,
        merge_routes,
        pick_routes,
        routes,
        screening,
        tag_routes,
    )
    from app.people.blueprint import bp
    from app.people.cli import people_cli
    from app.people.dashboard import register
    from app.system.demo import register_demo

    app.register_blueprint(bp)
    app.cli.add_command(people_cli)
    register()
    screening.register_matcher(screening.stance_matcher)
    register_demo("people", demo)
