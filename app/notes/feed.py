"""Commitments on staff calendar feeds: each person's open commitments, on their due day."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.auth.models import User
from app.notes import services
from app.system.feeds import FeedItem, item_uid, register_feed_source


def commitment_items(user: User, since: datetime, until: datetime | None) -> list[FeedItem]:
    """The user's open commitments as all-day items that leave the day free. An overdue one
    stays on the calendar however long ago it fell due (`since` does not hide it): it is
    still a promise to keep."""
    due_by = until.date() if until is not None else None
    return [
        FeedItem(uid=item_uid("commitment", c.id), start=c.due_on,
                 end=c.due_on + timedelta(days=1), summary=f"Due: {c.what}",
                 dtstamp=c.created_at, categories=("Commitment",), transparent=True)
        for c in services.open_commitments(user, due_by=due_by)
    ]


def register() -> None:
    register_feed_source("notes", commitment_items)
