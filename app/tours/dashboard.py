"""The tours panel on the dashboard: requests waiting for a decision."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.system.panels import register_panel
from app.tours.models import Status, TourBooking, TourSlot

WAITING_CAP = 99  # "99+": the panel's count stops here, so it never reads every request


def load(user) -> dict | None:
    """Waiting requests (oldest tour first) for people who decide them."""
    if not user.can("liaison"):
        return None
    waiting = TourBooking.status == Status.requested
    # One statement, costing the panel's size, not the number of requests: the first slots
    # that have a waiting request, walked in time order (its unique index) and checked
    # through ix_tour_bookings_status_slot; their requests; and a count that stops at the cap.
    first_slots = (select(TourSlot.id)
                   .where(select(TourBooking.id).where(TourBooking.slot_id == TourSlot.id,
                                                       waiting).exists())
                   .order_by(TourSlot.starts_at).limit(5))
    total = select(func.count()).select_from(
        select(TourBooking.id).where(waiting).limit(WAITING_CAP + 1).subquery())
    rows = db.session.execute(
        select(TourBooking, total.scalar_subquery().label("total"))
        .join(TourBooking.slot).options(contains_eager(TourBooking.slot))
        .where(waiting, TourBooking.slot_id.in_(first_slots))
        .order_by(TourSlot.starts_at, TourBooking.id).limit(5)
    ).all()
    if not rows:
        return None
    count = rows[0].total
    return {"count": f"{WAITING_CAP}+" if count > WAITING_CAP else count,
            "bookings": [row[0] for row in rows]}


def register() -> None:
    register_panel(30, "tours/_dashboard.html", load)
