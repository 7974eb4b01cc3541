"""Public registration for events: places under the event's lock, the waitlist and its
offers, the registrant's own link, screening that never shows, the liaison's decisions,
reminders the day before, the private address, and the retention purge.

Places: an event's capacity is shared by its invitees who said yes (one place each) and its
registrations that hold places (`registered`, and `offered` until the offer expires), each
for its whole group. Screened registrants (app.people.screening) are told exactly what
anyone else is told: a held one takes a place but gets no private address or reminder until
the liaison approves; a blocked one holds no place and is never offered one.

Services flush and never commit; the view (or CLI command) commits once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import selectinload

from app import ratelimit
from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.events.feeds import vevent
from app.events.models import (
    ACTIVE,
    Answer,
    Event,
    EventStatus,
    Invitation,
    Registration,
    RegistrationStatus,
)
from app.events.services import EventChange, EventError, when_text
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.services import queue
from app.people.screening import Booker, normalise, screen
from app.settings import services as settings
from app.settings.clock import local, local_date, org_zone, strftime_format
from app.system import ical, visitors
from app.system.private_links import link_token, new_nonce, token_hash
from app.system.urls import external_url
from app.system.words import plural

OFFER_HOURS_KEY = "events.offer_hours"
DEFAULT_OFFER_HOURS = 24
PURGE_DAYS_KEY = "events.registrant_purge_days"
DEFAULT_PURGE_DAYS = 90
CHECK_IN_OPENS = timedelta(hours=3)  # door volunteers check people in from this long before
MAIL_KIND = "event_registration"
REMOVED = "(removed)"


def offer_hours() -> int:
    """How long a waitlisted person has to confirm an offered place."""
    return int(settings.get(OFFER_HOURS_KEY, DEFAULT_OFFER_HOURS))


def purge_days() -> int:
    """Registrants' details are removed this many days after their event ends."""
    return int(settings.get(PURGE_DAYS_KEY, DEFAULT_PURGE_DAYS))


def _event(reg: Registration) -> Event:
    """The registration's event, loaded once (the relationship never loads lazily)."""
    if "event" not in reg.__dict__:
        reg.event = db.session.get(Event, reg.event_id)
    return reg.event


# --- the registrant's link -----------------------------------------------------------------


def _token_for(nonce: str) -> str:
    """The private link's token (app/system/private_links.py): only its hash is stored."""
    return link_token("events.registration", nonce)


def new_token() -> tuple[str, str]:
    """A new registration's nonce and the hash of the token derived from it."""
    nonce = new_nonce()
    return nonce, token_hash(_token_for(nonce))


def manage_token(reg: Registration) -> str:
    return _token_for(reg.token_nonce)


def manage_url(reg: Registration) -> str:
    """The registrant's own page (the same link from a request, a CLI job or the worker)."""
    return external_url("events_public.registration", token=manage_token(reg))


def registration_for_token(token: str) -> Registration | None:
    """The registration a private link opens (None for an unknown or anonymized one)."""
    if not token or len(token) > 100:
        return None
    reg = db.session.scalar(select(Registration).where(Registration.token_hash == token_hash(token))
                            .options(selectinload(Registration.event)))
    if reg is None or reg.anonymized_at is not None:
        return None
    return reg


# --- places ----------------------------------------------------------------------------------


def lock_event(event: Event) -> None:
    """Hold the event's row until the transaction ends, so concurrent registrations (and
    offers, cancellations, yes-RSVPs) for one event count its places one at a time.
    PostgreSQL: SELECT … FOR UPDATE. SQLite: a request that may write already holds the
    database's write lock from BEGIN IMMEDIATE (app/database.py; the CLI asks for it)."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def _holding(now: datetime):
    """Registrations that hold places: registered, or offered and not yet expired."""
    return and_(Registration.blocked.is_(False), or_(
        Registration.status == RegistrationStatus.registered,
        and_(Registration.status == RegistrationStatus.offered,
             Registration.offer_expires_at > now)))


def _seats(event_id, now: datetime):
    return (select(func.coalesce(func.sum(Registration.group_size), 0))
            .where(Registration.event_id == event_id, _holding(now)).scalar_subquery())


def _yes(event_id):
    return (select(func.count(Invitation.id))
            .where(Invitation.event_id == event_id, Invitation.answer == Answer.yes)
            .scalar_subquery())


def _waiting(event_id):
    return (select(func.count(Registration.id))
            .where(Registration.event_id == event_id, Registration.blocked.is_(False),
                   Registration.status == RegistrationStatus.waitlisted).scalar_subquery())


def places_taken(event: Event, now: datetime | None = None) -> int:
    """Places held now: invitees who said yes plus the groups of registrations holding
    places (one statement)."""
    now = now or utcnow()
    seats, yes = db.session.execute(select(_seats(event.id, now), _yes(event.id))).one()
    return int(seats) + int(yes)


@dataclass(frozen=True)
class Availability:
    """An event's places as the public may know them, and the counts staff see."""

    capacity: int | None
    taken: int
    waiting: int

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def state(self) -> str:
        """"open", "few" or "full": all the public page says, so that one registration
        (a screened one that holds no place, say) never shows as an exact count."""
        if self.left is None:
            return "open"
        if self.left <= 0:
            return "full"
        return "few" if self.left <= max(5, (self.capacity or 0) // 10) else "open"


def availability(events: list[Event], now: datetime | None = None) -> dict[int, Availability]:
    """Each event's availability, in one statement whatever the number of events."""
    if not events:
        return {}
    now = now or utcnow()
    rows = db.session.execute(
        select(Event.id, _seats(Event.id, now), _yes(Event.id), _waiting(Event.id))
        .where(Event.id.in_([e.id for e in events]))).all()
    capacity = {e.id: e.capacity for e in events}
    return {row[0]: Availability(capacity[row[0]], int(row[1]) + int(row[2]), int(row[3]))
            for row in rows}


def is_open(event: Event, now: datetime | None = None) -> bool:
    """Whether the public can register now: a public event taking registrations, not
    cancelled, not yet started."""
    now = now or utcnow()
    return (event.is_public and event.registration_open and not event.cancelled
            and event.starts_at > now)


# --- registering -----------------------------------------------------------------------------


@dataclass
class RegistrationRequest:
    """What a member of the public sent, already validated by the form."""

    name: str
    email: str
    phone: str | None = None
    affiliation: str | None = None
    group_size: int = 1
    accessibility: str | None = None
    contact_consent: bool = False


def register(event: Event, req: RegistrationRequest,
             now: datetime | None = None) -> Registration:
    """Register someone (and their group) under the event's lock: a place if the group fits,
    else the waitlist. Screening decides only what the liaison sees and what is sent later;
    the answer and the first email are the same for everyone. A second registration from an
    address already registered sends that registration's link again instead."""
    now = now or utcnow()
    if not is_open(event, now):
        raise EventError("Registration for this event has closed.")
    lock_event(event)
    refresh_waitlist(event, now)
    email = req.email.strip()
    existing = db.session.scalar(
        select(Registration).where(Registration.event_id == event.id,
                                   func.lower(Registration.email) == email.lower(),
                                   Registration.status.in_(ACTIVE)).limit(1))
    if existing is not None:
        existing.event = event
        _mail(existing, "again", f"Your registration: {event.title}")
        return existing
    nonce, hashed = new_token()
    reg = Registration(
        event_id=event.id, name=req.name, email=email, phone=req.phone or None,
        affiliation=req.affiliation or None, group_size=req.group_size,
        accessibility=req.accessibility or None, contact_consent=req.contact_consent,
        token_nonce=nonce, token_hash=hashed, created_at=now)
    matches = screen(Booker.of(reg))
    reg.screening = [m.as_dict() for m in matches]
    reg.held = bool(matches)
    reg.blocked = any(m.block for m in matches)
    left = None if event.capacity is None else event.capacity - places_taken(event, now)
    if left is None or req.group_size <= left:
        reg.status = RegistrationStatus.registered
    else:
        reg.status, reg.waitlisted_at = RegistrationStatus.waitlisted, now
    reg.event = event
    db.session.add(reg)
    db.session.flush()
    record("event.registration", f"Registration #{reg.id} for {event.title} "
           f"({_people(reg.group_size)}, {reg.status.label.lower()})", event, actor=None)
    if reg.status == RegistrationStatus.registered:
        _mail_registered(reg, now)
    else:
        _mail(reg, "waitlisted", f"You're on the waitlist: {event.title}")
    return reg


def over_rate_limit(ip: str | None, email: str) -> bool:
    """True when this IP or email has sent too many registrations lately; otherwise counts
    this one (in the database, so every app process shares the count)."""
    cfg = current_app.config
    return ratelimit.over_limit([
        ratelimit.Rule("events.ip", ip or "?", cfg.get("EVENTS_RATE_PER_IP", 10),
                       timedelta(hours=1)),
        ratelimit.Rule("events.email", normalise(email), cfg.get("EVENTS_RATE_PER_EMAIL", 5),
                       timedelta(days=1)),
    ])


# --- the registrant's changes ------------------------------------------------------------------


def _changeable(reg: Registration, now: datetime) -> None:
    if not reg.active:
        raise EventError("This registration is no longer active.")
    if _event(reg).cancelled:
        raise EventError("This event has been cancelled.")
    if _event(reg).starts_at <= now:
        raise EventError("This event has already started, so registrations can't change.")


def change(reg: Registration, *, name: str, phone: str | None, affiliation: str | None,
           group_size: int, accessibility: str | None, contact_consent: bool,
           now: datetime | None = None) -> None:
    """The registrant changes their details. A bigger group needs the places (checked under
    the lock, as a new registration's would be); a smaller one frees places for the
    waitlist."""
    now = now or utcnow()
    _changeable(reg, now)
    event = _event(reg)
    grows = group_size - reg.group_size
    if grows > 0 and reg.status != RegistrationStatus.waitlisted and event.capacity is not None:
        lock_event(event)
        refresh_waitlist(event, now)
        taken = places_taken(event, now)
        # A blocked registration holds no place, but is answered as if it did.
        mine = reg.group_size if reg.blocked else 0
        left = event.capacity - taken - mine
        if grows > left:
            raise EventError(f"There {'is' if left == 1 else 'are'} only "
                             f"{plural(max(left, 0), 'more place', 'more places')} left, so "
                             "your group can't grow by that many.")
    reg.name, reg.phone, reg.affiliation = name, phone or None, affiliation or None
    reg.group_size, reg.accessibility = group_size, accessibility or None
    reg.contact_consent = contact_consent
    db.session.flush()
    record("event.registration_changed", f"Registration #{reg.id} for {event.title} changed "
           "by the registrant", event, actor=None)
    _tell_liaison(reg, f"changed their registration ({_people(reg.group_size)})")
    if grows < 0:
        lock_event(event)
        fill_from_waitlist(event, now)


def cancel(reg: Registration, now: datetime | None = None,
           what: str = "cancelled their registration") -> None:
    """The registrant cancels (a registration, a waitlist place or an offer); a place they
    held goes to the next in line."""
    now = now or utcnow()
    _changeable(reg, now)
    event = _event(reg)
    lock_event(event)
    _tell_liaison(reg, f"{what} ({_people(reg.group_size)}, {reg.status.label.lower()})")
    reg.status = RegistrationStatus.cancelled
    db.session.flush()
    record("event.registration_cancelled", f"Registration #{reg.id} for {event.title} "
           "cancelled by the registrant", event, actor=None)
    _mail(reg, "cancelled", f"Cancelled: your registration for {event.title}")
    fill_from_waitlist(event, now)


class OfferExpired(EventError):
    """The offered place was not confirmed in time (the lapse is recorded: commit it)."""


def accept_offer(reg: Registration, now: datetime | None = None) -> None:
    """Confirm an offered place (a POST from the registrant's page)."""
    now = now or utcnow()
    _changeable(reg, now)
    event = _event(reg)
    lock_event(event)
    if reg.status != RegistrationStatus.offered:
        raise EventError("There is no open offer on this registration.")
    if reg.offer_expires_at is None or reg.offer_expires_at <= now:
        refresh_waitlist(event, now)
        raise OfferExpired("Sorry: this offer expired, and the place went to the next person "
                           "in line. You can join the waitlist again from the event's page.")
    reg.status = RegistrationStatus.registered
    db.session.flush()
    record("event.offer_accepted", f"Registration #{reg.id} for {event.title} took an "
           "offered place", event, actor=None)
    _tell_liaison(reg, f"took the place offered from the waitlist ({_people(reg.group_size)})")
    _mail_registered(reg, now)


def decline_offer(reg: Registration, now: datetime | None = None) -> None:
    """Turn down an offered place; it goes to the next in line."""
    now = now or utcnow()
    if reg.status != RegistrationStatus.offered:
        raise EventError("There is no open offer on this registration.")
    cancel(reg, now, what="turned down the place offered from the waitlist")


def _people(n: int) -> str:
    return plural(n, "person", "people")


def _tell_liaison(reg: Registration, what: str) -> None:
    """A registrant's own change reaches the liaison (the digest, or at once: see
    app/system/visitors.py), as tour visitors' and invitees' changes do."""
    event = _event(reg)
    visitors.note_change(
        "events.registration", f"{reg.name} {what} for {event.title} ({when_text(event)}).",
        external_url("events.registration", event_id=event.id, registration_id=reg.id),
        subject=f"Registration: {reg.name} {what.split(' (')[0]}, {event.title}")


# --- the waitlist ------------------------------------------------------------------------------


def expire_offers(event: Event, now: datetime) -> int:
    """Offers on this event past their time lapse (the registrant is told)."""
    lapsed = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.offered,
        Registration.offer_expires_at <= now).order_by(Registration.id)).all()
    for reg in lapsed:
        reg.status, reg.event = RegistrationStatus.lapsed, event
        record("event.offer_lapsed", f"Registration #{reg.id} for {event.title}: the offered "
               "place was not confirmed in time", event, actor=None)
        _mail(reg, "lapsed", f"The place we held has gone: {event.title}")
    db.session.flush()
    return len(lapsed)


def fill_from_waitlist(event: Event, now: datetime) -> int:
    """Offer free places to the waitlist in order: each time to the first person whose
    group fits. The caller holds the event's lock."""
    if event.capacity is None or event.cancelled or event.starts_at <= now:
        return 0
    left = event.capacity - places_taken(event, now)
    if left <= 0:
        return 0
    waiting = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.blocked.is_(False),
        Registration.status == RegistrationStatus.waitlisted)
        .order_by(Registration.waitlisted_at, Registration.id)).all()
    offered = 0
    expires = min(now + timedelta(hours=offer_hours()), event.starts_at)
    for reg in waiting:
        if reg.group_size > left:
            continue
        reg.status, reg.event = RegistrationStatus.offered, event
        reg.offered_at, reg.offer_expires_at = now, expires
        left -= reg.group_size
        offered += 1
        record("event.offer", f"Offered registration #{reg.id} a place at {event.title}",
               event, actor=None)
        _mail(reg, "offer", f"A place is open for you: {event.title}")
        if left <= 0:
            break
    db.session.flush()
    return offered


def refresh_waitlist(event: Event, now: datetime | None = None) -> None:
    """Lapse expired offers, then offer what is free (under the caller's lock)."""
    now = now or utcnow()
    expire_offers(event, now)
    fill_from_waitlist(event, now)


def process_waitlists(now: datetime | None = None, *, due_only: bool = False
                      ) -> tuple[int, int]:
    """Every upcoming event's waitlist: lapse expired offers and offer freed places (run
    by `flask events waitlist` and `flask digest send`). `due_only`: only events with an
    offer past its time (the mail worker's every round, app/system/periodic.py: every path
    that frees a place offers it at once, so a lapse is all that can wait). Returns
    (lapsed, offered)."""
    now = now or utcnow()
    pending = select(Registration.event_id).where(
        Registration.status.in_((RegistrationStatus.offered, RegistrationStatus.waitlisted)))
    if due_only:
        pending = select(Registration.event_id).where(
            Registration.status == RegistrationStatus.offered,
            Registration.offer_expires_at <= now)
    events = db.session.scalars(select(Event).where(
        Event.id.in_(pending), Event.starts_at > now, Event.status != EventStatus.cancelled)
        .order_by(Event.id)).all()
    lapsed = offered = 0
    for event in events:
        lock_event(event)
        lapsed += expire_offers(event, now)
        offered += fill_from_waitlist(event, now)
    return lapsed, offered


# --- the liaison's decisions -------------------------------------------------------------------


def approve(reg: Registration, by: User | None, now: datetime | None = None) -> None:
    """Approve a held registration: from now on it is like any other (the private address
    goes out at once if its place is confirmed)."""
    now = now or utcnow()
    if not reg.held or not reg.active:
        raise EventError("Only a registration waiting for your decision can be approved.")
    if reg.blocked:
        raise EventError("This registrant is on the screening list's block list. Take them "
                         "off the list first if they may come.")
    reg.held, reg.decided_at = False, now
    db.session.flush()
    record("event.registration_approved", f"Approved registration #{reg.id} for "
           f"{_event(reg).title}", _event(reg), actor=by)
    if reg.status == RegistrationStatus.registered:
        _send_address(reg, now, delay=False)


def decline(reg: Registration, by: User | None, message: str | None = None,
            now: datetime | None = None) -> None:
    """Decline a registration (the registrant gets a short note, with the liaison's message
    if any); a place it held goes to the next in line."""
    now = now or utcnow()
    if not reg.active:
        raise EventError("This registration is no longer active.")
    event = _event(reg)
    lock_event(event)
    reg.status, reg.decided_at = RegistrationStatus.declined, now
    db.session.flush()
    record("event.registration_declined", f"Declined registration #{reg.id} for "
           f"{event.title}", event, actor=by)
    _mail(reg, "declined", f"About your registration for {event.title}",
          message=(message or "").strip())
    fill_from_waitlist(event, now)


def link_contact(reg: Registration, contact_id: int, created: bool, by: User | None) -> None:
    """Remember which contact the liaison made (or found) from this registrant."""
    reg.contact_id = contact_id
    db.session.flush()
    verb = "Added" if created else "Linked"
    record("event.registration_contact", f"{verb} contact #{contact_id} from registration "
           f"#{reg.id}", _event(reg), actor=by)


def contact_details(reg: Registration) -> dict | None:
    """What may become a contact: only when the registrant agreed to stay in touch."""
    if not reg.contact_consent or reg.anonymized_at is not None:
        return None
    return {"name": reg.name, "email": reg.email, "phone": reg.phone,
            "organization": reg.affiliation,
            "source": f"Registered for {_event(reg).title}"[:300]}


# --- reading ----------------------------------------------------------------------------------


def registrations_of(event: Event) -> list[Registration]:
    """Every registration of an event: active ones first (registered, offered, then the
    waitlist in its order), then the rest."""
    rank = {RegistrationStatus.registered: 0, RegistrationStatus.offered: 1,
            RegistrationStatus.waitlisted: 2}
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                              .order_by(Registration.id)).all()
    for reg in rows:
        reg.event = event
    return sorted(rows, key=lambda r: (rank.get(r.status, 3), r.waitlisted_at or r.created_at,
                                       r.name.casefold(), r.id))


def waitlist_position(reg: Registration) -> int | None:
    """The registrant's place in line (1 = next), counting only those who can be offered."""
    if reg.status != RegistrationStatus.waitlisted or reg.waitlisted_at is None:
        return None
    ahead = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == reg.event_id, Registration.blocked.is_(False),
        Registration.status == RegistrationStatus.waitlisted,
        or_(Registration.waitlisted_at < reg.waitlisted_at,
            and_(Registration.waitlisted_at == reg.waitlisted_at, Registration.id < reg.id))))
    return int(ahead or 0) + 1


def held_waiting(limit: int = 20) -> list[Registration]:
    """Active held registrations for events not yet over (for the liaison's digest)."""
    return list(db.session.scalars(
        select(Registration).join(Event, Event.id == Registration.event_id)
        .where(Registration.held.is_(True), Registration.status.in_(ACTIVE),
               Registration.decided_at.is_(None), Event.ends_at > utcnow(),
               Event.status != EventStatus.cancelled)
        .options(selectinload(Registration.event))
        .order_by(Event.starts_at, Registration.id).limit(limit)))


# --- reminders -----------------------------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """Remind registrants whose event is tomorrow (or sooner, not yet reminded): with the
    address where the event keeps it private, except to those still waiting for the
    liaison's decision, who are reminded once approved. Run daily by `flask digest send`."""
    now = now or utcnow()
    tomorrow = local_date(now) + timedelta(days=1)
    until = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=org_zone()) \
        + timedelta(days=1)
    due = db.session.scalars(
        select(Registration).join(Event, Event.id == Registration.event_id)
        .where(Registration.status == RegistrationStatus.registered,
               Registration.blocked.is_(False), Registration.reminded_at.is_(None),
               Registration.anonymized_at.is_(None),
               Event.status != EventStatus.cancelled, Event.starts_at > now,
               Event.starts_at < until,
               or_(Registration.held.is_(False), Event.address_invitees_only.is_(False),
                   Event.address == ""))
        .options(selectinload(Registration.event)).order_by(Registration.id)).all()
    for reg in due:
        reg.reminded_at = now
        with_address = not reg.held
        if with_address and _event(reg).hides_address:
            reg.address_sent_at = min(reg.address_sent_at or now, now)
        _mail(reg, "reminder", f"Reminder: {_event(reg).title} is coming up",
              calendar=_calendar(reg, with_address), with_address=with_address)
    db.session.flush()
    return len(due)


# --- mail ---------------------------------------------------------------------------------------


def _calendar(reg: Registration, with_address: bool) -> tuple[str, str]:
    """The event as the registrant's calendar file: the private address only once they may
    have it; the same UID and SEQUENCE as the event's other files, so it updates, not
    doubles, what they saved from the public page."""
    event = _event(reg)
    ev = vevent(event, public=not with_address, dtstamp=utcnow(),
                description_suffix=f"Your registration: {manage_url(reg)}")
    ev.url = external_url("events_public.event", slug=event.slug)
    return "PUBLISH", ical.calendar([ev], method="PUBLISH")


def _mail(reg: Registration, kind: str, subject: str, calendar=None, **ctx) -> OutboxMessage:
    event = _event(reg)
    context = {
        "reg": reg, "event": event, "when": when_text(event), "org": settings.org_name(),
        "manage_url": manage_url(reg),
        "event_url": external_url("events_public.event", slug=event.slug),
        "offer_until": (local(reg.offer_expires_at).strftime(
                            strftime_format("%A, %B %-d at %-I:%M %p %Z"))
                        if reg.offer_expires_at else ""),
        "with_address": False, **ctx,
    }
    return queue(kind=f"{MAIL_KIND}.{kind}", to=reg.email, to_name=reg.name, subject=subject,
                 text=render_template(f"mail/event_registration/{kind}.txt", **context),
                 calendar=calendar)


def _mail_registered(reg: Registration, now: datetime) -> None:
    """"You're registered" (the same for everyone), then the private address for those who
    may have it."""
    _mail(reg, "registered", f"You're registered: {_event(reg).title}",
          calendar=_calendar(reg, with_address=not _event(reg).hides_address))
    if not reg.held:
        _send_address(reg, now, delay=True)


def _send_address(reg: Registration, now: datetime, delay: bool) -> None:
    """Where the event keeps its address private, send it to a confirmed registrant: a
    separate email, after a short random delay when it follows registering, so that when a
    screened registrant's never comes the timing says nothing."""
    if not _event(reg).hides_address or reg.address_sent_at is not None or reg.blocked:
        return
    message = _mail(reg, "address", f"Where to find us: {_event(reg).title}",
                    calendar=_calendar(reg, with_address=True), with_address=True)
    if delay:
        low, high = current_app.config.get("EVENTS_ADDRESS_DELAY_MINUTES", (5, 30))
        message.next_attempt_at = now + timedelta(minutes=secrets.SystemRandom().uniform(low, high))
    # When it goes: their own page shows the address from then on, not before.
    reg.address_sent_at = message.next_attempt_at
    db.session.flush()


def tell_registrants(event: Event, change: EventChange) -> int:
    """Registrants' part of an event's audience (services.register_audience): everyone who
    registered or waits for a place hears of an update or the cancellation, with the
    calendar file that updates theirs. Held and blocked registrations hear it too, as they
    heard "you're registered"; the private address only goes to those who have it."""
    regs = list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.anonymized_at.is_(None),
        Registration.status.in_(ACTIVE)).order_by(Registration.id)))
    for reg in regs:
        with_address = not event.hides_address or (
            reg.address_sent_at is not None and not reg.held and not reg.blocked
            and reg.status == RegistrationStatus.registered)
        subject = (f"Cancelled: {event.title}" if change.cancelled
                   else f"Changed: {event.title}")
        _mail(reg, "updated", subject, calendar=_calendar(reg, with_address),
              with_address=with_address, change=change)
    return len(regs)


# --- retention ----------------------------------------------------------------------------------


def purge(now: datetime | None = None) -> int:
    """Anonymize registrants `purge_days` after their event ended and drop the registration
    emails sent to them (unless they are registered for something still kept); the audit
    trail gets the count only."""
    now = now or utcnow()
    cutoff = now - timedelta(days=purge_days())
    due = db.session.scalars(
        select(Registration).join(Event, Event.id == Registration.event_id)
        .where(Registration.anonymized_at.is_(None), Event.ends_at < cutoff)).all()
    emails = {r.email.lower() for r in due}
    for reg in due:
        reg.name, reg.email = REMOVED, REMOVED
        reg.phone = reg.affiliation = reg.accessibility = None
        reg.screening = []
        reg.contact_id = None  # an anonymized registration no longer points at anyone
        reg.anonymized_at = now
    db.session.flush()
    kept = {e.lower() for e in db.session.scalars(
        select(Registration.email).where(Registration.anonymized_at.is_(None)))}
    gone = sorted(emails - kept)
    for start in range(0, len(gone), 500):
        db.session.execute(delete(OutboxMessage).where(
            OutboxMessage.kind.like(f"{MAIL_KIND}.%"),
            func.lower(OutboxMessage.recipient).in_(gone[start:start + 500])))
    ratelimit.purge(now)
    db.session.flush()
    record("event.registrations_purged", f"Anonymized {plural(len(due), 'event registrant')}")
    return len(due)

