"""Tours: the verbs. Settings, open slots, booking under a slot lock, the lifecycle and its
emails, reminders, rate limits, screening-list upkeep and purging visitors' data.

Services flush and never commit; the view (or CLI command) commits once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from app import ratelimit
from app.audit.services import record
from app.database import utcnow
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.services import queue
from app.people.screening import normalise
from app.settings import services as settings
from app.settings.clock import local_date, org_zone, today
from app.system.ical import uid
from app.system.urls import external_url
from app.tours import ical
from app.tours.models import (
    HOLDS_SEATS,
    ScreenAction,
    ScreenKind,
    Status,
    TourBooking,
    TourScreen,
    TourSlot,
)
from app.tours.schedule import Slot, TourSettings, conflicts, parse_key, slots
from app.tours.screening import screen_booking

SETTINGS_KEY = "tours"


# --- settings ---------------------------------------------------------------------------


def tour_settings() -> TourSettings:
    """The organization's tour settings (defaults until the liaison saves some)."""
    return TourSettings.from_json(settings.get(SETTINGS_KEY))


def save_settings(new: TourSettings) -> list[str]:
    """Store the settings unless a slot would fall in service hours ± buffer; returns the
    problems (nothing is stored when there are any)."""
    problems = conflicts(new)
    if not problems:
        settings.put(SETTINGS_KEY, new.to_json())
        record("tours.settings", "Changed tour settings")
    return problems


# --- open slots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenSlot:
    slot: Slot
    seats_left: int


def seats_taken(first: datetime, last: datetime) -> dict[datetime, int]:
    """Seats held by requested or confirmed bookings, by slot start, in one query."""
    rows = db.session.execute(
        select(TourSlot.starts_at, func.coalesce(func.sum(TourBooking.group_size), 0))
        .join(TourBooking, TourBooking.slot_id == TourSlot.id)
        .where(TourSlot.starts_at >= first, TourSlot.starts_at <= last)
        .where(TourBooking.status.in_(HOLDS_SEATS))
        .group_by(TourSlot.starts_at)
    ).all()
    return {starts_at: int(taken) for starts_at, taken in rows}


def open_slots(first: date, last: date, s: TourSettings | None = None,
               now: datetime | None = None) -> list[OpenSlot]:
    """Bookable slots on local dates first..last, with at least one seat left."""
    s = s or tour_settings()
    candidates = slots(s, org_zone(), first, last, now or utcnow())
    if not candidates:
        return []
    taken = seats_taken(candidates[0].starts_at, candidates[-1].starts_at)
    out = []
    for slot in candidates:
        left = s.capacity - taken.get(slot.starts_at, 0)
        if left > 0:
            out.append(OpenSlot(slot, left))
    return out


def find_slot(key: str, s: TourSettings | None = None) -> Slot | None:
    """The offered slot named by `key` (its UTC start), if it is still offered."""
    s = s or tour_settings()
    start = parse_key(key)
    if start is None:
        return None
    day = local_date(start)
    return next((x for x in slots(s, org_zone(), day, day, utcnow()) if x.starts_at == start),
                None)


def nearest_open(around: datetime, size: int = 1, n: int = 3,
                 exclude: datetime | None = None) -> list[OpenSlot]:
    """The n open slots closest in time to `around` that fit `size` people."""
    s = tour_settings()
    candidates = [o for o in open_slots(today(), today() + timedelta(days=s.horizon_days), s)
                  if o.seats_left >= size and o.slot.starts_at != exclude]
    candidates.sort(key=lambda o: abs((o.slot.starts_at - around).total_seconds()))
    return sorted(candidates[:n], key=lambda o: o.slot.starts_at)


# --- booking ------------------------------------------------------------------------------


class SlotFull(Exception):
    """The chosen time has no room (any more) for this group."""

    def __init__(self, message: str, nearest: list[OpenSlot]):
        super().__init__(message)
        self.message = message
        self.nearest = nearest


@dataclass
class BookingRequest:
    """What a visitor sent, already validated by the form."""

    slot_key: str
    name: str
    email: str
    phone: str | None = None
    affiliation: str | None = None
    group_size: int = 1
    reason: str | None = None
    accessibility: str | None = None
    contact_consent: bool = False


def lock_slot(slot: Slot) -> TourSlot:
    """The slot's row, created if need be and locked until the transaction ends.

    PostgreSQL: INSERT … ON CONFLICT DO NOTHING, then SELECT … FOR UPDATE, so concurrent
    bookings for one time queue on that row. SQLite: write requests already hold the
    database's write lock from BEGIN IMMEDIATE (app/database.py); FOR UPDATE is omitted there.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(TourSlot)
        .values(starts_at=slot.starts_at, ends_at=slot.ends_at)
        .on_conflict_do_nothing(index_elements=["starts_at"])
    )
    return db.session.scalars(
        select(TourSlot).where(TourSlot.starts_at == slot.starts_at)
        .with_for_update().execution_options(populate_existing=True)
    ).one()


def _held_seats(slot_row: TourSlot, exclude: TourBooking | None = None) -> int:
    query = (select(func.coalesce(func.sum(TourBooking.group_size), 0))
             .where(TourBooking.slot_id == slot_row.id, TourBooking.status.in_(HOLDS_SEATS)))
    if exclude is not None and exclude.id is not None:
        query = query.where(TourBooking.id != exclude.id)
    return int(db.session.scalar(query))


def _take_seats(slot: Slot, size: int, s: TourSettings,
                moving: TourBooking | None = None) -> TourSlot:
    """Lock the slot and make sure `size` more people fit, or raise SlotFull."""
    row = lock_slot(slot)
    left = s.capacity - _held_seats(row, exclude=moving)
    if size > left:
        message = ("That time just filled. Please choose another time."
                   if left <= 0 else
                   "That time no longer has room for a group this size. "
                   "Please choose another time or a smaller group.")
        raise SlotFull(message, nearest_open(slot.starts_at, size, exclude=slot.starts_at))
    return row


def _token_for(nonce: str) -> str:
    """The manage link's token, derived from a per-booking nonce and the app's secret so it
    can be put in every email; only its hash is stored and looked up."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"tours.booking|{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def manage_token(booking: TourBooking) -> str:
    return _token_for(booking.token_nonce)


def booking_for_token(token: str) -> TourBooking | None:
    """The booking a manage link points to (None for an unknown or anonymized one)."""
    if not token or len(token) > 100:
        return None
    booking = db.session.scalar(
        select(TourBooking).options(joinedload(TourBooking.slot))
        .where(TourBooking.token_hash == _hash(token))
    )
    if booking is None or booking.anonymized_at is not None:
        return None
    return booking


@dataclass
class BookingOutcome:
    booking: TourBooking | None  # None when the booker is blocked: no tour, same answer


def book_tour(req: BookingRequest) -> BookingOutcome:
    """Book a visitor into a slot (raises SlotFull when it has no room). Screened bookers are
    held for approval; blocked ones get nothing, silently."""
    s = tour_settings()
    slot = find_slot(req.slot_key, s)
    if slot is None:
        start = parse_key(req.slot_key) or utcnow()
        raise SlotFull("That time is no longer offered. Please choose another time.",
                       nearest_open(start, req.group_size))
    nonce = secrets.token_urlsafe(24)
    booking = TourBooking(
        name=req.name, email=req.email.strip(), phone=req.phone or None,
        affiliation=req.affiliation or None, group_size=req.group_size,
        reason=req.reason or None, accessibility=req.accessibility or None,
        contact_consent=req.contact_consent, token_nonce=nonce,
        token_hash=_hash(_token_for(nonce)), status=Status.requested,
    )
    matches = screen_booking(booking)
    if any(m.block for m in matches):
        record("tours.blocked", "Turned away a tour request from a blocked booker")
        return BookingOutcome(None)
    booking.slot = _take_seats(slot, req.group_size, s)
    booking.screening = [m.as_dict() for m in matches]
    booking.held = bool(matches)
    if not s.approval_required and not booking.held:
        booking.status, booking.decided_at = Status.confirmed, utcnow()
    db.session.add(booking)
    db.session.flush()
    record("tours.requested", f"Tour request #{booking.id} ({booking.group_size} people)",
           booking)
    if booking.status == Status.confirmed:
        _mail_confirmed(booking, s)
    else:
        _mail(booking, "received", "We received your tour request")
    return BookingOutcome(booking)


# --- lifecycle ------------------------------------------------------------------------------


class NotAllowed(Exception):
    """The booking isn't in a state where that can happen."""


def confirm(booking: TourBooking) -> None:
    """Confirm a requested booking and send the calendar file, address and guidelines."""
    if booking.status != Status.requested:
        raise NotAllowed("Only a requested tour can be confirmed.")
    booking.status, booking.decided_at = Status.confirmed, utcnow()
    db.session.flush()
    record("tours.confirmed", f"Confirmed tour booking #{booking.id}", booking)
    _mail_confirmed(booking, tour_settings())


def decline(booking: TourBooking, message: str | None = None) -> None:
    """Decline a requested booking, optionally with a message to the booker."""
    if booking.status != Status.requested:
        raise NotAllowed("Only a requested tour can be declined.")
    booking.status, booking.decided_at = Status.declined, utcnow()
    booking.decision_message = (message or "").strip() or None
    db.session.flush()
    record("tours.declined", f"Declined tour booking #{booking.id}", booking)
    _mail(booking, "declined", "About your tour request")


def cancel(booking: TourBooking, by_booker: bool) -> None:
    """Cancel a requested or confirmed booking (by the booker, or by staff)."""
    if booking.status not in HOLDS_SEATS:
        raise NotAllowed("This tour is not active, so there is nothing to cancel.")
    was_confirmed = booking.status == Status.confirmed
    booking.status = Status.cancelled
    booking.sequence += 1
    db.session.flush()
    who = "the booker" if by_booker else "staff"
    record("tours.cancelled", f"Tour booking #{booking.id} cancelled by {who}", booking)
    calendar = None
    if was_confirmed:
        s = tour_settings()
        calendar = ("CANCEL", ical.booking_calendar(
            booking, uid=booking_uid(booking.id), address=s.address, guidelines="",
            manage_url=None, cancelled=True))
    _mail(booking, "cancelled", "Your tour is cancelled", calendar=calendar, by_booker=by_booker)


def record_attendance(booking: TourBooking, attended: bool) -> None:
    """Mark a confirmed (or already marked) booking as attended or no-show, once it began."""
    if booking.status not in (Status.confirmed, Status.attended, Status.no_show):
        raise NotAllowed("Only a confirmed tour can have attendance.")
    if booking.slot.starts_at > utcnow():
        raise NotAllowed("Attendance can be recorded once the tour has started.")
    booking.status = Status.attended if attended else Status.no_show
    db.session.flush()
    record("tours.attendance", f"Tour booking #{booking.id}: {booking.status.label}", booking)


def reschedule(booking: TourBooking, slot_key: str) -> None:
    """Move an active booking to another open slot (raises SlotFull if it has no room)."""
    if booking.status not in HOLDS_SEATS:
        raise NotAllowed("This tour is not active, so it can't be moved.")
    s = tour_settings()
    slot = find_slot(slot_key, s)
    if slot is None:
        raise SlotFull("That time is no longer offered. Please choose another time.",
                       nearest_open(parse_key(slot_key) or utcnow(), booking.group_size))
    if slot.starts_at == booking.slot.starts_at:
        return
    booking.slot = _take_seats(slot, booking.group_size, s, moving=booking)
    booking.sequence += 1
    booking.reminded_at = None
    db.session.flush()
    record("tours.rescheduled", f"Tour booking #{booking.id} moved by the booker", booking)
    if booking.status == Status.confirmed:
        _mail_confirmed(booking, s, subject="Your tour has a new time")
    else:
        _mail(booking, "received", "We received your new tour time")


def send_reminders(now: datetime | None = None) -> int:
    """Remind confirmed bookers whose tour is tomorrow (or sooner and not yet reminded)."""
    now = now or utcnow()
    zone = org_zone()
    tomorrow = local_date(now) + timedelta(days=1)
    until = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=zone) + timedelta(days=1)
    due = db.session.scalars(
        select(TourBooking).join(TourBooking.slot).options(joinedload(TourBooking.slot))
        .where(TourBooking.status == Status.confirmed, TourBooking.reminded_at.is_(None))
        .where(TourSlot.starts_at > now, TourSlot.starts_at < until)
    ).all()
    s = tour_settings()
    for booking in due:
        booking.reminded_at = now
        _mail(booking, "reminder", "Reminder: your tour is coming up", settings_=s)
    db.session.flush()
    if due:
        record("tours.reminders", f"Sent {len(due)} tour reminder(s)")
    return len(due)


# --- mail -----------------------------------------------------------------------------------


def booking_uid(booking_id: int, host: str | None = None) -> str:
    """The booking's calendar UID: the same in the booker's mail and in staff feeds, for the
    booking's whole life, so an updated file replaces the earlier one."""
    return uid("tour-booking", booking_id, host)


def manage_url(booking: TourBooking) -> str:
    """The booker's own page (the same link from a request, a CLI job or the worker)."""
    return external_url("tours_public.booking", token=manage_token(booking))


def _mail(booking: TourBooking, kind: str, subject: str, calendar=None,
          settings_: TourSettings | None = None, **ctx) -> None:
    s = settings_ or tour_settings()
    context = {"booking": booking, "settings": s, "manage_url": manage_url(booking),
               "org": settings.org_name(), **ctx}
    queue(
        kind=f"tours.{kind}", to=booking.email, to_name=booking.name, subject=subject,
        text=render_template(f"mail/tours/{kind}.txt", **context), calendar=calendar,
    )


def _mail_confirmed(booking: TourBooking, s: TourSettings,
                    subject: str = "Your tour is confirmed") -> None:
    link = manage_url(booking)
    ics = ical.booking_calendar(booking, uid=booking_uid(booking.id), address=s.address,
                                guidelines=s.guidelines, manage_url=link)
    _mail(booking, "confirmed", subject, calendar=("PUBLISH", ics), settings_=s)


# --- rate limits ------------------------------------------------------------------------------


def over_rate_limit(ip: str | None, email: str) -> bool:
    """True when this IP or email has sent too many requests lately; otherwise counts this
    one. Held in the database so every app process shares the same count."""
    cfg = current_app.config
    return ratelimit.over_limit([
        ratelimit.Rule("ip", ip or "?", cfg.get("TOURS_RATE_PER_IP", 10), timedelta(hours=1)),
        ratelimit.Rule("email", normalise(email), cfg.get("TOURS_RATE_PER_EMAIL", 5),
                       timedelta(days=1)),
    ])


# --- screening list ---------------------------------------------------------------------------


def add_screen(kind: ScreenKind, value: str, action: ScreenAction) -> TourScreen:
    """Add (or change the action of) a screening-list entry."""
    value = normalise(value).lstrip("@") if kind == ScreenKind.domain else normalise(value)
    row = db.session.scalar(select(TourScreen).where(TourScreen.kind == kind,
                                                     TourScreen.value == value))
    if row is None:
        row = TourScreen(kind=kind, value=value, action=action)
        db.session.add(row)
    else:
        row.action = action
    db.session.flush()
    record("tours.screen", f"Screening list: {action.value} by {kind.value}", row)
    return row


def remove_screen(row: TourScreen) -> None:
    """Take an entry off the screening list."""
    record("tours.screen", f"Screening list: removed a {row.kind.value} entry", row)
    db.session.delete(row)
    db.session.flush()


# --- privacy ----------------------------------------------------------------------------------


REMOVED = "(removed)"


def purge_bookers(now: datetime | None = None) -> int:
    """Anonymize bookers' personal data `purge_days` after their tour, and drop the tour
    emails sent to them; the audit trail gets the count only."""
    now = now or utcnow()
    cutoff = now - timedelta(days=tour_settings().purge_days)
    due = db.session.scalars(
        select(TourBooking).join(TourBooking.slot)
        .where(TourBooking.anonymized_at.is_(None), TourSlot.ends_at < cutoff)
    ).all()
    emails = {b.email for b in due}
    for booking in due:
        booking.name, booking.email = REMOVED, REMOVED
        booking.phone = booking.affiliation = booking.reason = None
        booking.accessibility = booking.decision_message = None
        booking.screening = []
        booking.contact_id = None  # an anonymized booking no longer points at anyone
        booking.anonymized_at = now
    for chunk in _chunks(sorted(emails), 500):
        db.session.execute(
            delete(OutboxMessage).where(OutboxMessage.kind.like("tours.%"),
                                        OutboxMessage.recipient.in_(chunk))
        )
    ratelimit.purge(now)
    db.session.flush()
    record("tours.purged", f"Anonymized {len(due)} tour booker(s)")
    return len(due)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def link_contact(booking: TourBooking, contact_id: int, created: bool) -> None:
    """Remember which contact the liaison made (or found) from this booker."""
    booking.contact_id = contact_id
    db.session.flush()
    verb = "Added" if created else "Linked"
    record("tours.contact", f"{verb} contact #{contact_id} from tour booking #{booking.id}",
           booking)


def booker_contact_details(booking: TourBooking) -> dict | None:
    """What may become a contact, only when the booker agreed to stay in touch."""
    if not booking.contact_consent or booking.anonymized_at is not None:
        return None
    return {"name": booking.name, "email": booking.email, "phone": booking.phone,
            "organization": booking.affiliation, "source": f"Tour booking #{booking.id}"}

