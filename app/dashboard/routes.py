"""Dashboard view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.dashboard import bp
from app.extensions import db
from app.notes import services as notes
from app.notes.models import Commitment, CommitmentStatus
from app.notes.routes import today
from app.people import services as people
from app.people.models import Contact, StanceChange
from app.templating import org_zone
from app.web import render


@bp.route("/")
def index():
    """What needs attention today: commitments, people due for contact, recent notes
    (sensitive ones never for staff), this month's stance changes and counts by stance."""
    day = today()
    commitments = list(db.session.scalars(notes.with_people(
        select(Commitment).where(Commitment.status == CommitmentStatus.open,
                                 Commitment.due_on <= day + timedelta(days=7))
        .order_by(Commitment.due_on, Commitment.id).limit(10))))
    due = list(db.session.scalars(notes.due_for_contact_query(day)
                                  .options(joinedload(Contact.organization)).limit(8)))
    month_start = datetime.now(org_zone()).replace(day=1, hour=0, minute=0, second=0,
                                                   microsecond=0).astimezone(UTC)
    changes = list(db.session.scalars(
        select(StanceChange).where(StanceChange.at >= month_start,
                                   StanceChange.from_stance.is_not(None))
        .options(joinedload(StanceChange.contact), joinedload(StanceChange.by))
        .order_by(StanceChange.at.desc()).limit(10)))
    return render("dashboard/index.html", today=day, commitments=commitments, due=due,
                  recent=notes.recent_notes(current_user), changes=changes,
                  stance_counts=people.stance_counts())
