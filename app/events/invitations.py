"""Invitations: who to invite, iMIP invitations and updates, RSVPs, attendance and
follow-ups."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from email.utils import parseaddr

from flask import current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.models import User
from app.database import lock_row, utcnow
from app.events.feeds import vevent
from app.events.models import Answer, Attendance, Event, Invitation
from app.events.services import EventChange, EventError, when_text
from app.extensions import db
from app.mail.services import clean_header, queue
from app.notes import services as notes
from app.people.models import Contact
from app.people.queries import contact_query
from app.settings import services as settings
from app.system import ical, visitors
from app.system.urls import external_url


@dataclass(frozen=True)
class Candidate:
    """A contact in the invite preview: the address we would use, or why we won't."""

    contact: Contact
    email: str | None
    reason: str | None  # None = will be invited

    @property
    def eligible(self) -> bool:
        return self.reason is None


# The invite builder's filters: the People list's own (app.people.queries), so the preview
# holds exactly the people that list shows for the same search and filters.
FILTERS = ("q", "stance", "tag", "sphere", "organization", "group")
ALREADY = "Already invited"


def candidates(event: Event, args: Mapping[str, str | None], user: User | None, *,
               contact_ids: list[int] | None = None, limit: int = 500) -> list[Candidate]:
    """Active contacts the People list shows `user` for the same filters (`args`: q, stance,
    tag, sphere, organization, group) and among `contact_ids` if given, each either eligible or
    excluded with a reason. With no filter and no ids, nobody."""
    filters = {k: str(args[k]) for k in FILTERS if str(args.get(k) or "").strip()}
    if not filters and contact_ids is None:
        return []
    query = contact_query(filters, user)
    if contact_ids is not None:
        query = query.where(Contact.id.in_(contact_ids))
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
            reason = ALREADY
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
    message each. Returns how many were invited and who was left out (with why).

    Sending is idempotent: a double-clicked (or twice-sent) list invites nobody twice. On
    PostgreSQL the event's row is locked first, so a second send waits for the first to
    commit and then sees its invitations as "Already invited" (without the lock both read
    "nobody yet" and the second insert broke `uq_invitations_event_contact`); on SQLite
    the request's BEGIN IMMEDIATE already holds the database's write lock."""
    lock_row(db.session, Event, event.id)
    db.session.refresh(event)  # what the lock's holder may just have changed (a cancel)
    if event.cancelled:
        raise EventError("This event is cancelled.")
    if event.starts_at <= utcnow():
        raise EventError("This event has already started.")
    chosen = candidates(event, {}, by, contact_ids=contact_ids, limit=len(contact_ids) or 1)
    count = 0
    for cand in chosen:
        if not cand.eligible:
            continue
        inv = Invitation(event_id=event.id, contact_id=cand.contact.id,
                         name=clean_header(cand.contact.name)[:210],
                         email=clean_header(cand.email or "").lower(),
                         nonce=secrets.token_hex(16), invited_by_id=getattr(by, "id", None))
        inv.event = event
        inv.asked_sequence = event.sequence
        inv.token_hash = token_hash(rsvp_token(inv))
        db.session.add(inv)
        db.session.flush()
        send_invitation(inv, "REQUEST")
        count += 1
    if count:
        record("event.invite", f"Invited {count} contacts to {event.title}", event)
    return count, [c for c in chosen if not c.eligible]


def _organizer() -> ical.Person:
    name, addr = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return ical.Person(email=addr, name=name or settings.org_name())



def attendee(inv: Invitation) -> ical.Person:
    """The invitee as ATTENDEE: their answer as we know it, and a request for one only
    while they haven't given it (or were asked again)."""
    return ical.Person(inv.email, inv.name, partstat=inv.answer.partstat,
                       rsvp=inv.answer == Answer.pending)


def invitation_ics(inv: Invitation, method: str) -> str:
    """The iMIP calendar object for one invitee: only that invitee as ATTENDEE, with the
    answer they gave (an update never resets it unless it asks again)."""
    event = inv.event
    link = external_url("events_public.rsvp", token=rsvp_token(inv))
    ev = vevent(event, organizer=_organizer(), attendee=attendee(inv),
                description_suffix=f"Reply here: {link}" if method == "REQUEST" else "",
                dtstamp=utcnow())
    return ical.calendar([ev], method=method)


def send_invitation(inv: Invitation, method: str, kind: str = "event_invitation",
                    change: EventChange | None = None) -> None:
    """Queue one invitee's iMIP message: the invitation, an update (`change`), a reminder
    or the cancellation."""
    event = inv.event
    ctx = {
        "event": event, "invitation": inv, "when": when_text(event), "method": method,
        "rsvp_url": external_url("events_public.rsvp", token=rsvp_token(inv)),
        "org_name": settings.org_name(), "change": change,
    }
    if method == "CANCEL":
        subject = f"Cancelled: {event.title}"
    elif change is not None:
        subject = f"{'Please answer again' if change.ask_again else 'Updated'}: {event.title}"
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


def tell_invitees(event: Event, change: EventChange) -> int:
    """Invitees' side of an update (the events audience "invitees"): each gets a REQUEST
    carrying their answer — or, when the time or place moved enough, asking again, which
    also reaches those who had declined (it may suit them now) and keeps what they had
    said; a cancellation reaches everyone. Nobody hears about an update once the event
    has started."""
    if not change.cancelled and event.starts_at <= utcnow():
        return 0
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id).order_by(Invitation.id)
    ).all()
    told = 0
    for inv in invitations:
        inv.event = event
        if change.cancelled:
            send_invitation(inv, "CANCEL", change=change)
        else:
            if change.ask_again:
                if inv.answer != Answer.pending:
                    inv.previous_answer = inv.answer
                inv.answer, inv.answered_at, inv.answered_via = Answer.pending, None, None
                inv.asked_sequence = event.sequence
            elif inv.answer == Answer.no:
                continue  # a detail changed: those who declined aren't bothered with it
            send_invitation(inv, "REQUEST", change=change)
        told += 1
    db.session.flush()
    return told


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


def respond(inv: Invitation, answer: Answer, *, via: str = "page", comment: str = "") -> None:
    """An invitee's answer, from their RSVP page or (`via="calendar"`) a reply from their
    calendar program, with what they wrote if anything; changeable until the event starts,
    and 'yes' only while there is room. A new or changed answer reaches the liaison
    (app/system/visitors.py)."""
    event = inv.event
    if event.cancelled:
        raise EventError("This event has been cancelled.")
    if event.starts_at <= utcnow():
        raise EventError("This event has already started, so answers are closed.")
    # Invitees who said yes and registrants share the event's places (app.events.registrations),
    # counted under the event's lock; a yes withdrawn frees a place for the waitlist.
    from app.events import registrations  # registrations build on invitations' peers

    registrations.lock_event(event)
    previous = inv.answer
    was_yes = previous == Answer.yes
    if (answer == Answer.yes and not was_yes and event.capacity is not None
            and registrations.places_taken(event) >= event.capacity):
        raise EventError("Sorry, the event is full.")
    inv.answer, inv.answered_at, inv.answered_via = answer, utcnow(), via
    inv.previous_answer = None
    db.session.flush()
    if was_yes and answer != Answer.yes:
        registrations.fill_from_waitlist(event, utcnow())
    record("event.rsvp", f"An invitee answered {answer.value} for {event.title}", event,
           actor=None)
    if answer != previous:
        was = "" if previous == Answer.pending else f" (was {previous.label.lower()})"
        source = " from their calendar" if via == "calendar" else ""
        words = f" They wrote: “{comment[:160]}”" if comment else ""
        visitors.note_change(
            "events.rsvp", f"{inv.name} answered {answer.label.lower()}{was}{source} for "
                           f"{event.title} ({when_text(event)}).{words}",
            external_url("events.show", event_id=event.id),
            subject=f"RSVP: {inv.name}, {answer.label.lower()}{was}, {event.title}")


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
        notes.create_commitment({"what": what[:300], "contact_id": inv.contact_id,
                                 "owner_id": by.id, "due_on": due_on}, by)
    event.followups_created_at = utcnow()
    db.session.flush()
    record("event.followups", f"Created {len(attendees)} follow-ups from {event.title}", event)
    return len(attendees)
