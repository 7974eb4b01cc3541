"""`flask digest send`: reminders to yes-RSVPs and each staff member's morning digest."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.events import reminders
from app.extensions import db
from app.system.jobs import recorded, register_job
from app.system.words import plural

digest_cli = AppGroup("digest", help="Morning digest and event reminders.")


@digest_cli.command("send")
@recorded("digest send")
def send_command() -> str:
    """Queue today's digests and due reminders. Safe to run more than once a day: nobody
    gets the same digest or reminder twice. Cron, e.g. every morning at 7:

    0 7 * * * cd /srv/liaison && .venv/bin/flask --app app digest send
    """
    reminded = reminders.send_reminders()
    digests = reminders.send_digests()
    db.session.commit()
    line = f"Queued {plural(digests, 'digest')} and {plural(reminded, 'reminder')}."
    click.echo(line)
    return line


register_job(
    "digest send", "Morning digest and event reminders",
    "Emails each staff member their morning digest (commitments due, this week's events, "
    "renewals and deadlines, and visitors' changes for the liaison) and reminds people who "
    "said yes to an event.",
    when="every morning", every=timedelta(days=1), order=20)
