"""`flask tours remind` (daily, from cron). Anonymizing visitors runs in the
organization-wide `flask purge` (app/system/retention.py)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.extensions import db
from app.system.jobs import recorded, register_job
from app.system.words import plural
from app.tours import services

tours_cli = AppGroup("tours", help="Tours and open houses.")


@tours_cli.command("remind")
@recorded("tours remind")
def remind() -> str:
    """Queue a reminder to everyone whose confirmed tour is tomorrow (run once a day)."""
    sent = services.send_reminders()
    db.session.commit()
    line = f"Queued {plural(sent, 'tour reminder')}."
    click.echo(line)
    return line


register_job(
    "tours remind", "Tour reminders", "Emails everyone whose confirmed tour is tomorrow.",
    when="every morning", every=timedelta(days=1), order=30)
