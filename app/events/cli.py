"""`flask digest send`: reminders to yes-RSVPs and registrants, and each staff member's
morning digest; `flask events waitlist`: lapse unconfirmed offers and offer freed places."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.database import begin_write
from app.events import registrations, reminders
from app.extensions import db
from app.system.jobs import recorded, register_job
from app.system.words import plural

digest_cli = AppGroup("digest", help="Morning digest and event reminders.")
events_cli = AppGroup("events", help="Public events: registrations and their waitlists.")


@digest_cli.command("send")
@recorded("digest send")
def send_command() -> str:
    """Queue today's digests and due reminders (invitees who said yes, registrants whose
    event is tomorrow), after tending the waitlists. Safe to run more than once a day:
    nobody gets the same digest or reminder twice. Cron, e.g. every morning at 7:

    0 7 * * * cd /srv/liaison && .venv/bin/flask --app app digest send
    """
    registrations.process_waitlists()
    registered = registrations.send_reminders()
    reminded = reminders.send_reminders()
    digests = reminders.send_digests()
    db.session.commit()
    line = f"Queued {plural(digests, 'digest')} and {plural(reminded + registered, 'reminder')}."
    click.echo(line)
    return line


register_job(
    "digest send", "Morning digest and event reminders",
    "Emails each staff member their morning digest (commitments due, this week's events, "
    "renewals and deadlines, and visitors' changes for the liaison), reminds people who "
    "said yes to an event and, the day before, people who registered for one.",
    when="every morning", every=timedelta(days=1), order=20)


@events_cli.command("waitlist")
def waitlist_command() -> None:
    """Lapse waitlist offers nobody confirmed in time and offer the freed places to the next
    in line (registrations and cancellations do this at once, and `outbox work` every round;
    this catches offers that ran out quietly where no worker runs). Cron, every 10 minutes:

    */10 * * * * cd /srv/liaison && .venv/bin/flask --app app events waitlist
    """
    begin_write(db.session)  # the waitlist reads, then writes
    lapsed, offered = registrations.process_waitlists()
    db.session.commit()
    click.echo(f"{plural(lapsed, 'offer')} lapsed; {plural(offered, 'place')} offered.")
