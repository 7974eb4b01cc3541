"""`flask press check-freshness`: email the admins when the media page is overdue for review."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.extensions import db
from app.press import services
from app.system.jobs import recorded, register_job
from app.system.words import plural

press_cli = AppGroup("press", help="The public media page.")


@press_cli.command("check-freshness")
@recorded("press check-freshness")
def check_freshness_command() -> str:
    """Queue one email to the admins per staleness period (safe to run from cron hourly)."""
    sent = services.check_freshness()
    db.session.commit()
    row = services.page()
    if sent:
        line = f"The media page is stale: queued {plural(sent, 'email')} to admins."
    elif services.is_stale(row) and row.stale_notice_for:
        line = "The media page is stale; admins were already told."
    elif services.is_stale(row):
        line = "The media page is stale, but there is no active admin to tell."
    else:
        line = "The media page is fresh."
    click.echo(line)
    return line


register_job(
    "press check-freshness", "Media page review reminder",
    "Emails the admins when the public media page is overdue for its review.",
    when="every morning", every=timedelta(days=1), order=40)
