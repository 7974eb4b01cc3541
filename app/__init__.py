"""Liaison: a CRM for the community relations liaison of a harm reduction program."""

from __future__ import annotations

import gc
import importlib
import logging
import os
from pathlib import Path

from flask import Flask

from app import config, database, errors, security, templating, web
from app.auth import access
from app.extensions import csrf, db, htmx, migrate
from app.system import access_log, changes


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
        changes.track(db.engine)
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

    _init_domains(app)
    access_log.init_app(app)
    if not app.testing:
        # What exists now (modules, the app, its routes and services) lives as long as the
        # process: moved out of the garbage collector's sight, the collections a page's
        # allocations set off stay cheap (a contact list spent ~4 ms of its time in them).
        # Not under tests, which make an app per test and must not keep the old ones.
        gc.freeze()
    return app


def _root() -> Path:
    return Path(__file__).resolve().parent.parent


# The domains, in the order they plug in: the base first (auth, audit, settings, mail,
# system, people), then the domains built on it. Each package's `init_app(app)` registers
# its blueprints, commands, dashboard panels, purgers, screening matchers, demo builder and
# signal receivers. Adding a domain is one line here.
DOMAINS = (
    "system",
    "auth",
    "audit",
    "settings",
    "mail",
    "dashboard",
    "people",
    "notes",
    "events",
    "press",
    "tours",
    "coalitions",
    "places",
)


def _init_domains(app: Flask) -> None:
    for name in DOMAINS:
        importlib.import_module(f"app.{name}").init_app(app)
