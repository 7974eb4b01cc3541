"""Dashboard panels for notes: commitments due, people due for contact, recent notes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.notes import services
from app.notes.models import Commitment, CommitmentStatus
from app.people.models import Contact
from app.settings.clock import today
from app.system.panels import register_panel


def commitments(user) -> dict:
    """Open commitments overdue or due within a week."""
    day = today()
    rows = db.session.scalars(services.with_people(
        select(Commitment)
        .where(Commitment.status == CommitmentStatus.open,
               Commitment.due_on <= day + timedelta(days=7))
        .order_by(Commitment.due_on, Commitment.id).limit(10)))
    return {"commitments": list(rows), "today": day}


def due_for_contact(user) -> dict:
    """People whose keep-in-touch interval has run out."""
    rows = db.session.scalars(services.due_for_contact_query(today(), user, bound=8)
                              .options(joinedload(Contact.organization)).limit(8))
    return {"due": list(rows)}


def recent_notes(user) -> dict:
    """The latest notes (sensitive ones never listed for staff)."""
    return {"recent": services.recent_notes(user)}


def register() -> None:
    register_panel(10, "notes/_dashboard_commitments.html", commitments)
    register_panel(11, "notes/_dashboard_due.html", due_for_contact)
    register_panel(12, "notes/_dashboard_recent.html", recent_notes)
