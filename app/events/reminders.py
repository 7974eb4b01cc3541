"""Reminders to invitees who said yes, and each staff member's morning digest (sent here;
its sections come from the registry in app/system/digest.py, events adding two)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import render_template
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.database import utcnow
from app.events.invitations import send_invitation
from app.events.models import Answer, DigestSent, Event, EventStatus, Invitation
from app.events.registrations import held_waiting
from app.events.services import when_text
from app.extensions import db
from app.mail.services import queue
from app.notes import services as notes
from app.settings import services as settings
from app.settings.clock import org_zone
from app.settings.clock import today as org_today
from app.system.digest import DigestSection, digest_sections, register_digest_section
from app.system.urls import external_url

REMINDER_DAYS_KEY = "events.reminder_days"
DEFAULT_REMINDER_DAYS = 2


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
        send_invitation(inv, "REQUEST", kind="event_reminder")
        inv.reminded_at = now
    db.session.flush()
    return len(due)


def commitments_section(user: User, today: date) -> DigestSection:
    """The user's open commitments due by tomorrow (overdue ones included)."""
    rows = notes.open_commitments(user, due_by=today + timedelta(days=1))
    return DigestSection("Commitments due",
                         [f"{c.due_on.strftime('%a %b %-d')}: {c.what}" for c in rows])


def events_section(user: User, today: date) -> DigestSection:
    """Every event this week (everyone sees the calendar)."""
    week_start = datetime.combine(today, datetime.min.time(), org_zone())
    events = db.session.scalars(
        select(Event).where(Event.starts_at >= week_start,
                            Event.starts_at < week_start + timedelta(days=7),
                            Event.status != EventStatus.cancelled)
        .order_by(Event.starts_at)
    ).all()
    return DigestSection("Events this week", [f"{e.title}: {when_text(e)}" for e in events])


def registrations_section(user: User, today: date) -> DigestSection | None:
    """Registrations waiting for a decision (screened by the screening list or by stance):
    for the liaison and admins, who decide."""
    if not user.can("liaison"):
        return None
    return DigestSection("Registrations waiting for your decision", [
        f"{r.event.title}: registration #{r.id}, "
        f"{external_url('events.registration', event_id=r.event_id, registration_id=r.id)}"
        for r in held_waiting()])


def register_digest() -> None:
    register_digest_section(10, "commitments", commitments_section)
    register_digest_section(20, "events", events_section)
    register_digest_section(25, "registrations", registrations_section)


def send_digests(today: date | None = None) -> int:
    """Each active user's morning digest: every registered section with something to say
    (app/system/digest.py). Sending twice on one day sends nothing the second time (a
    unique row per user and day)."""
    today = today or org_today()
    users = db.session.scalars(
        select(User).where(User.active.is_(True),
                           ~exists().where(DigestSent.user_id == User.id,
                                           DigestSent.day == today))
        .order_by(User.id)
    ).all()
    sent = 0
    for user in users:
        sections = digest_sections(user, today)
        if not sections:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(DigestSent(user_id=user.id, day=today))
        except IntegrityError:
            continue  # another run got there first
        ctx = {"user": user, "today": today, "sections": sections,
               "org_name": settings.org_name(),
               "dashboard_url": external_url("dashboard.index")}
        queue(kind="digest", to=user.email, to_name=user.name,
              subject=f"Your day: {today.strftime('%A, %B %-d')}",
              text=render_template("mail/digest.txt", **ctx))
        sent += 1
    return sent
