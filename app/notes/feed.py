"""Commitments on staff calendar feeds: each person's open commitments, on their due day."""

from __future__ import annotations

from datetime import datetime

from app.auth.models import User
from app.notes import services
from app.system import ical, urls
from app.system.feeds import FeedItem, register_feed_source


def commitment_items(user: User, since: datetime, until: datetime | None) -> list[FeedItem]:
    """The user's open commitments as all-day items that leave the day free. An overdue one
    stays on the calendar however long ago it fell due (`since` does not hide it): it is
    still a promise to keep."""
    due_by = until.date() if until is not None else None
    host = urls.host()
    items = []
    for c in services.open_commitments(user, due_by=due_by):
        start, end = ical.all_day(c.due_on)
        items.append(ical.VEvent(
            uid=ical.uid("commitment", c.id, host), start=start, end=end,
            summary=f"Due: {c.what}", dtstamp=c.created_at, categories=("Commitment",),
            transparent=True,
        ))
    return items


def register() -> None:
    register_feed_source("notes", commitment_items)
