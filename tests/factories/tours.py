"""Tours test data: slots with bookings in bulk (flushed, not committed). One booking made as a
visitor makes it goes through the public form instead (tests/tours/conftest.py: book)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from app.database import utcnow
from app.extensions import db


def make_bookings(n: int, offset: int = 0) -> None:
    """`n` slots from tomorrow on, four an hour apart a day, each with one booking of one
    visitor, alternately requested and confirmed; numbered from `offset`, so a second call
    adds different slots."""
    from app.tours.models import Status, TourBooking, TourSlot

    now = utcnow()
    starts = [now + timedelta(days=1 + i // 4, hours=i % 4, minutes=7)
              for i in range(offset, offset + n)]
    slot_ids = db.session.scalars(
        insert(TourSlot).returning(TourSlot.id, sort_by_parameter_order=True),
        [{"starts_at": s, "ends_at": s + timedelta(hours=1)} for s in starts]).all()
    db.session.execute(insert(TourBooking), [
        {"slot_id": sid, "status": Status.requested if i % 2 else Status.confirmed,
         "name": f"Visitor {i}", "email": f"v{i}@example.org", "group_size": 1,
         "token_nonce": f"n{i}", "token_hash": f"{i:064d}", "screening": [], "held": False,
         "contact_consent": False, "sequence": 0, "created_at": now}
        for i, sid in enumerate(slot_ids, start=offset)])
    db.session.flush()
