"""`flask tours remind` (daily, from cron) and `flask purge` (daily: anonymize visitors)."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from app.extensions import db
from app.tours import services

tours_cli = AppGroup("tours", help="Tours and open houses.")


@tours_cli.command("remind")
def remind() -> None:
    """Queue a reminder to everyone whose confirmed tour is tomorrow (run once a day)."""
    sent = services.send_reminders()
    db.session.commit()
    click.echo(f"Queued {sent} tour reminder(s).")


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Anonymize tour visitors' personal data the configured number of days after their
    tour (default 90; Tours → Settings). Safe to run from cron every day."""
    count = services.purge_bookers()
    db.session.commit()
    click.echo(f"Anonymized {count} tour booker(s).")
