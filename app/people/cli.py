"""`flask people find-duplicates` (nightly, from cron): look for likely duplicates across
every contact and organization again (the likely duplicates page's "Look again" does the same
for one kind)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.people import duplicates

people_cli = AppGroup("people", help="Contacts and organizations.")


@people_cli.command("find-duplicates")
def find_duplicates_command() -> None:
    """Find likely duplicate contacts and organizations (for the likely duplicates page)."""
    for kind, many in ((duplicates.CONTACT, "contacts"),
                       (duplicates.ORGANIZATION, "organizations")):
        found = duplicates.sweep(kind)
        db.session.commit()
        click.echo(f"{found} likely duplicate pair{'' if found == 1 else 's'} of {many}.")
