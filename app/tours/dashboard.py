"""The tours panel on the dashboard: requests waiting for a decision."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.dashboard.panels import register_panel
from app.extensions import db
from app.tours.models import Status, TourBooking, TourSlot


def load(user) -> dict | None:
    """Waiting requests (oldest tour first) for people who decide them."""
    if not user.can("liaison"):
        return None
    waiting = select(TourBooking).where(TourBooking.status == Status.requested)
    count = db.session.scalar(select(func.count()).select_from(waiting.subquery()))
    if not count:
        return None
    first = db.session.scalars(
        waiting.join(TourBooking.slot).options(joinedload(TourBooking.slot))
        .order_by(TourSlot.starts_at).limit(5)
    ).all()
    return {"count": count, "bookings": first}


def register() -> None:
    register_panel(30, "tours/_dashboard.html", load)
