"""Events' own verbs: save and cancel an event, its hosts, and its time for people to read;
what a change means for the people who hear about it, and who they are (the audiences)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, selectinload

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.events.models import Event, EventHost, EventStatus
from app.extensions import db
from app.people import sections
from app.settings import services as settings
from app.settings.clock import org_zone, strftime_format
from app.system import ical
from app.system.slugs import unique_slug

# Changes to these fields matter to invitees: SEQUENCE grows and invitees get an update.
SIGNIFICANT = ("title", "starts_at", "ends_at", "location", "address", "description", "status")


class EventError(ValueError):
    """A request the event's state does not allow (answering after it started, …)."""


# --- what a change means -----------------------------------------------------------------------
# An update carries each invitee's answer; only a move big enough to matter (a setting)
# asks them again, so a typo fixed in the title doesn't wipe out everybody's "yes".

REASK_MINUTES_KEY, DEFAULT_REASK_MINUTES = "events.reask_minutes", 60
REASK_PLACE_KEY = "events.reask_place"


def reask_minutes() -> int:
    """Invitees are asked again when the start or the end moves by at least this much."""
    return int(settings.get(REASK_MINUTES_KEY, DEFAULT_REASK_MINUTES))


def reask_on_place() -> bool:
    """Invitees are asked again when the place or its address changes."""
    return bool(settings.get(REASK_PLACE_KEY, True))


@dataclass(frozen=True)
class EventChange:
    """What a change to an event means for the people who hear about it: what changed, how
    it was before (for "it was …" in the mail), and whether answers must be asked again."""

    fields: tuple[str, ...]
    was_when: str
    was_place: str
    moved: bool = False  # the start or the end moved by at least reask_minutes()
    place_changed: bool = False  # another place, not just another spelling (if asked to)
    cancelled: bool = False

    @property
    def ask_again(self) -> bool:
        return not self.cancelled and (self.moved or self.place_changed)

    @property
    def reason(self) -> str:
        """Why answers are asked again, for people to read ("" when they aren't)."""
        if not self.ask_again:
            return ""
        what = [w for w, yes in (("time", self.moved), ("place", self.place_changed)) if yes]
        return f"the {' and the '.join(what)} changed"


def _words(text: str | None) -> str:
    """A place as compared for a change: case, punctuation and spacing don't count."""
    return " ".join(re.sub(r"[\W_]+", " ", (text or "").casefold()).split())


def _change(event: Event, was: dict, fields: list[str]) -> EventChange:
    minutes = reask_minutes()

    def moved(old: datetime, new: datetime) -> bool:
        return abs((new - old).total_seconds()) >= minutes * 60

    place_changed = reask_on_place() and any(
        _words(was[k]) != _words(getattr(event, k)) for k in ("location", "address"))
    return EventChange(
        fields=tuple(fields), was_when=was["when"], was_place=was["place"],
        moved=moved(was["starts_at"], event.starts_at) or moved(was["ends_at"], event.ends_at),
        place_changed=place_changed)


# Who hears about an event's updates and cancellation ("event attendees"): its invitees
# (app/events/invitations.py) and whoever else another module keeps for it, such as public
# registrants. Each audience is `tell(event, change) -> how many were told`; it queues its
# own mail in the same transaction. Register from the events init_app with
# `register_audience(name, tell)` (a name registered again replaces the earlier one).
Audience = Callable[[Event, EventChange], int]
AUDIENCES: dict[str, Audience] = {}


def register_audience(name: str, tell: Audience) -> None:
    """Add (or replace) an audience of event updates."""
    AUDIENCES[name] = tell


def tell_audiences(event: Event, change: EventChange) -> dict[str, int]:
    """Tell every audience about the change; returns how many each told."""
    return {name: tell(event, change) for name, tell in sorted(AUDIENCES.items())}


# --- events ----------------------------------------------------------------------------------


def new_uid() -> str:
    return ical.new_uid("event")


# Words the public events URLs use for themselves (/public-events/registered,
# /public-events/registration/<token>).
RESERVED_SLUGS = {"registered", "registration"}


def new_slug(title: str, taken: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """The public page's slug for a new event: from its title, unique (also among `taken`,
    slugs handed out but not yet stored), never reused."""
    slug = unique_slug(Event.slug, title, "event")
    base, n = slug, 2
    while slug in RESERVED_SLUGS or slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@sa_event.listens_for(Session, "before_flush")
def _slug_new_events(session: Session, _context, _instances) -> None:
    """An event made anywhere without a slug (a demo, a test, another domain) gets one."""
    new = [obj for obj in session.new if isinstance(obj, Event) and not obj.slug]
    taken: set[str] = set()
    with session.no_autoflush:
        for event in new:
            event.slug = new_slug(event.title or "", taken)
            taken.add(event.slug)


def save_event(event: Event | None, data: dict, *, hosts: list[int], speakers: list[int],
               by: User | None) -> Event:
    """Create or change an event. A change that matters to invitees bumps SEQUENCE and
    reaches every audience (invitees, registrants) as an update; each keeps their answer
    unless the time or place moved enough to ask again. `event.change` is what this save
    changed (an EventChange, None when nothing that matters did), for the view's message."""
    creating = event is None
    if event is None:
        event = Event(uid=new_uid(), slug=new_slug(data.get("title", "")), sequence=0,
                      created_by_id=getattr(by, "id", None))  # the slug never changes after
        db.session.add(event)
    changed = [k for k in SIGNIFICANT if k in data and getattr(event, k, None) != data[k]]
    was = {} if creating else {
        "starts_at": event.starts_at, "ends_at": event.ends_at, "location": event.location,
        "address": event.address, "when": when_text(event), "place": event.full_location()}
    for key, value in data.items():
        setattr(event, key, value)
    db.session.flush()
    if not creating:
        db.session.execute(delete(EventHost).where(EventHost.event_id == event.id))
    for user_id in dict.fromkeys(hosts):
        db.session.add(EventHost(event_id=event.id, user_id=user_id, role="host"))
    for contact_id in dict.fromkeys(speakers):
        db.session.add(EventHost(event_id=event.id, contact_id=contact_id, role="speaker"))
    db.session.flush()
    event.change = None
    if creating:
        record("event.create", f"Created event {event.title}", event)
    elif changed:
        event.sequence += 1
        db.session.flush()
        event.change = _change(event, was, changed)
        tell_audiences(event, event.change)
        asked = f"; answers asked again ({event.change.reason})" if event.change.ask_again else ""
        record("event.update", f"Changed event {event.title}: {', '.join(changed)}{asked}",
               event)
    return event


def cancel_event(event: Event) -> None:
    """Cancel: SEQUENCE+1, STATUS:CANCELLED, and word to every audience (invitees get a
    METHOD:CANCEL)."""
    if event.cancelled:
        return
    was = {"when": when_text(event), "place": event.full_location()}
    event.status = EventStatus.cancelled
    event.sequence += 1
    db.session.flush()
    tell_audiences(event, EventChange(fields=("status",), was_when=was["when"],
                                      was_place=was["place"], cancelled=True))
    record("event.cancel", f"Cancelled event {event.title}", event)


def hosts_of(event: Event) -> list[EventHost]:
    return db.session.scalars(
        select(EventHost).where(EventHost.event_id == event.id)
        .options(selectinload(EventHost.user), selectinload(EventHost.contact))
        .order_by(EventHost.id)
    ).all()


def events_among(event_ids: Select, limit: int = 50) -> list[Event]:
    """The events among `event_ids` (a SELECT of ids: another domain's links, say a
    coalition's meetings), latest first."""
    return list(db.session.scalars(
        select(Event).where(Event.id.in_(event_ids))
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)))


def upcoming_events(limit: int = 200) -> list[Event]:
    """Events not yet over and not cancelled, soonest first (for other domains' pickers)."""
    return list(db.session.scalars(
        select(Event).where(Event.ends_at >= utcnow(), Event.status != EventStatus.cancelled)
        .order_by(Event.starts_at, Event.id).limit(limit)))


def when_text(event: Event) -> str:
    """The event's time in the organization's zone, for people to read."""
    zone = org_zone()
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    day = start.strftime("%A, %B %-d, %Y")
    end_fmt = "%-I:%M %p %Z" if end.date() == start.date() else "%A, %B %-d, %Y %-I:%M %p %Z"
    # On the organization's clock: "5:30 PM" where it writes 12-hour times, "17:30" elsewhere.
    return (f"{day}, {start.strftime(strftime_format('%-I:%M %p'))} to "
            f"{end.strftime(strftime_format(end_fmt))} ({zone.key})")


# --- the event page's sections ------------------------------------------------------------

# Domains built beside events add to the event page (the map: where it is) the way they add
# to a contact's page: `register_event_section(order, template, loader, slot)` with
# `loader(event, user)` -> context or None; slots as in app.people.sections.
EVENT_SECTIONS: list[sections.Section] = []


def register_event_section(order: int, template: str, loader, slot: str = "main") -> None:
    """Add a section to the event page (from the registering domain's init_app)."""
    sections.register(EVENT_SECTIONS, sections.Section(order, template, loader, slot))


def event_sections(event: Event, user) -> dict[str, list[tuple[str, dict]]]:
    """Each slot's (template, context) pairs for this event, as `user` may see them."""
    return sections.load(EVENT_SECTIONS, event, user)
