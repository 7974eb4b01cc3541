"""Events test data: events, and contacts one can invite (flushed, not committed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.events.models import Event, EventKind, EventStatus
from app.events.services import new_uid
from app.extensions import db
from app.people.models import Stance
from tests.factories.people import make_contact
from tests.factories.sequence import next_n


def make_invitee(email: str | None = "auto", **overrides):
    """A contact an invitation can reach: an ally with an email address (`email=None` for
    none), made like any other contact (people.make_contact)."""
    n = next_n()
    values = {"first_name": f"Person{n}", "last_name": "Example", "stance": Stance.ally,
              "emails": [] if email is None else
              [f"person{n}@example.org" if email == "auto" else email]}
    values.update(overrides)
    return make_contact(**values)


def make_event(**overrides) -> Event:
    n = next_n()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    values = {"uid": new_uid(), "title": f"Event {n}", "kind": EventKind.open_house,
              "starts_at": start, "ends_at": start + timedelta(hours=2),
              "location": "Riverbend drop-in center", "address": "12 Main St",
              "is_public": True, "status": EventStatus.scheduled}
    values.update(overrides)
    event = Event(**values)
    db.session.add(event)
    db.session.flush()
    return event
