"""Tours: the verbs. Settings, open slots, requests confirmed by email, seats taken under a
slot lock, per-visitor limits, the lifecycle and its emails, reminders, rate limits,
screening-list upkeep and purging visitors' data.

Services flush and never commit; the view (or CLI command) commits once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import joinedload

from app import ratelimit
from app.audit.models import AuditEvent
from app.audit.services import record
from app.database import utcnow
from app.extensions import db, dialect
from app.mail.models import OutboxMessage
from app.mail.services import queue
from app.people.screening import normalise
from app.settings import clock
from app.settings import services as settings
from app.settings.clock import local_date, org_zone, today
from app.system import visitors
from app.system.ical import uid
from app.system.private_links import link_token, new_nonce, token_hash
from app.system.urls import external_url
from app.system.words import plural
from app.tours import ical
from app.tours.models import (
    HOLDS_SEATS,
    PENDING_FOR,
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
# With approval off, an unscreened request confirms itself this long after the visitor
# confirms their email (uniformly random within the range).
AUTO_CONFIRM_DELAY = (timedelta(minutes=3), timedelta(minutes=15))


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
#
# A public request goes: pending (the visitor must confirm their email; nothing is held, and
# it lapses after PENDING_FOR) → requested (its seats are held; it waits for the liaison, or
# — approval off, nothing screened — for a short random delay) → confirmed. Up to the
# liaison's decision every booker, screened, blocked or not, sees and receives the same.


class SlotFull(Exception):
    """The chosen time has no room (any more) for this group."""

    def __init__(self, message: str, nearest: list[OpenSlot]):
        super().__init__(message)
        self.message = message
        self.nearest = nearest


class OverLimit(Exception):
    """One visitor (an email, an address) would hold more seats than the settings allow."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(Exception):
    """The booking isn't in a state where that can happen."""


class Lapsed(NotAllowed):
    """The visitor didn't confirm their email in time, so the request is void."""


LAPSED = ("This request lapsed because its email wasn't confirmed within an hour. "
          "You're welcome to book again.")


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
    ip: str | None = None  # the address it came from: counted (as an HMAC), never stored


def lock_slot(slot: Slot) -> TourSlot:
    """The slot's row, created if need be and locked until the transaction ends.

    PostgreSQL: INSERT … ON CONFLICT DO NOTHING, then SELECT … FOR UPDATE, so concurrent
    bookings for one time queue on that row. SQLite: write requests already hold the
    database's write lock from BEGIN IMMEDIATE (app/database.py); FOR UPDATE is omitted there.
    """
    if dialect() == "postgresql":
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


def _held_seats(starts_at: datetime, exclude: TourBooking | None = None) -> int:
    query = (select(func.coalesce(func.sum(TourBooking.group_size), 0))
             .join(TourBooking.slot)
             .where(TourSlot.starts_at == starts_at, TourBooking.status.in_(HOLDS_SEATS)))
    if exclude is not None and exclude.id is not None:
        query = query.where(TourBooking.id != exclude.id)
    return int(db.session.scalar(query))


def _check_room(slot: Slot, size: int, s: TourSettings,
                moving: TourBooking | None = None) -> None:
    """Raise SlotFull unless `size` more people fit in the slot right now."""
    left = s.capacity - _held_seats(slot.starts_at, exclude=moving)
    if size > left:
        message = ("That time just filled. Please choose another time."
                   if left <= 0 else
                   "That time no longer has room for a group this size. "
                   "Please choose another time or a smaller group.")
        raise SlotFull(message, nearest_open(slot.starts_at, size, exclude=slot.starts_at))


def _take_seats(slot: Slot, size: int, s: TourSettings,
                moving: TourBooking | None = None) -> TourSlot:
    """Lock the slot and make sure `size` more people fit, or raise SlotFull."""
    row = lock_slot(slot)
    _check_room(slot, size, s, moving)
    return row


def max_group(s: TourSettings) -> int:
    """The largest group one request may bring: a tour's capacity, or what one visitor may
    hold on a tour or in a week, whichever is smallest."""
    return min(s.capacity, s.visitor_seats_per_slot, s.visitor_seats_per_week)


def week_of(moment: datetime) -> tuple[datetime, datetime]:
    """The organization's Monday-to-Sunday week holding `moment`, as UTC bounds."""
    day = local_date(moment)
    monday = day - timedelta(days=day.weekday())
    start = datetime(monday.year, monday.month, monday.day, tzinfo=org_zone())
    return start.astimezone(UTC), (start + timedelta(days=7)).astimezone(UTC)


def _visitor_seats(first: datetime, last: datetime, *, email: str | None,
                   ip_hash: str | None, pending_since: datetime | None,
                   exclude_id: int | None) -> int:
    """Seats that requests from this email or address hold in slots starting in
    [first, last); with `pending_since`, unconfirmed requests made since then count too (a
    lapsed one stops counting the moment it lapses, not when it is purged)."""
    who = []
    if email:
        who.append(func.lower(TourBooking.email) == email.strip().lower())
    if ip_hash:
        who.append(TourBooking.ip_hash == ip_hash)
    if not who:
        return 0
    active = TourBooking.status.in_(HOLDS_SEATS)
    if pending_since is not None:
        active = or_(active, (TourBooking.status == Status.pending)
                     & (TourBooking.created_at > pending_since))
    query = (select(func.coalesce(func.sum(TourBooking.group_size), 0))
             .join(TourBooking.slot)
             .where(TourSlot.starts_at >= first, TourSlot.starts_at < last, or_(*who), active))
    if exclude_id is not None:
        query = query.where(TourBooking.id != exclude_id)
    return int(db.session.scalar(query))


def _check_visitor(slot: Slot, size: int, s: TourSettings, *, email: str | None = None,
                   ip_hash: str | None = None, pending_since: datetime | None = None,
                   exclude_id: int | None = None) -> None:
    """Raise OverLimit if this visitor would hold more than their share of a tour or week.

    The message says only what the settings are, never what anybody holds: at the form it
    is checked by address alone (whoever typed an email may not own it), and by email too
    once its owner has confirmed it."""
    ratelimit.take_turns(f"tours.visitor.email|{(email or '').lower()}" if email else "",
                         f"tours.visitor.ip|{ip_hash}" if ip_hash else "")
    counts = dict(email=email, ip_hash=ip_hash, pending_since=pending_since,
                  exclude_id=exclude_id)
    on_tour = _visitor_seats(slot.starts_at, slot.starts_at + timedelta(seconds=1), **counts)
    in_week = _visitor_seats(*week_of(slot.starts_at), **counts)
    if on_tour + size > s.visitor_seats_per_slot or in_week + size > s.visitor_seats_per_week:
        raise OverLimit(
            f"One visitor can hold up to {_people(s.visitor_seats_per_slot)} on one tour and "
            f"{_people(s.visitor_seats_per_week)} in one week, counting every request from "
            "the same email or network. Please choose a smaller group or another week, or "
            "cancel another request from its email.")


def _people(n: int) -> str:
    return plural(n, "person", "people")


def _token_for(nonce: str) -> str:
    """The manage link's token (app/system/private_links.py): only its hash is stored."""
    return link_token("tours.booking", nonce)


def manage_token(booking: TourBooking) -> str:
    return _token_for(booking.token_nonce)


def booking_for_token(token: str) -> TourBooking | None:
    """The booking a manage link points to (None for an unknown or anonymized one)."""
    if not token or len(token) > 100:
        return None
    booking = db.session.scalar(
        select(TourBooking).options(joinedload(TourBooking.slot))
        .where(TourBooking.token_hash == token_hash(token))
    )
    if booking is None or booking.anonymized_at is not None:
        return None
    return booking


def spend_form_token(nonce: str) -> bool:
    """True the first time the booking form's token `nonce` is sent, False ever after. Kept
    in the database (the rate-limit ledger, for longer than a token lives), so it holds
    across app servers and restarts."""
    rule = ratelimit.Rule("tours.form-token", nonce, 1, timedelta(days=1))
    return not ratelimit.over_limit([rule])


def request_tour(req: BookingRequest, now: datetime | None = None) -> TourBooking:
    """A visitor's request from the public form: the same for everyone, screened, blocked or
    not. The slot's room is checked first (SlotFull), then how much this address already
    asked for (OverLimit); then a pending booking and an email asking the visitor to confirm
    their address. Nothing is held until they do (confirm_email). Screening runs now, for
    the liaison's eyes only."""
    now = now or utcnow()
    s = tour_settings()
    slot = find_slot(req.slot_key, s)
    if slot is None:
        start = parse_key(req.slot_key) or now
        raise SlotFull("That time is no longer offered. Please choose another time.",
                       nearest_open(start, req.group_size))
    _check_room(slot, req.group_size, s)
    ip_hash = ratelimit.key("tours.visitor", req.ip) if req.ip else None
    _check_visitor(slot, req.group_size, s, ip_hash=ip_hash, pending_since=now - PENDING_FOR)
    nonce = new_nonce()
    booking = TourBooking(
        name=req.name, email=req.email.strip(), phone=req.phone or None,
        affiliation=req.affiliation or None, group_size=req.group_size,
        reason=req.reason or None, accessibility=req.accessibility or None,
        contact_consent=req.contact_consent, token_nonce=nonce,
        token_hash=token_hash(_token_for(nonce)), status=Status.pending, ip_hash=ip_hash,
        created_at=now,
    )
    matches = screen_booking(booking)
    booking.screening = [m.as_dict() for m in matches]
    booking.held = bool(matches)
    booking.slot = lock_slot(slot)  # the slot's row; no seat is held yet
    db.session.add(booking)
    db.session.flush()
    record("tours.requested",
           f"Tour booking #{booking.id} requested for {_when(slot.starts_at)} "
           f"({_people(booking.group_size)}); waiting for the visitor to confirm their email",
           booking)
    _mail(booking, "verify", "Please confirm your tour request", settings_=s)
    return booking


def _auto_confirm_at(booking: TourBooking, s: TourSettings, now: datetime) -> datetime | None:
    """With approval off, an unscreened request confirms itself after a short random delay
    (so the answer to the visitor's click is the same as a screened one's); otherwise it
    waits for the liaison."""
    if s.approval_required or booking.held:
        return None
    low, high = AUTO_CONFIRM_DELAY
    spread = int((high - low).total_seconds())
    return now + low + timedelta(seconds=secrets.randbelow(spread + 1))


def confirm_email(booking: TourBooking, now: datetime | None = None) -> bool:
    """The visitor pressed the button on the page their email links to: the request now
    holds its seats (SlotFull or OverLimit when it can't) and waits for the liaison, or —
    approval off, nothing screened — for confirm_due. False when it was already confirmed
    (pressing twice changes nothing); Lapsed after PENDING_FOR."""
    now = now or utcnow()
    if booking.status != Status.pending:
        return False
    if booking.lapsed(now):
        raise Lapsed(LAPSED)
    s = tour_settings()
    slot = find_slot(booking.slot.key, s)
    if slot is None:
        raise SlotFull("That time is no longer offered. Please choose another time.",
                       nearest_open(booking.slot.starts_at, booking.group_size))
    _check_visitor(slot, booking.group_size, s, email=booking.email, ip_hash=booking.ip_hash,
                   exclude_id=booking.id)
    booking.slot = _take_seats(slot, booking.group_size, s, moving=booking)
    booking.status, booking.email_confirmed_at = Status.requested, now
    booking.auto_confirm_at = _auto_confirm_at(booking, s, now)
    db.session.flush()
    record("tours.email_confirmed",
           f"Tour booking #{booking.id}: the visitor confirmed their email; its places are held",
           booking)
    _mail_received(booking, s)
    return True


def confirm_due(now: datetime | None = None) -> int:
    """Confirm the requests whose random delay has passed (approval off, nothing screened).
    Run by the mail worker every few seconds (app/system/periodic.py). A request whose
    settings changed since (approval switched on) or whose tour began waits for the liaison."""
    now = now or utcnow()
    due = db.session.scalars(
        select(TourBooking).options(joinedload(TourBooking.slot))
        .where(TourBooking.status == Status.requested, TourBooking.auto_confirm_at <= now)
        .order_by(TourBooking.auto_confirm_at, TourBooking.id)
    ).all()
    if not due:
        return 0
    s = tour_settings()
    done = 0
    for booking in due:
        booking.auto_confirm_at = None
        if s.approval_required or booking.held or booking.slot.starts_at <= now:
            continue
        confirm(booking, automatic=True, settings_=s)
        done += 1
    db.session.flush()
    return done


# --- lifecycle ------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    return clock.local(moment).strftime("%a %b %-d, %-I:%M %p")


def confirm(booking: TourBooking, *, automatic: bool = False,
            settings_: TourSettings | None = None) -> None:
    """Confirm a requested booking and send the calendar file, address and guidelines."""
    if booking.status != Status.requested:
        raise NotAllowed("Only a requested tour can be confirmed.")
    booking.status, booking.decided_at = Status.confirmed, utcnow()
    booking.auto_confirm_at = None
    booking.sequence += 1  # the calendar entry changes from requested to confirmed
    db.session.flush()
    if automatic:
        record("tours.confirmed",
               f"Tour booking #{booking.id} confirmed automatically (approval is off)",
               booking, actor=_NOBODY)
    else:
        record("tours.confirmed", f"Confirmed tour booking #{booking.id}", booking)
    _mail_confirmed(booking, settings_ or tour_settings())


class _Nobody:
    """The actor of what the app does on its own, even inside someone's request."""

    id = None
    name = "automatic"


_NOBODY = _Nobody()


def decline(booking: TourBooking, message: str | None = None) -> None:
    """Decline a requested booking, optionally with a message to the booker; the calendar
    entry sent with "request received" is withdrawn."""
    if booking.status != Status.requested:
        raise NotAllowed("Only a requested tour can be declined.")
    booking.status, booking.decided_at = Status.declined, utcnow()
    booking.auto_confirm_at = None
    booking.decision_message = (message or "").strip() or None
    booking.sequence += 1
    db.session.flush()
    record("tours.declined", f"Declined tour booking #{booking.id}", booking)
    _mail(booking, "declined", "About your tour request", calendar=_cancel_calendar(booking))


def cancel(booking: TourBooking, by_booker: bool) -> None:
    """Cancel a booking (by the booker, or by staff). A booker's cancellation reaches the
    liaison (app/system/visitors.py); one made before confirming the email is just dropped."""
    if booking.status == Status.pending and by_booker:
        booking.status = Status.cancelled
        db.session.flush()
        record("tours.cancelled",
               f"Tour booking #{booking.id} withdrawn by the visitor before confirming "
               "their email", booking)
        return
    if booking.status not in HOLDS_SEATS:
        raise NotAllowed("This tour is not active, so there is nothing to cancel.")
    booking.status = Status.cancelled
    booking.auto_confirm_at = None
    booking.sequence += 1
    db.session.flush()
    who = "the visitor" if by_booker else "staff"
    record("tours.cancelled", f"Tour booking #{booking.id} cancelled by {who}", booking)
    _mail(booking, "cancelled", "Your tour is cancelled", calendar=_cancel_calendar(booking),
          by_booker=by_booker)
    if by_booker:
        when = _when(booking.slot.starts_at)
        _tell_liaison(booking, "tours.cancelled",
                      f"cancelled tour booking #{booking.id} ({when}, "
                      f"{_people(booking.group_size)}).",
                      f"Tour cancelled by the visitor: {when}")


def _tell_liaison(booking: TourBooking, kind: str, what: str, subject: str) -> None:
    """A visitor's own change reaches the liaison: "<name> <what>", with the booking's page."""
    visitors.note_change(kind, f"{booking.name} {what}",
                         external_url("tours.show", booking_id=booking.id), subject=subject)


def record_attendance(booking: TourBooking, attended: bool) -> None:
    """Mark a confirmed (or already marked) booking as attended or no-show, once it began."""
    if booking.status not in (Status.confirmed, Status.attended, Status.no_show):
        raise NotAllowed("Only a confirmed tour can have attendance.")
    if booking.slot.starts_at > utcnow():
        raise NotAllowed("Attendance can be recorded once the tour has started.")
    booking.status = Status.attended if attended else Status.no_show
    db.session.flush()
    record("tours.attendance", f"Tour booking #{booking.id}: {booking.status.label}", booking)


def reschedule(booking: TourBooking, slot_key: str, now: datetime | None = None) -> None:
    """The booker moves their booking to another open slot (SlotFull / OverLimit when it
    can't go there). A request not yet email-confirmed just changes its time. Otherwise the
    seats move, and the booking is a request again, for everyone alike: it waits for the
    liaison (approval on, or screened), or confirms itself after a short random delay. The
    liaison hears of it (app/system/visitors.py)."""
    now = now or utcnow()
    if booking.status == Status.pending and booking.lapsed(now):
        raise Lapsed(LAPSED)
    if booking.status not in (Status.pending, *HOLDS_SEATS):
        raise NotAllowed("This tour is not active, so it can't be moved.")
    s = tour_settings()
    slot = find_slot(slot_key, s)
    if slot is None:
        raise SlotFull("That time is no longer offered. Please choose another time.",
                       nearest_open(parse_key(slot_key) or now, booking.group_size))
    old = booking.slot.starts_at
    if slot.starts_at == old:
        return
    if booking.status == Status.pending:
        _check_room(slot, booking.group_size, s)
        booking.slot = lock_slot(slot)
        db.session.flush()
        record("tours.rescheduled", f"Tour booking #{booking.id} moved by the visitor from "
                                    f"{_when(old)} to {_when(slot.starts_at)}", booking)
        return
    _check_visitor(slot, booking.group_size, s, email=booking.email, ip_hash=booking.ip_hash,
                   exclude_id=booking.id)
    booking.slot = _take_seats(slot, booking.group_size, s, moving=booking)
    was = booking.status
    booking.status, booking.decided_at = Status.requested, None
    booking.auto_confirm_at = _auto_confirm_at(booking, s, now)
    booking.sequence += 1
    booking.reminded_at = None
    db.session.flush()
    review = " It waits for review again." if (was == Status.confirmed
                                                and booking.auto_confirm_at is None) else ""
    record("tours.rescheduled", f"Tour booking #{booking.id} moved by the visitor from "
                                f"{_when(old)} to {_when(slot.starts_at)}.{review}", booking)
    _mail_received(booking, s, moved=True)
    _tell_liaison(booking, "tours.rescheduled",
                  f"moved tour booking #{booking.id} ({_people(booking.group_size)}) from "
                  f"{_when(old)} to {_when(slot.starts_at)}.{review}",
                  f"Tour moved by the visitor: {_when(old)} → {_when(slot.starts_at)}")


def history(booking: TourBooking) -> list[AuditEvent]:
    """What happened to a booking, oldest first: the audit trail's entries about it."""
    return list(db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == TourBooking.__tablename__,
               AuditEvent.object_id == booking.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ))


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
        record("tours.reminders", f"Sent {plural(len(due), 'tour reminder')}")
    return len(due)


# --- mail -----------------------------------------------------------------------------------


def booking_uid(booking_id: int, host: str | None = None) -> str:
    """The booking's calendar UID: the same in the booker's mail and in staff feeds, for the
    booking's whole life, so an updated file replaces the earlier one."""
    return uid("tour-booking", booking_id, host)


def manage_url(booking: TourBooking) -> str:
    """The booker's own page (the same link from a request, a CLI job or the worker)."""
    return external_url("tours_public.booking", token=manage_token(booking))


def booking_calendar(booking: TourBooking, s: TourSettings | None = None) -> str | None:
    """The booker's calendar file as the booking stands: tentative while it is a request
    (no address yet), confirmed with the address, None when it holds no seats."""
    if booking.status not in HOLDS_SEATS:
        return None
    s = s or tour_settings()
    confirmed = booking.status == Status.confirmed
    return ical.booking_calendar(
        booking, uid=booking_uid(booking.id), address=s.address if confirmed else "",
        guidelines=s.guidelines, manage_url=manage_url(booking), tentative=not confirmed)


def _cancel_calendar(booking: TourBooking) -> tuple[str, str] | None:
    """Withdraws the entry sent earlier (every email-confirmed request was sent one)."""
    if booking.email_confirmed_at is None:
        return None
    return ("CANCEL", ical.booking_calendar(booking, uid=booking_uid(booking.id), address="",
                                            guidelines="", manage_url=None, cancelled=True))


def _mail(booking: TourBooking, kind: str, subject: str, calendar=None,
          settings_: TourSettings | None = None, **ctx) -> None:
    s = settings_ or tour_settings()
    context = {"booking": booking, "settings": s, "manage_url": manage_url(booking),
               "book_url": external_url("tours_public.index"), "org": settings.org_name(),
               "pending_minutes": int(PENDING_FOR.total_seconds() // 60), **ctx}
    queue(
        kind=f"tours.{kind}", to=booking.email, to_name=booking.name, subject=subject,
        text=render_template(f"mail/tours/{kind}.txt", **context), calendar=calendar,
    )


def _mail_received(booking: TourBooking, s: TourSettings, moved: bool = False) -> None:
    """"Request received" (or "new time received"): the time, the link and a tentative
    calendar entry. Every booker gets exactly this, screened or not."""
    _mail(booking, "received",
          "We received your new tour time" if moved else "We received your tour request",
          calendar=("PUBLISH", booking_calendar(booking, s)), settings_=s, moved=moved)


def _mail_confirmed(booking: TourBooking, s: TourSettings,
                    subject: str = "Your tour is confirmed") -> None:
    _mail(booking, "confirmed", subject, calendar=("PUBLISH", booking_calendar(booking, s)),
          settings_=s)


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


UNCONFIRMED_KEEP = timedelta(days=1)


def purge_bookers(now: datetime | None = None) -> int:
    """Anonymize bookers' personal data `purge_days` after their tour, and drop the tour
    emails sent to them; delete requests whose email was never confirmed a day after they
    were made (whoever typed that email may not own it), with their "please confirm"
    emails. The audit trail gets the count only."""
    now = now or utcnow()
    unconfirmed = (TourBooking.email_confirmed_at.is_(None)
                   & TourBooking.status.in_([Status.pending, Status.cancelled])
                   & (TourBooking.created_at < now - UNCONFIRMED_KEEP))
    db.session.execute(delete(TourBooking).where(unconfirmed)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.kind == "tours.verify", OutboxMessage.created_at < now - UNCONFIRMED_KEEP))
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
        booking.ip_hash = None
        booking.contact_id = None  # an anonymized booking no longer points at anyone
        booking.anonymized_at = now
    for chunk in _chunks(sorted(emails), 500):
        db.session.execute(
            delete(OutboxMessage).where(OutboxMessage.kind.like("tours.%"),
                                        OutboxMessage.recipient.in_(chunk))
        )
    ratelimit.purge(now)
    db.session.flush()
    record("tours.purged", f"Anonymized {plural(len(due), 'tour booker')}")
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
    """What may become a contact, only when the booker agreed to stay in touch and showed
    the email is theirs."""
    if (not booking.contact_consent or booking.anonymized_at is not None
            or booking.email_confirmed_at is None):
        return None
    return {"name": booking.name, "email": booking.email, "phone": booking.phone,
            "organization": booking.affiliation, "source": f"Tour booking #{booking.id}"}

