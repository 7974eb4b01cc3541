"""`flask serve`: the local server for `make run`, delivering queued mail alongside."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from app.auth import services as auth_services
from app.extensions import db
from app.mail.cli import start_background_worker


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve Liaison locally and deliver its mail (for production use gunicorn and
    `flask outbox work`; see the README)."""
    app = current_app._get_current_object()
    if not auth_services.has_users():
        auth_services.issue_setup_code()  # printed on this console for the first admin
        db.session.commit()
    start_background_worker(app)
    click.echo(f"Liaison is running on http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
