"""Tours on staff calendar feeds: confirmed tours, as "Tour (N people)" and nothing more."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.system import ical, urls
from app.system.feeds import FeedItem, register_feed_source
from app.system.urls import external_url
from app.system.words import plural
from app.tours.models import Status, TourBooking, TourSlot
from app.tours.services import booking_uid


def tour_items(user: User, since: datetime, until: datetime | None) -> list[FeedItem]:
    """Confirmed tours (and ones cancelled after confirmation, so calendars drop them).
    Calendar files leave the app, so they say only how many people come; the link opens
    the booking for those who may see it (the liaison)."""
    query = (
        select(TourBooking.id, TourBooking.group_size, TourBooking.status,
               TourBooking.sequence, TourBooking.created_at, TourBooking.decided_at,
               TourSlot.starts_at, TourSlot.ends_at)
        .join(TourSlot, TourBooking.slot_id == TourSlot.id)
        .where(TourSlot.ends_at >= since, TourBooking.decided_at.is_not(None),
               TourBooking.status.in_([Status.confirmed, Status.attended, Status.no_show,
                                       Status.cancelled]))
    )
    if until is not None:
        query = query.where(TourSlot.starts_at < until)
    rows = db.session.execute(query.order_by(TourSlot.starts_at, TourBooking.id)).all()
    with_link = user.can("liaison")
    host = urls.host()
    items = []
    for r in rows:
        people = plural(r.group_size, "person", "people")
        items.append(ical.VEvent(
            uid=booking_uid(r.id, host), start=r.starts_at, end=r.ends_at,
            summary=f"Tour ({people})", dtstamp=r.decided_at or r.created_at,
            sequence=r.sequence, categories=("Tour",),
            status="CANCELLED" if r.status == Status.cancelled else "CONFIRMED",
            url=external_url("tours.show", booking_id=r.id) if with_link else "",
        ))
    return items


def register() -> None:
    register_feed_source("tours", tour_items)
