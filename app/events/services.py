"""Events' verbs: save, cancel, invite, answer, remind, digest, and calendar files."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import parseaddr

from flask import current_app, render_template
from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import ical, urls
from app.audit.services import record
from app.auth.models import User
from app.clock import org_zone
from app.clock import today as org_today
from app.database import utcnow
from app.events.models import (
    Answer,
    Attendance,
    DigestSent,
    Event,
    EventHost,
    EventStatus,
    Invitation,
)
from app.extensions import db
from app.mail.services import clean_header, queue
from app.notes.models import Commitment, CommitmentStatus
from app.people.models import Contact, Sphere, Stance
from app.settings import services as settings
from app.urls import external_url

# Changes to these fields matter to invitees: SEQUENCE grows and invitees get an update.
SIGNIFICANT = ("title", "starts_at", "ends_at", "location", "address", "description", "status")
REMINDER_DAYS_KEY = "events.reminder_days"
DEFAULT_REMINDER_DAYS = 2


class EventError(ValueError):
    """A request the event's state does not allow (answering after it started, …)."""


# --- events ----------------------------------------------------------------------------------


def new_uid() -> str:
    return ical.new_uid("event")


def save_event(event: Event | None, data: dict, *, hosts: list[int], speakers: list[int],
               by: User | None) -> Event:
    """Create or change an event. A change that matters to invitees bumps SEQUENCE and
    re-sends the invitation to everyone who has not declined."""
    creating = event is None
    if event is None:
        event = Event(uid=new_uid(), sequence=0, created_by_id=getattr(by, "id", None))
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
        _send_to_invitees(event, "REQUEST", skip_declined=True)
        record("event.update", f"Changed event {event.title}: {', '.join(changed)}", event)
    return event


def cancel_event(event: Event) -> None:
    """Cancel: SEQUENCE+1, STATUS:CANCELLED, and a METHOD:CANCEL to every invitee."""
    if event.cancelled:
        return
    event.status = EventStatus.cancelled
    event.sequence += 1
    db.session.flush()
    _send_to_invitees(event, "CANCEL", skip_declined=False)
    record("event.cancel", f"Cancelled event {event.title}", event)


def hosts_of(event: Event) -> list[EventHost]:
    return db.session.scalars(
        select(EventHost).where(EventHost.event_id == event.id)
        .options(selectinload(EventHost.user), selectinload(EventHost.contact))
        .order_by(EventHost.id)
    ).all()


# --- calendar files --------------------------------------------------------------------------

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


def public_feed() -> tuple[str, int]:
    """Public events (open houses and others marked public), from 90 days ago on."""
    since = utcnow() - timedelta(days=90)
    rows = db.session.execute(
        select(Event.uid, Event.starts_at, Event.ends_at, Event.title, Event.sequence,
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
            status=_STATUS[r.status], categories=(r.kind.label,),
        )
        for r in rows
    ]
    name = f"{current_app.config['ORG_NAME']} — public events"
    return ical.calendar(events, name=name, feed=True), len(events)


def private_feed(user: User) -> str:
    """A staff member's feed: every event (no attendees), confirmed tours (as "Tour (N
    people)": never a visitor's name or details) and their open commitments as all-day
    items."""
    since = utcnow() - timedelta(days=90)
    events = db.session.scalars(
        select(Event).where(Event.ends_at >= since).order_by(Event.starts_at)
    ).all()
    items = [vevent(e) for e in events]
    commitments = db.session.scalars(
        select(Commitment).where(Commitment.owner_id == user.id,
                                 Commitment.status == CommitmentStatus.open)
        .order_by(Commitment.due_on)
    ).all()
    host = urls.host()
    for c in commitments:
        start, end = ical.all_day(c.due_on)
        items.append(ical.VEvent(
            uid=ical.uid("commitment", c.id, host), start=start, end=end,
            summary=f"Due: {c.what}", dtstamp=c.created_at, categories=("Commitment",),
            transparent=True,
        ))
    items.extend(_tour_items(user, since, host))
    name = f"{current_app.config['ORG_NAME']} — {user.name}"
    return ical.calendar(items, name=name, feed=True)


def _tour_items(user: User, since: datetime, host: str) -> list[ical.VEvent]:
    """Confirmed tours (and ones cancelled after confirmation, so calendars drop them).
    Calendar files leave the app, so they say only how many people come; the link opens
    the booking for those who may see it (the liaison)."""
    from app.tours.models import Status, TourBooking, TourSlot
    from app.tours.services import booking_uid

    rows = db.session.execute(
        select(TourBooking.id, TourBooking.group_size, TourBooking.status,
               TourBooking.sequence, TourBooking.created_at, TourBooking.decided_at,
               TourSlot.starts_at, TourSlot.ends_at)
        .join(TourSlot, TourBooking.slot_id == TourSlot.id)
        .where(TourSlot.ends_at >= since, TourBooking.decided_at.is_not(None),
               TourBooking.status.in_([Status.confirmed, Status.attended, Status.no_show,
                                       Status.cancelled]))
        .order_by(TourSlot.starts_at, TourBooking.id)
    ).all()
    with_link = user.can("liaison")
    items = []
    for r in rows:
        people = f"{r.group_size} {'person' if r.group_size == 1 else 'people'}"
        items.append(ical.VEvent(
            uid=booking_uid(r.id, host), start=r.starts_at, end=r.ends_at,
            summary=f"Tour ({people})", dtstamp=r.decided_at or r.created_at,
            sequence=r.sequence, categories=("Tour",),
            status="CANCELLED" if r.status == Status.cancelled else "CONFIRMED",
            url=external_url("tours.show", booking_id=r.id) if with_link else "",
        ))
    return items


def etag(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:32]


# --- private feed tokens -----------------------------------------------------------------------


def _feed_key(user_id: int) -> str:
    return f"calendar_feed.{user_id}"


def feed_token(user: User) -> str:
    """The user's feed token: derived from the secret key and a version (never stored);
    regenerating bumps the version, which retires every old link."""
    version = settings.get(_feed_key(user.id), 1)
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), f"feed:{user.id}:{version}".encode(),
                   hashlib.sha256).hexdigest()[:40]
    return f"{user.id}-{mac}"


def regenerate_feed_token(user: User) -> None:
    """Retire the old private feed link and make a new one."""
    settings.put(_feed_key(user.id), settings.get(_feed_key(user.id), 1) + 1)
    record("calendar.feed_regenerated", "Regenerated a private calendar feed link", user)


def user_for_feed_token(token: str) -> User | None:
    user_id, _, _mac = token.partition("-")
    # ASCII digits only, and within an integer column's range: str.isdigit() accepts "²"
    # (int() then raises) and a 20-digit id overflows PostgreSQL's integer, both a 500.
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 9):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(feed_token(user), token) else None


# --- invitations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A contact in the invite preview: the address we would use, or why we won't."""

    contact: Contact
    email: str | None
    reason: str | None  # None = will be invited

    @property
    def eligible(self) -> bool:
        return self.reason is None


def candidates(event: Event, *, stance: str = "", tag: str = "", sphere: str = "",
               organization_id: int | None = None, q: str = "",
               contact_ids: list[int] | None = None, limit: int = 500) -> list[Candidate]:
    """Contacts matching the filters, each either eligible or excluded with a reason."""
    query = select(Contact).where(Contact.archived_at.is_(None))
    filtered = False
    if stance in Stance.__members__:
        query, filtered = query.where(Contact.stance == Stance(stance)), True
    if sphere in Sphere.__members__:
        query, filtered = query.where(Contact.sphere == Sphere(sphere)), True
    if tag.strip():
        t = tag.strip().lower()
        query = query.where((Contact.tags == t) | Contact.tags.like(f"{t},%")
                            | Contact.tags.like(f"%,{t}") | Contact.tags.like(f"%,{t},%"))
        filtered = True
    if organization_id:
        query, filtered = query.where(Contact.organization_id == organization_id), True
    if q.strip():
        like = f"%{q.strip().lower()}%"
        query = query.where(func.lower(Contact.first_name + " " + Contact.last_name).like(like))
        filtered = True
    if contact_ids is not None:
        query, filtered = query.where(Contact.id.in_(contact_ids)), True
    if not filtered:
        return []
    contacts = db.session.scalars(
        query.options(selectinload(Contact.emails)).order_by(Contact.sort_name, Contact.id)
        .limit(limit)
    ).all()
    invited = set(db.session.scalars(
        select(Invitation.contact_id).where(Invitation.event_id == event.id)
    ))
    out = []
    for c in contacts:
        email = c.emails[0].email if c.emails else None
        if c.do_not_contact:
            reason = "Asked not to be contacted"
        elif not email:
            reason = "No email address"
        elif c.id in invited:
            reason = "Already invited"
        else:
            reason = None
        out.append(Candidate(c, email, reason))
    return out


def rsvp_token(invitation: Invitation) -> str:
    """The RSVP link's token, derived from the invitation's nonce and the secret key."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(),
                    f"rsvp:{invitation.nonce}".encode(), hashlib.sha256).hexdigest()[:43]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
        .options(selectinload(Invitation.event))
    )


def invite(event: Event, contact_ids: list[int], by: User | None) -> tuple[int, list[Candidate]]:
    """Invite the eligible contacts among `contact_ids`: one invitation row and one iMIP
    message each. Returns how many were invited and who was left out (with why)."""
    if event.cancelled:
        raise EventError("This event is cancelled.")
    if event.starts_at <= utcnow():
        raise EventError("This event has already started.")
    chosen = candidates(event, contact_ids=contact_ids, limit=len(contact_ids) or 1)
    count = 0
    for cand in chosen:
        if not cand.eligible:
            continue
        inv = Invitation(event_id=event.id, contact_id=cand.contact.id,
                         name=clean_header(cand.contact.name)[:210],
                         email=clean_header(cand.email or "").lower(),
                         nonce=secrets.token_hex(16), invited_by_id=getattr(by, "id", None))
        inv.event = event
        inv.token_hash = token_hash(rsvp_token(inv))
        db.session.add(inv)
        db.session.flush()
        _send(inv, "REQUEST")
        count += 1
    if count:
        record("event.invite", f"Invited {count} contacts to {event.title}", event)
    return count, [c for c in chosen if not c.eligible]


def _organizer() -> ical.Person:
    name, addr = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return ical.Person(email=addr, name=name or settings.org_name())


def when_text(event: Event) -> str:
    """The event's time in the organization's zone, for people to read."""
    zone = org_zone()
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    day = start.strftime("%A, %B %-d, %Y")
    end_fmt = "%-I:%M %p %Z" if end.date() == start.date() else "%A, %B %-d, %Y %-I:%M %p %Z"
    return f"{day}, {start.strftime('%-I:%M %p')} to {end.strftime(end_fmt)} ({zone.key})"


def invitation_ics(inv: Invitation, method: str) -> str:
    """The iMIP calendar object for one invitee: only that invitee as ATTENDEE."""
    event = inv.event
    link = external_url("events_public.rsvp", token=rsvp_token(inv))
    ev = vevent(event, organizer=_organizer(), attendee=ical.Person(inv.email, inv.name),
                description_suffix=f"Reply here: {link}" if method == "REQUEST" else "",
                dtstamp=utcnow())
    return ical.calendar([ev], method=method)


def _send(inv: Invitation, method: str, kind: str = "event_invitation") -> None:
    event = inv.event
    ctx = {
        "event": event, "invitation": inv, "when": when_text(event), "method": method,
        "rsvp_url": external_url("events_public.rsvp", token=rsvp_token(inv)),
        "org_name": settings.org_name(),
    }
    if method == "CANCEL":
        subject = f"Cancelled: {event.title}"
    elif event.sequence and kind == "event_invitation":
        subject = f"Updated invitation: {event.title}"
    elif kind == "event_reminder":
        subject = f"Reminder: {event.title}"
    else:
        subject = f"Invitation: {event.title}"
    queue(
        kind=kind, to=inv.email, to_name=inv.name, subject=subject,
        text=render_template("mail/event_invitation.txt", **ctx),
        html=render_template("mail/event_invitation.html", **ctx),
        calendar=(method, invitation_ics(inv, method)),
    )


def _send_to_invitees(event: Event, method: str, *, skip_declined: bool) -> None:
    if event.starts_at <= utcnow() and method == "REQUEST":
        return  # nobody needs an update about an event that is over
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id).order_by(Invitation.id)
    ).all()
    for inv in invitations:
        if skip_declined and inv.answer == Answer.no:
            continue
        inv.event = event
        _send(inv, method)


def invitations_of(event: Event) -> list[Invitation]:
    return db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id)
        .order_by(Invitation.name, Invitation.id)
    ).all()


def answer_counts(event: Event) -> dict[str, int]:
    counts = dict(db.session.execute(
        select(Invitation.answer, func.count()).where(Invitation.event_id == event.id)
        .group_by(Invitation.answer)
    ).all())
    return {a.value: counts.get(a, 0) for a in Answer}


def respond(inv: Invitation, answer: Answer) -> None:
    """An invitee's answer; changeable until the event starts, and 'yes' only while there
    is room."""
    event = inv.event
    if event.cancelled:
        raise EventError("This event has been cancelled.")
    if event.starts_at <= utcnow():
        raise EventError("This event has already started, so answers are closed.")
    if answer == Answer.yes and inv.answer != Answer.yes and event.capacity is not None:
        yes = db.session.scalar(select(func.count()).where(
            Invitation.event_id == event.id, Invitation.answer == Answer.yes))
        if yes >= event.capacity:
            raise EventError("Sorry, the event is full.")
    inv.answer, inv.answered_at = answer, utcnow()
    db.session.flush()
    record("event.rsvp", f"An invitee answered {answer.value} for {event.title}", event,
           actor=None)


def record_attendance(inv: Invitation, attendance: Attendance) -> None:
    """Mark who came, once the event has started."""
    if inv.event.starts_at > utcnow():
        raise EventError("Attendance can be recorded once the event has started.")
    inv.attendance = attendance
    db.session.flush()


def create_followups(event: Event, by: User, *, what: str, due_on: date) -> int:
    """One commitment per attendee (a thank-you, a follow-up visit…), owned by `by`."""
    if event.followups_created_at is not None:
        raise EventError("Follow-ups for this event were already created.")
    attendees = db.session.scalars(select(Invitation).where(
        Invitation.event_id == event.id, Invitation.attendance == Attendance.attended,
        Invitation.contact_id.is_not(None))).all()
    for inv in attendees:
        db.session.add(Commitment(what=what[:300], contact_id=inv.contact_id, owner_id=by.id,
                                  due_on=due_on, created_by_id=by.id))
    event.followups_created_at = utcnow()
    db.session.flush()
    record("event.followups", f"Created {len(attendees)} follow-ups from {event.title}", event)
    return len(attendees)


# --- reminders and the morning digest ----------------------------------------------------------


def reminder_days() -> int:
    return int(settings.get(REMINDER_DAYS_KEY, DEFAULT_REMINDER_DAYS))


def send_reminders(now: datetime | None = None) -> int:
    """Remind yes-RSVPs of events starting within the reminder window (once each)."""
    now = now or utcnow()
    days = reminder_days()
    if days <= 0:
        return 0
    due = db.session.scalars(
        select(Invitation).join(Event, Event.id == Invitation.event_id)
        .where(Invitation.answer == Answer.yes, Invitation.reminded_at.is_(None),
               Event.status != EventStatus.cancelled, Event.starts_at > now,
               Event.starts_at <= now + timedelta(days=days))
        .options(selectinload(Invitation.event))
    ).all()
    for inv in due:
        _send(inv, "REQUEST", kind="event_reminder")
        inv.reminded_at = now
    db.session.flush()
    return len(due)


def send_digests(today: date | None = None) -> int:
    """Each active user's morning digest: commitments due and events this week. Sending
    twice on one day sends nothing the second time (a unique row per user and day)."""
    zone = org_zone()
    today = today or org_today()
    week_start = datetime.combine(today, datetime.min.time(), zone)
    week_end = week_start + timedelta(days=7)
    events = db.session.scalars(
        select(Event).where(Event.starts_at >= week_start, Event.starts_at < week_end,
                            Event.status != EventStatus.cancelled)
        .order_by(Event.starts_at)
    ).all()
    users = db.session.scalars(
        select(User).where(User.active.is_(True),
                           ~exists().where(DigestSent.user_id == User.id,
                                           DigestSent.day == today))
        .order_by(User.id)
    ).all()
    sent = 0
    for user in users:
        commitments = db.session.scalars(
            select(Commitment).where(Commitment.owner_id == user.id,
                                     Commitment.status == CommitmentStatus.open,
                                     Commitment.due_on <= today + timedelta(days=1))
            .order_by(Commitment.due_on)
        ).all()
        if not commitments and not events:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(DigestSent(user_id=user.id, day=today))
        except IntegrityError:
            continue  # another run got there first
        ctx = {"user": user, "today": today, "commitments": commitments,
               "events": [(e, when_text(e)) for e in events],
               "org_name": settings.org_name(),
               "dashboard_url": external_url("dashboard.index")}
        queue(kind="digest", to=user.email, to_name=user.name,
              subject=f"Your day: {today.strftime('%A, %B %-d')}",
              text=render_template("mail/digest.txt", **ctx))
        sent += 1
    return sent
