"""Events' own verbs: save and cancel an event, its hosts, and its time for people to read."""

from __future__ import annotations

from sqlalchemy import Select, delete, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, selectinload

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.events.models import Event, EventHost, EventStatus
from app.extensions import db
from app.people import sections
from app.settings.clock import org_zone, strftime_format
from app.system import ical
from app.system.slugs import unique_slug

# Changes to these fields matter to invitees: SEQUENCE grows and invitees get an update.
SIGNIFICANT = ("title", "starts_at", "ends_at", "location", "address", "description", "status")


class EventError(ValueError):
    """A request the event's state does not allow (answering after it started, …)."""


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
    re-sends the invitation to everyone who has not declined."""
    from app.events.invitations import send_to_invitees  # invitations build on events

    creating = event is None
    if event is None:
        event = Event(uid=new_uid(), slug=new_slug(data.get("title", "")), sequence=0,
                      created_by_id=getattr(by, "id", None))  # the slug never changes after
        db.session.add(event)
    changed = [k for k in SIGNIFICANT if k in data and getattr(event, k, None) != data[k]]
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
    if creating:
        record("event.create", f"Created event {event.title}", event)
    elif changed:
        event.sequence += 1
        db.session.flush()
        send_to_invitees(event, "REQUEST", skip_declined=True)
        record("event.update", f"Changed event {event.title}: {', '.join(changed)}", event)
    return event


def cancel_event(event: Event) -> None:
    """Cancel: SEQUENCE+1, STATUS:CANCELLED, and a METHOD:CANCEL to every invitee."""
    from app.events.invitations import send_to_invitees  # invitations build on events

    if event.cancelled:
        return
    event.status = EventStatus.cancelled
    event.sequence += 1
    db.session.flush()
    send_to_invitees(event, "CANCEL", skip_declined=False)
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
