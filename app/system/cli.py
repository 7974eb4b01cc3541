"""The commands that run across domains: `flask serve` (the local server for `make run`,
delivering queued mail alongside), `purge`, `backup` and `restore`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from app.auth import services as auth_services
from app.extensions import db
from app.mail.cli import start_background_worker
from app.system import urls
from app.system.jobs import recorded, register_job


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve Liaison locally and deliver its mail (for production use gunicorn and
    `flask outbox work`; see the README)."""
    app = current_app._get_current_object()
    # Links in mail name this address unless PUBLIC_BASE_URL (or SERVER_NAME) says otherwise.
    app.config.setdefault(urls.SERVED_AT, urls.serving_at(host, port))
    if app.config.get("TRUSTED_HOSTS"):  # a browser on this machine may use this address too
        app.config["TRUSTED_HOSTS"] = [*app.config["TRUSTED_HOSTS"],
                                       urls.host_of(urls.serving_at(host, port))]
    if not auth_services.has_users():
        auth_services.issue_setup_code()  # printed on this console for the first admin
        db.session.commit()
    start_background_worker(app)
    click.echo(f"Liaison is running on http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


@click.command("purge")
@with_appcontext
@recorded("purge")
def purge_command() -> str:
    """Expire what the organization no longer keeps, in every domain: tour visitors' details
    the configured days after their tour, old failed sign-ins, and whatever other domains
    register (app/system/retention.py). Safe to run from cron every day."""
    from app.database import begin_write, utcnow
    from app.system.retention import PURGERS

    now = utcnow()
    failed = []
    for name, purger in sorted(PURGERS.items()):
        try:
            begin_write(db.session)  # a purger may read, then write
            line = purger(now)
            db.session.commit()  # each domain's purge stands on its own
        except Exception as exc:  # one domain's failure must not keep the others' data
            db.session.rollback()
            failed.append(name)
            click.echo(f"{name}: failed ({type(exc).__name__})", err=True)
            continue
        click.echo(f"{name}: {line}")
    if failed:
        raise SystemExit(1)
    return "Done."


register_job(
    "purge", "Nightly clean-up",
    "Removes what the organization no longer keeps: tour visitors' details some days after "
    "their visit, tour requests whose email was never confirmed, visitors' changes after a "
    "week and old failed sign-ins.",
    when="every night", every=timedelta(days=1), order=90)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Back up the whole database to PATH, safely while the app runs: SQLite's online
    backup API, or pg_dump -Fc on PostgreSQL. Keep it encrypted, with the secret key."""
    from app.system import backup

    try:
        summary = backup.backup(path, force=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up the {summary.kind} database (migration {summary.revision}) to "
               f"{summary.path}: {summary.size / 1e6:.1f} MB, readable by you only.")
    click.echo("It holds sensitive notes about real people: keep it encrypted, and with it "
               "the secret key (instance/secret_key or SECRET_KEY).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True,
              help="Replace the database even though it holds data.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH, after checking it (whole, made by
    this version of Liaison or an earlier one). Refuses a database that holds data unless
    given --yes. Stop the app (and `outbox work`) first."""
    from app.system import backup

    try:
        summary = backup.restore(path, replace=yes)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored the {summary.kind} database from {summary.path} "
               f"(migration {summary.revision}).")
    if summary.upgraded_from:
        click.echo(f"The backup was made at migration {summary.upgraded_from}; it has been "
                   f"upgraded to {summary.revision}.")
