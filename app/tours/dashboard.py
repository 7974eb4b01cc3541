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
    # One statement: the first five and (a window count) how many wait in all.
    rows = db.session.execute(
        select(TourBooking, func.count().over().label("total"))
        .join(TourBooking.slot).options(joinedload(TourBooking.slot))
        .where(TourBooking.status == Status.requested)
        .order_by(TourSlot.starts_at).limit(5)
    ).all()
    if not rows:
        return None
    return {"count": rows[0].total, "bookings": [row[0] for row in rows]}


def register() -> None:
    register_panel(30, "tours/_dashboard.html", load)
