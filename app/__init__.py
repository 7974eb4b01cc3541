"""Liaison: a CRM for the community relations liaison of a harm reduction program."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from app import config, database, errors, security, templating, web
from app.auth import access
from app.extensions import csrf, db, htmx, migrate
from app.system import access_log


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory and WSGI entry point (`gunicorn 'app:create_app()'`)."""
    overrides = dict(test_config or {})
    app = Flask(
        __name__,
        instance_path=overrides.pop("INSTANCE_PATH", None) or os.environ.get("LIAISON_INSTANCE"),
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    config.load(app, overrides)
    config.check_production(app)
    web.init_app(app)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(_root() / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=database.render_item,
        include_name=database.include_name,
    )
    csrf.init_app(app)
    htmx.init_app(app)
    access.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    if app.config["BEHIND_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    _register_blueprints(app)
    _register_cli(app)
    access_log.install()
    return app


def _root() -> Path:
    return Path(__file__).resolve().parent.parent


def _register_blueprints(app: Flask) -> None:
    from app import (
        audit,
        auth,
        dashboard,
        events,
        mail,
        notes,
        people,
        press,
        settings,
        system,
        tours,
    )
    from app.notes import dashboard as notes_dashboard
    from app.notes import routes as _notes_routes  # noqa: F401  (attach views)
    from app.people import dashboard as people_dashboard
    from app.people import import_routes as _import_routes  # noqa: F401
    from app.people import routes as _people_routes  # noqa: F401
    from app.people import screening as people_screening

    notes_dashboard.register()
    people_dashboard.register()
    people_screening.register()

    app.register_blueprint(system.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(auth.users_bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(mail.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(tours.bp)
    app.register_blueprint(tours.public_bp)
    app.register_blueprint(press.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(notes.bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(events.public_bp)


def _register_cli(app: Flask) -> None:
    from app.auth.cli import setup_code, users_cli
    from app.demo import demo_command
    from app.events.cli import digest_cli
    from app.mail.cli import outbox_cli
    from app.press.cli import press_cli
    from app.system.cli import purge_command, serve
    from app.tours.cli import tours_cli

    app.cli.add_command(serve)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(press_cli)
    app.cli.add_command(digest_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(setup_code)
    app.cli.add_command(demo_command)
    app.cli.add_command(tours_cli)
    app.cli.add_command(purge_command)
