"""Coalition renewals and deadlines in the morning digest: those due within 30 days (or
passed), for the representative; ones with no representative go to admin and liaison."""

from __future__ import annotations

from datetime import date

from app.auth.models import User
from app.coalitions import queries
from app.system.digest import DigestSection, register_digest_section


def renewals_section(user: User, today: date) -> DigestSection:
    """What falls to `user`, soonest first, overdue ones saying so."""
    lines = []
    for due in queries.due_items(today):
        if due.representative_id != user.id and not (
                due.representative_id is None and user.can("liaison")):
            continue
        what = due.title if due.kind == "renewal" else f"{due.title} ({due.coalition_name})"
        when = (f"overdue since {due.on.strftime('%b %-d')}" if due.overdue(today)
                else f"{due.on.strftime('%a %b %-d')}")
        lines.append(f"{when}: {what}")
    return DigestSection("Coalition renewals and deadlines", lines)


def register() -> None:
    register_digest_section(30, "coalitions", renewals_section)
