"""Dashboard panel: where relationships stand, and this month's stance changes."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.people.models import StanceChange
from app.people.queries import stance_counts
from app.settings.clock import now, org_zone
from app.system.panels import register_panel


def stances(user) -> dict:
    """Counts by stance and the stance changes recorded since the 1st of the month."""
    month_start = now().astimezone(org_zone()).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    changes = db.session.scalars(
        select(StanceChange)
        .where(StanceChange.at >= month_start, StanceChange.from_stance.is_not(None))
        .options(joinedload(StanceChange.contact), joinedload(StanceChange.by))
        .order_by(StanceChange.at.desc()).limit(10))
    return {"changes": list(changes), "stance_counts": stance_counts()}


def register() -> None:
    register_panel(13, "people/_dashboard.html", stances)
