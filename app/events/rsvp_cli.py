"""`flask rsvp fetch-replies`: read invitees' answers from the organization's mailbox (the
replies their calendar programs send: app/events/replies.py)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.events import replies
from app.extensions import db
from app.mail import inbox

rsvp_cli = AppGroup("rsvp", help="Answers to invitations that arrive by email.")


def _round() -> bool:
    """One reading of the mailbox; prints the outcomes. False if it couldn't be read."""
    try:
        counts = replies.fetch()
    except inbox.InboxError as exc:
        db.session.rollback()
        click.echo(f"Couldn't read the mailbox: {exc}", err=True)
        return False
    finally:
        db.session.remove()
    click.echo(replies.summary(counts))
    return True


@rsvp_cli.command("fetch-replies")
@click.option("--once", is_flag=True, help="Read the mailbox once, then exit (for cron).")
@click.option("--interval", type=float, default=None,
              help="Seconds between readings (default IMAP_POLL_SECONDS).")
def fetch_replies_command(once: bool, interval: float | None) -> None:
    """Record the answers in calendar replies (Yes, Maybe, No pressed in Gmail, Outlook or
    Apple Calendar) from the mailbox set by IMAP_SERVER and the other IMAP_* settings.
    Safe to run any number of times: a message is acted on once. `flask outbox work` also
    reads it every IMAP_POLL_SECONDS, so run this only if that service doesn't run, e.g.

    */5 * * * * cd /srv/liaison && .venv/bin/flask --app app rsvp fetch-replies --once
    """
    if not inbox.configured():
        raise click.ClickException("IMAP_SERVER is not set: there is no mailbox to read.")
    if once:
        if not _round():
            raise SystemExit(1)
        return
    every = interval or float(current_app.config.get("IMAP_POLL_SECONDS") or 60)
    click.echo(f"Reading the mailbox every {every:g}s (Ctrl+C to stop).")
    try:
        while True:
            _round()
            time.sleep(every)
    except KeyboardInterrupt:
        pass
