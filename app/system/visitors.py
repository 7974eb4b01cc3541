"""Visitors' changes reach staff: when a member of the public moves or cancels a tour from
its link, or answers an invitation, the domain calls `note_change()`.

Who hears: the liaison (every active liaison; the admins when there is none). When: in the
next morning digest (a section registered here lists the past day's changes), or at once by
email when the setting says so (`at_once()`, on the tour settings page). Rows hold the
visitor's name, so they are staff-only and deleted after KEEP_DAYS by `flask purge`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, select

from app.auth.models import Role, User
from app.database import utcnow
from app.extensions import db
from app.mail.services import queue
from app.settings import clock
from app.settings import services as settings
from app.system.digest import DigestSection
from app.system.models import VisitorChange
from app.system.words import plural

AT_ONCE_KEY = "visitors.changes_at_once"
KEEP_DAYS = 7
DIGEST_WINDOW = timedelta(days=1)  # the digest runs daily: each change is in one digest


def at_once() -> bool:
    """True when visitors' changes are emailed as they happen, not in the digest."""
    return bool(settings.get(AT_ONCE_KEY, False))


def set_at_once(value: bool) -> None:
    """Choose between the morning digest (False) and an email at once (True)."""
    if value != at_once():
        settings.put(AT_ONCE_KEY, bool(value))


def recipients() -> list[User]:
    """The active liaisons, or the active admins when the program has no liaison."""
    for role in (Role.liaison, Role.admin):
        users = db.session.scalars(
            select(User).where(User.role == role, User.active.is_(True)).order_by(User.id)
        ).all()
        if users:
            return list(users)
    return []


def note_change(kind: str, summary: str, url: str, subject: str) -> VisitorChange:
    """Keep a visitor's change for the liaison, and email it now if they asked for that.
    `summary` is one line for staff ("Alma Whitfield moved tour booking #4 from … to …"),
    `url` the staff page about it, `subject` the short subject of the email at once."""
    row = VisitorChange(kind=kind, summary=" ".join(summary.split())[:300], url=url[:500],
                        at=utcnow())
    db.session.add(row)
    if at_once():
        for user in recipients():
            queue(kind="visitor_change", to=user.email, to_name=user.name, subject=subject,
                  text=f"{row.summary}\n\n{url}\n\nYou get these as they happen because "
                       "Tours → Settings says so; untick it to read them in the morning "
                       f"digest instead.\n\n-- \n{settings.org_name()}\n")
        row.mailed_at = row.at
    db.session.flush()
    return row


def digest_section(user: User, today: date, now: datetime | None = None) -> DigestSection:
    """The past day's changes not already emailed, for the people who hear about them."""
    if user.id not in {u.id for u in recipients()}:
        return DigestSection("Visitors' changes", [])
    now = now or utcnow()
    rows = db.session.scalars(
        select(VisitorChange)
        .where(VisitorChange.at > now - DIGEST_WINDOW, VisitorChange.at <= now,
               VisitorChange.mailed_at.is_(None))
        .order_by(VisitorChange.at, VisitorChange.id)
    ).all()
    return DigestSection("Visitors' changes",
                         [f"{clock.local(r.at).strftime('%a %-I:%M %p')}: {r.summary} {r.url}"
                          for r in rows])


def purge(now: datetime) -> str:
    """Forget changes older than KEEP_DAYS (they name visitors)."""
    result = db.session.execute(
        delete(VisitorChange).where(VisitorChange.at < now - timedelta(days=KEEP_DAYS)))
    db.session.flush()
    changes = plural(result.rowcount, "visitor's change", "visitors' changes")
    return f"Forgot {changes} older than {KEEP_DAYS} days."
