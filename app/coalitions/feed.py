"""Coalition renewals and deadlines on the representative's private calendar feed."""

from __future__ import annotations

from datetime import datetime

from app.auth.models import User
from app.coalitions import queries
from app.settings.clock import today
from app.system import ical, urls
from app.system.feeds import FeedItem, register_feed_source

# However far ahead a calendar asks, renewals and deadlines further out than this wait.
HORIZON_DAYS = 3 * 366


def renewal_items(user: User, since: datetime, until: datetime | None) -> list[FeedItem]:
    """The renewals and open deadlines of the coalitions `user` represents us at, as
    all-day items that leave the day free (nothing for anyone else). A renewal that has
    passed stays on the calendar until it is renewed or let lapse, as on the dashboard."""
    day = today()
    within = (until.date() - day).days if until is not None else HORIZON_DAYS
    host = urls.host()
    items = []
    for due in queries.due_items(day, within=min(within, HORIZON_DAYS), user=user, limit=500):
        start, end = ical.all_day(due.on)
        kind = "coalition-renewal" if due.kind == "renewal" else "coalition-deadline"
        items.append(ical.VEvent(
            uid=ical.uid(kind, due.item_id, host), start=start, end=end,
            summary=due.title if due.kind == "renewal" else f"{due.title} ({due.coalition_name})",
            dtstamp=due.stamp, categories=("Coalition",), transparent=True,
            url=urls.external_url("coalitions.show", coalition_id=due.coalition_id),
        ))
    return items


def register() -> None:
    register_feed_source("coalitions", renewal_items)
