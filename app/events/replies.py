"""Answers from calendar buttons: the iMIP replies (RFC 6047; iTIP REPLY and COUNTER, RFC
5546) invitees' calendar programs send when they press Yes, Maybe or No, read from the
organization's mailbox (app/mail/inbox.py) and matched to the invitation by the event's
UID and the attendee.

A reply is trusted with one thing only: that invitee's own answer. It must come From the
address we invited (inbox.sender: one From, no failed DMARC) and answer for that address;
nothing else in it (times, places, other attendees) is ever applied. A reply to a version
of the event older than the last time we asked that invitee, or stamped before their last
answer, is stale and changes nothing. A proposed new time (COUNTER, Outlook's "Propose new
time") becomes a commitment for the liaison, never a change. Anything else is left unread
in the mailbox for a person, and logged by its outcome only (app/mail/inbox.py).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from email.message import Message

from flask import current_app, render_template
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.database import utcnow
from app.events import invitations
from app.events.models import Answer, Event, Invitation
from app.events.services import EventError, when_text
from app.extensions import db
from app.mail import inbox
from app.mail.inbox import Outcome
from app.mail.services import queue
from app.notes import services as notes
from app.settings import clock
from app.settings import services as settings
from app.system import ical, jobs, visitors
from app.system.urls import external_url
from app.system.words import plural

log = logging.getLogger("liaison.rsvp")

ANSWERS = {"ACCEPTED": Answer.yes, "TENTATIVE": Answer.maybe, "DECLINED": Answer.no}
CALENDAR_TYPES = ("text/calendar", "application/ics")
MAX_PART = 256 * 1024
POLLED_KEY = "events.replies.polled_at"
JOB = "rsvp fetch-replies"


def calendar_parts(message: Message) -> list[bytes]:
    """The calendar objects in a message, each once: Gmail and Outlook put the same one
    inline and attached, Apple attaches it (as text/calendar or a named .ics file)."""
    found: list[bytes] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = (part.get_filename() or "").lower()
        if part.get_content_type() in CALENDAR_TYPES or name.endswith(".ics"):
            data = part.get_payload(decode=True) or b""
            if data and len(data) <= MAX_PART and data not in found:
                found.append(data)
    return found


def handle(message: Message) -> Outcome:
    """Read one message from the mailbox: record the answer in a calendar reply, or say
    why not (inbox.Outcome; flushes, never commits)."""
    parts = calendar_parts(message)
    if not parts:
        return Outcome("not a calendar reply", False)  # a person's own words: for a person
    try:
        items = [item for data in parts for item in ical.read(data)]
    except ValueError:
        return Outcome("unreadable calendar", False)
    replies = [i for i in items if i.method in ("REPLY", "COUNTER") and i.uid]
    if not replies:
        return Outcome("not a reply", False)  # a forwarded invitation, a published event
    reply = replies[0]
    event = db.session.scalar(select(Event).where(Event.uid == reply.uid))
    if event is None:
        return Outcome("unmatched", False)
    address = inbox.sender(message)
    invited = {i.email.lower(): i for i in db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id,
                                 func.lower(Invitation.email).in_(
                                     [a.address for a in reply.attendees] + [address or ""])))}
    if address is None:
        return Outcome("sender not verified", False)
    inv = invited.get(address)
    answered = [a for a in reply.attendees if a.address == address]
    if inv is None or not answered:
        # From someone we didn't invite, or answering for somebody else: nobody's answer
        # changes on their word.
        return Outcome("wrong sender" if invited else "unmatched", False)
    inv.event = event
    if reply.sequence < inv.asked_sequence or (
            reply.dtstamp and inv.answered_at and reply.dtstamp < inv.answered_at):
        return Outcome("stale", True)
    if event.cancelled or event.starts_at <= utcnow():
        return Outcome("closed", True)
    answer = ANSWERS.get(answered[0].partstat)
    outcome = _answer(inv, answer, reply.comment) if answer else None
    if reply.method == "COUNTER":
        _proposal(inv, reply, answer)
        return Outcome("counter-proposal", True)
    return outcome or Outcome("no answer in it", False)


def _answer(inv: Invitation, answer: Answer, comment: str) -> Outcome:
    if answer == inv.answer:
        return Outcome("unchanged", True)
    try:
        invitations.respond(inv, answer, via="calendar", comment=comment)
    except EventError:  # the only refusal left: no room for another yes
        _full(inv)
        return Outcome("full", True)
    return Outcome("recorded", True)


def _full(inv: Invitation) -> None:
    """A yes from a calendar when the event is full: the answer stays; the invitee is told
    by email (their calendar can't be), and so is the liaison."""
    event = inv.event
    ctx = {"event": event, "invitation": inv, "when": when_text(event),
           "org_name": settings.org_name(),
           "rsvp_url": external_url("events_public.rsvp", token=invitations.rsvp_token(inv))}
    queue(kind="event_full", to=inv.email, to_name=inv.name,
          subject=f"Sorry, {event.title} is full",
          text=render_template("mail/event_full.txt", **ctx))
    visitors.note_change(
        "events.rsvp", f"{inv.name} said yes from their calendar to {event.title}, which is "
                       f"full: their answer stays {inv.answer.label.lower()}, and they were "
                       "told by email.",
        external_url("events.show", event_id=event.id),
        subject=f"RSVP: {inv.name} said yes to {event.title}, which is full")


def _owner(event: Event) -> User | None:
    """Who follows a proposal up: whoever planned the event, if they still can, else the
    liaison (or an admin)."""
    if event.created_by_id:
        user = db.session.get(User, event.created_by_id)
        if user and user.active and user.role in (Role.liaison, Role.admin):
            return user
    people = visitors.recipients()
    return people[0] if people else None


def _when(value: datetime | date | None) -> str:
    if isinstance(value, datetime):
        return clock.local(value).strftime(clock.strftime_format("%a %b %-d, %Y %-I:%M %p %Z"))
    return value.strftime("%a %b %-d, %Y") if isinstance(value, date) else "another time"


def _proposal(inv: Invitation, reply: ical.Received, answer: Answer | None) -> None:
    """A proposed new time: a commitment for the liaison to answer it (the event stays as
    it is), and a line in their digest."""
    event = inv.event
    proposed = _when(reply.start)
    today = clock.today()
    due = max(today, min(today + timedelta(days=1),
                         clock.local_date(event.starts_at) - timedelta(days=1)))
    owner = _owner(event)
    notes.create_commitment({
        "what": f"Answer {inv.name}'s proposal to hold {event.title} on {proposed}"[:300],
        "contact_id": inv.contact_id, "owner_id": owner.id if owner else None,
        "due_on": due}, None)
    said = f" (they answered {answer.label.lower()})" if answer else ""
    words = f" They wrote: “{reply.comment[:160]}”" if reply.comment else ""
    visitors.note_change(
        "events.rsvp", f"{inv.name} proposed a new time for {event.title}: {proposed}{said}."
                       f"{words}",
        external_url("events.show", event_id=event.id),
        subject=f"New time proposed: {inv.name}, {event.title}")


# --- polling ------------------------------------------------------------------------------------


def summary(counts: dict[str, int]) -> str:
    """One line for the terminal and the Settings page: "Read 3 new messages: 3 recorded."."""
    read = plural(sum(counts.values()), "new message")
    outcomes = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    return f"Read {read}{': ' + outcomes if outcomes else ''}."


def fetch(limit: int = 200) -> dict[str, int]:
    """Read the mailbox once (app/mail/inbox.py commits per message): outcomes counted.
    Each reading is recorded as the job JOB (app/system/jobs.py), so Settings shows when
    replies were last read, or why they couldn't be (no secrets in that line)."""
    jobs.started(JOB)
    try:
        counts = dict(inbox.poll(handle, limit=limit))
    except inbox.InboxError as exc:
        db.session.rollback()
        jobs.finished(JOB, False, str(exc))
        raise
    except BaseException:
        db.session.rollback()
        jobs.finished(JOB, False, "Stopped by an error: see the server's log.")
        raise
    jobs.finished(JOB, True, summary(counts))
    return counts


def register_job(app) -> None:
    """Describe the reading on the Settings page's scheduled jobs, where a mailbox is set
    (an organization without one has nothing to read, and nothing late)."""
    if app.config.get("IMAP_SERVER"):
        jobs.register_job(
            JOB, "Reading calendar replies",
            "Reads the answers invitees give with their calendar's Yes, Maybe and No buttons "
            "from the organization's mailbox and records them; a proposed new time becomes a "
            "commitment for the liaison.",
            when="with Sending email, or every 5 minutes", every=timedelta(minutes=15), order=11)
    else:
        jobs.JOBS.pop(JOB, None)


def fetch_if_due(now: datetime) -> int:
    """The mail worker's periodic job (app/system/periodic.py): read the mailbox if one is
    configured and IMAP_POLL_SECONDS have passed since any worker last did. Unlike other
    periodic jobs it commits (the time it polled, then each message), because it talks to
    the mail server between messages and must not hold a transaction open meanwhile."""
    if not inbox.configured():
        return 0
    last = settings.get(POLLED_KEY)
    every = timedelta(seconds=int(current_app.config.get("IMAP_POLL_SECONDS") or 60))
    if last and now - datetime.fromisoformat(last) < every:
        return 0
    settings.put(POLLED_KEY, now.isoformat())
    db.session.commit()
    try:
        return sum(fetch().values())
    except inbox.InboxError as exc:  # said once a round, without a traceback; tries again
        db.session.rollback()
        log.warning("calendar replies not read: %s", exc)
        return 0
