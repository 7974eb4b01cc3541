"""Calendar files and feeds: one event's file, the public feed, each staff member's private
feed and the tokens that unlock it."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from time import monotonic

from flask import current_app
from sqlalchemy import func, select

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.events.models import Event, EventStatus
from app.extensions import db
from app.settings import clock
from app.settings import services as settings
from app.system import changes, ical
from app.system.feeds import FeedItem, feed_items, register_feed_source
from app.system.urls import external_url

_STATUS = {EventStatus.scheduled: "CONFIRMED", EventStatus.tentative: "TENTATIVE",
           EventStatus.cancelled: "CANCELLED"}


def vevent(event: Event, *, public: bool = False, attendee: ical.Person | None = None,
           organizer: ical.Person | None = None, description_suffix: str = "",
           dtstamp: datetime | None = None) -> ical.VEvent:
    """The VEVENT for an event: the public view hides invitee-only addresses."""
    description = event.description
    if description_suffix:
        parts = (description, description_suffix)
        description = "\n\n".join(p for p in parts if p)
    return ical.VEvent(
        uid=event.uid,
        start=event.starts_at,
        end=event.ends_at,
        summary=event.title,
        dtstamp=dtstamp or event.updated_at or utcnow(),
        sequence=event.sequence,
        description=description,
        location=event.public_location() if public else event.full_location(),
        status=_STATUS[event.status],
        categories=(event.kind.label,),
        organizer=organizer,
        attendees=(attendee,) if attendee else (),
    )


def event_ics(event: Event) -> str:
    """The staff download: one event, no attendees."""
    return ical.calendar([vevent(event)], method="PUBLISH")


# --- what feeds hold, and when that last changed (Last-Modified) --------------------------

WINDOW = timedelta(days=90)
# The public feed reads events, and its window starts at a midnight in the time zone set
# under Settings; everything else it shows comes from configuration (see _STARTED).
PUBLIC_FEED_TABLES = ("events", "settings")
# Configuration (the organization's name, the public base URL in UIDs and links) changes
# only with a restart, so a feed is as new as the process serving it, at the least.
_STARTED = utcnow()


def window() -> tuple[datetime, datetime]:
    """Feeds hold what ends on or after midnight 90 days ago (the organization's midnight),
    so what they hold moves once a day, at that midnight: returns (since, that midnight)."""
    midnight = datetime.combine(clock.today(), time.min, clock.org_zone())
    return (midnight - WINDOW).astimezone(UTC), midnight.astimezone(UTC)


def last_modified(tables: tuple[str, ...] | None, *, windowed: bool = True) -> datetime | None:
    """A feed's Last-Modified: the latest of when the `tables` it reads last changed (None:
    any table), when its window last moved and when this process started. None while any
    of these is younger than changes.SETTLE: HTTP dates count whole seconds, so a validator
    that young could be matched by a change made in the same second."""
    stamp, db_now = changes.last_change(tables)
    now = utcnow()
    moments = [(_STARTED, now)]
    if windowed:
        moments.append((window()[1], now))
    if stamp is not None:
        moments.append((stamp, db_now))
    if any(clock_now - moment < changes.SETTLE for moment, clock_now in moments):
        return None
    return max(moment for moment, _ in moments).replace(microsecond=0)


def public_feed() -> tuple[str, int]:
    """Public events (open houses and others marked public) that end in the window, each
    linking to its page on /public-events."""
    since, _ = window()
    page = external_url("events_public.event", slug="-")[:-1]  # + slug: one URL build, not 5,000
    rows = db.session.execute(
        select(Event.uid, Event.slug, Event.starts_at, Event.ends_at, Event.title, Event.sequence,
               Event.description, Event.location, Event.address, Event.address_invitees_only,
               Event.status, Event.kind, Event.updated_at)
        .where(Event.is_public.is_(True), Event.ends_at >= since)
        .order_by(Event.starts_at)
    ).all()
    events = [
        ical.VEvent(
            uid=r.uid, start=r.starts_at, end=r.ends_at, summary=r.title, dtstamp=r.updated_at,
            sequence=r.sequence, description=r.description,
            location=r.location if (r.address_invitees_only or not r.address)
            else ", ".join(x for x in (r.location, r.address) if x),
            status=_STATUS[r.status], categories=(r.kind.label,), url=page + r.slug,
        )
        for r in rows
    ]
    name = f"{settings.org_name()} — public events"
    return ical.calendar(events, name=name, feed=True,
                         timezone=settings.timezone_name()), len(events)


def event_items(user: User, since: datetime, until: datetime | None) -> list[FeedItem]:
    """Events' feed source: every event (staff see them all), without attendees."""
    query = select(Event).where(Event.ends_at >= since)
    if until is not None:
        query = query.where(Event.starts_at < until)
    events = db.session.scalars(query.order_by(Event.starts_at)).all()
    return [vevent(e) for e in events]


def register() -> None:
    register_feed_source("events", event_items)


def private_feed(user: User) -> str:
    """A staff member's feed: what every registered source shows them (app.system.feeds:
    events, confirmed tours, their open commitments) that ends in the window."""
    since, _ = window()
    items = feed_items(user, since)
    name = f"{settings.org_name()} — {user.name}"
    return ical.calendar(items, name=name, feed=True, timezone=settings.timezone_name())


def etag(body: str) -> str:
    if body is _public_cache.body:
        return _public_cache.tag  # the cached public feed's, hashed once
    return hashlib.sha256(body.encode()).hexdigest()[:32]


@dataclass
class _Cached:
    key: tuple = ()
    body: str = ""
    tag: str = ""
    count: int = 0
    at: float = 0.0


_public_cache = _Cached()
# Longest a cached public feed is served without its data changing (the organization's name,
# a code change); shorter than the max-age the feed itself tells clients and proxies.
PUBLIC_CACHE_SECONDS = 60


def cached_public_feed() -> tuple[str, int]:
    """public_feed(), built again only when its events change: a 5,000-event feed takes
    ~100 ms to build and a few MB to send, and feed readers poll it. The key is one indexed
    statement over the public events still in the window: how many, their latest change and
    their sequences, so an event added, edited, cancelled, deleted or made private, or one
    leaving the window, changes it. Each worker keeps the latest feed only."""
    since, _ = window()
    key = tuple(db.session.execute(
        select(func.count(), func.max(Event.updated_at), func.sum(Event.sequence))
        .where(Event.is_public.is_(True), Event.ends_at >= since)).one())
    cache = _public_cache
    if cache.key != key or monotonic() - cache.at > PUBLIC_CACHE_SECONDS:
        body, count = public_feed()
        cache.key, cache.body, cache.count, cache.at = key, body, count, monotonic()
        cache.tag = hashlib.sha256(body.encode()).hexdigest()[:32]
    return cache.body, cache.count


# --- private feed tokens -----------------------------------------------------------------------


def _feed_key(user_id: int) -> str:
    return f"calendar_feed.{user_id}"


def feed_token(user: User) -> str:
    """The user's feed token: derived from the secret key and two versions (never stored).
    Regenerating bumps the feed's own version; a password reset, role change, deactivation
    or reactivation bumps the account's `link_version`. Either retires every old link."""
    version = settings.get(_feed_key(user.id), 1)
    message = f"feed:{user.id}:{version}:{user.link_version}".encode()
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), message,
                   hashlib.sha256).hexdigest()[:40]
    return f"{user.id}-{mac}"


def regenerate_feed_token(user: User) -> None:
    """Retire the old private feed link and make a new one."""
    settings.put(_feed_key(user.id), settings.get(_feed_key(user.id), 1) + 1)
    record("calendar.feed_regenerated", "Regenerated a private calendar feed link", user)


_HEX = frozenset("0123456789abcdef")


def user_for_feed_token(token: str) -> User | None:
    """The active user whose current feed token this is; None for anything else, including
    malformed tokens (the view answers 404)."""
    user_id, _, mac = token.partition("-")
    # ASCII digits only, and within an integer column's range: str.isdigit() accepts "²"
    # (int() then raises) and a 20-digit id overflows PostgreSQL's integer, both a 500.
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 9):
        return None
    # Forty lower-case hex digits, or it can't be ours: compare_digest refuses non-ASCII
    # text with a TypeError (a 500 for /calendar/feed/1-%C3%A9.ics).
    if len(mac) != 40 or not set(mac) <= _HEX:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(feed_token(user).encode(), token.encode()) else None
