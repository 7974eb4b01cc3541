"""Demo tours: settings with evening and Saturday tours, a few requests (one held by the
screening list, one still waiting for its email to be confirmed), a confirmed tour the
visitor moved (so it has a history and a visitor's change for the digest); `scale(n)` adds
bookings in bulk."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import insert, select

from app.database import utcnow
from app.extensions import db
from app.settings import clock
from app.settings import demo as program
from app.settings import services as settings
from app.system.private_links import token_hash
from app.tours import services
from app.tours.models import ScreenAction, ScreenKind, Status, TourBooking, TourSlot
from app.tours.schedule import DEFAULTS

VISITORS = [
    ("Alma Whitfield", "alma.whitfield@example.org", "Riverbend Neighbors Association", 3,
     "We live on the block and want to understand what happens here."),
    ("Rev. Daniel Osei", "d.osei@example.org", "First Street Congregation", 5,
     "Our outreach committee would like to learn how we could help."),
    ("Maya Chen", "maya.chen@example.edu", "State University School of Public Health", 2,
     "Class project on harm reduction services."),
    ("Tom Brandt", "tom@stop-the-site.example", "Concerned Citizens of Riverbend", 2,
     "Questions about needles in the park."),
]


def seed() -> None:
    """Settings, a screening entry and a handful of bookings in different states."""
    if settings.get(services.SETTINGS_KEY) is None:
        # The program's own street (app/settings/demo.py), given to confirmed visitors only.
        services.save_settings(replace(
            DEFAULTS, address=f"{settings.org_name()}\n{program.street()}, side entrance",
            notice_hours=24))
    services.add_screen(ScreenKind.domain, "stop-the-site.example", ScreenAction.hold)
    opens = services.open_slots(clock.today(), clock.today() + timedelta(days=30))
    for i, (name, email, org, size, reason) in enumerate(VISITORS):
        if not opens or db.session.scalar(select(TourBooking.id).where(TourBooking.email == email)):
            continue
        slot = opens[min(i, len(opens) - 1)].slot
        booking = services.request_tour(services.BookingRequest(
            slot_key=slot.key, name=name, email=email, affiliation=org, group_size=size,
            reason=reason, contact_consent=i % 2 == 0))
        if i == 2:
            continue  # still waiting for the visitor to confirm their email
        services.confirm_email(booking)
        if i == 1:
            services.confirm(booking)
            services.reschedule(booking, opens[min(4, len(opens) - 1)].slot.key)
            services.confirm(booking)


def scale(n: int) -> dict[str, int]:
    """About 2 bookings for every 5 contacts (20,000 at 50,000), in past and future slots."""
    count = max(n * 2 // 5, 1)
    now = utcnow().replace(minute=13, second=0, microsecond=0)
    statuses = [Status.attended, Status.confirmed, Status.requested, Status.cancelled,
                Status.no_show, Status.declined]
    slot_rows = []
    for i in range(0, count, 4):
        start = now + timedelta(days=i // 8 - count // 16, hours=(i // 4) % 2)
        slot_rows.append({"starts_at": start, "ends_at": start + timedelta(hours=1)})
    existing = set(db.session.scalars(select(TourSlot.starts_at)))
    slot_rows = [r for r in slot_rows if r["starts_at"] not in existing]
    if slot_rows:
        db.session.execute(insert(TourSlot), slot_rows)
    ids = db.session.scalars(select(TourSlot.id).order_by(TourSlot.id)).all()
    batch = []
    for i in range(count):
        nonce = secrets.token_urlsafe(16)
        batch.append({
            "slot_id": ids[i % len(ids)], "status": statuses[i % len(statuses)],
            "name": f"Scale Visitor {i}", "email": f"visitor{i}@scale.example",
            "group_size": 1 + i % 3, "token_nonce": nonce,
            "token_hash": token_hash(services._token_for(nonce)), "screening": [],
            "held": False, "contact_consent": False, "sequence": 0, "created_at": now,
            "email_confirmed_at": now,
        })
        if len(batch) == 5000:
            db.session.execute(insert(TourBooking), batch)
            batch = []
    if batch:
        db.session.execute(insert(TourBooking), batch)
    return {"tour bookings": count}
