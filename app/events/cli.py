"""`flask digest send`: reminders to yes-RSVPs and registrants, and each staff member's
morning digest; `flask events waitlist`: lapse unconfirmed offers and offer freed places."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.database import begin_write
from app.events import registrations, reminders
from app.extensions import db

digest_cli = AppGroup("digest", help="Morning digest and event reminders.")
events_cli = AppGroup("events", help="Public events: registrations and their waitlists.")


def _write() -> None:
    """Take the write lock up front (SQLite): the waitlist reads, then writes."""
    if not db.session().in_transaction():
        begin_write(db.session)


@digest_cli.command("send")
def send_command() -> None:
    """Queue today's digests and due reminders (invitees who said yes, registrants whose
    event is tomorrow), after tending the waitlists. Safe to run more than once a day:
    nobody gets the same digest or reminder twice. Cron, e.g. every morning at 7:

    0 7 * * * cd /srv/liaison && .venv/bin/flask --app app digest send
    """
    _write()
    registrations.process_waitlists()
    registered = registrations.send_reminders()
    reminded = reminders.send_reminders()
    digests = reminders.send_digests()
    db.session.commit()
    click.echo(f"Queued {digests} digest(s), {reminded} RSVP reminder(s) and {registered} "
               "registrant reminder(s).")


@events_cli.command("waitlist")
def waitlist_command() -> None:
    """Lapse waitlist offers nobody confirmed in time and offer the freed places to the next
    in line (registrations and cancellations do this at once; this catches offers that ran
    out quietly). Cron, every 10 minutes:

    */10 * * * * cd /srv/liaison && .venv/bin/flask --app app events waitlist
    """
    _write()
    lapsed, offered = registrations.process_waitlists()
    db.session.commit()
    click.echo(f"{lapsed} offer(s) lapsed; {offered} place(s) offered.")
