"""`flask people find-duplicates` (nightly, from cron): look for likely duplicates across
every contact and organization again (the likely duplicates page's "Look again" does the same
for one kind)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.database import begin_write
from app.extensions import db
from app.people import duplicates
from app.system.words import plural

people_cli = AppGroup("people", help="Contacts and organizations.")


@people_cli.command("find-duplicates")
def find_duplicates_command() -> None:
    """Find likely duplicate contacts and organizations (for the likely duplicates page)."""
    for kind, many in ((duplicates.CONTACT, "contacts"),
                       (duplicates.ORGANIZATION, "organizations")):
        pairs = duplicates.find(kind)  # seconds of reading, with no lock held
        begin_write(db.session)  # then the write, which a commit meanwhile can't fail
        found = duplicates.store(kind, pairs)
        db.session.commit()
        click.echo(f"{plural(found, 'likely duplicate pair')} of {many}.")
