"""`flask press check-freshness`: email the admins when the media page is overdue for review."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.press import services
from app.system.words import plural

press_cli = AppGroup("press", help="The public media page.")


@press_cli.command("check-freshness")
def check_freshness_command() -> None:
    """Queue one email to the admins per staleness period (safe to run from cron hourly)."""
    sent = services.check_freshness()
    db.session.commit()
    row = services.page()
    if sent:
        click.echo(f"The media page is stale: queued {plural(sent, 'email')} to admins.")
    elif services.is_stale(row) and row.stale_notice_for:
        click.echo("The media page is stale; admins were already told.")
    elif services.is_stale(row):
        click.echo("The media page is stale, but there is no active admin to tell.")
    else:
        click.echo("The media page is fresh.")
