"""The demo program's public events: an open house taking registrations (nearly full, with a
waitlist and one registrant waiting for the liaison), a celebration and a fundraiser at a
private address, all on /public-events."""

from __future__ import annotations

from sqlalchemy import select

from app.events import registrations
from app.events.models import Event, EventKind, Registration, RegistrationStatus
from app.extensions import db
from app.system.demo import load_demo


def test_the_demo_has_the_public_events_the_guidance_asks_for(app, client):
    load_demo()
    db.session.commit()
    public = {e.kind: e for e in db.session.scalars(
        select(Event).where(Event.is_public.is_(True), Event.registration_open.is_(True)))}
    assert {EventKind.open_house, EventKind.celebration, EventKind.fundraiser} <= set(public)
    house = public[EventKind.open_house]
    places = registrations.availability([house])[house.id]
    assert 0 < places.left <= 3 and places.waiting >= 2  # nearly full, with a waitlist
    regs = db.session.scalars(select(Registration).where(Registration.event_id == house.id))
    regs = list(regs)
    assert any(r.held for r in regs)  # a screened registrant, for the liaison to decide
    assert all(r.group_size > places.left for r in regs
               if r.status == RegistrationStatus.waitlisted)
    assert public[EventKind.fundraiser].hides_address
    page = client.get("/public-events").get_data(as_text=True)
    for event in public.values():
        assert event.title in page
    assert "A few places left" in page
    assert public[EventKind.fundraiser].address not in page
