"""What goes on a staff member's private calendar feed: each domain registers a source.

A source is `fn(user, since, until) -> list[FeedItem]`: the items `user` may see that end on
or after `since` (and start before `until`, when it is not None). Register it from the
domain's `init_app` with `register_feed_source(name, fn)`; registering a name again replaces
the earlier source (apps are created many times in tests). Events owns the feed itself
(`/calendar/feed/<token>.ics`) and writes every source's items into it.

Today: events (every event), tours (confirmed tours as "Tour (N people)": calendar files
leave the app, so never a visitor's details) and notes (the user's open commitments, as
all-day items). A source decides what `user` may see: it returns only their own items, or
leaves out what their role may not read.

Issue 10 adds coalition renewals to the representative's feed the same way: coalitions'
`init_app` calls `register_feed_source("coalitions", renewals)`, where `renewals(user, since,
until)` returns the renewals of the coalitions `user` represents us in (and nothing for
everyone else). Nothing here or in events changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.auth.models import User
from app.system import ical

# A feed item is a VEVENT without organizer or attendees (app/system/ical.py): its UID from
# ical.uid(kind, id), the same as in any mail about the thing, so calendars never double it;
# an all-day item's start and end from ical.all_day(day).
FeedItem = ical.VEvent
FeedSource = Callable[[User, datetime, datetime | None], list[FeedItem]]
SOURCES: dict[str, FeedSource] = {}


def register_feed_source(name: str, source: FeedSource) -> FeedSource:
    """Add (or replace) the feed source called `name`."""
    SOURCES[name] = source
    return source


def feed_items(user: User, since: datetime, until: datetime | None = None) -> list[FeedItem]:
    """Every registered source's items for `user`, source by source in registration order."""
    return [item for source in SOURCES.values() for item in source(user, since, until)]
