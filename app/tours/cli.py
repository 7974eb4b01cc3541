"""`flask tours remind` (daily, from cron). Anonymizing visitors runs in the
organization-wide `flask purge` (app/system/retention.py)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.system.words import plural
from app.tours import services

tours_cli = AppGroup("tours", help="Tours and open houses.")


@tours_cli.command("remind")
def remind() -> None:
    """Queue a reminder to everyone whose confirmed tour is tomorrow (run once a day)."""
    sent = services.send_reminders()
    db.session.commit()
    click.echo(f"Queued {plural(sent, 'tour reminder')}.")
