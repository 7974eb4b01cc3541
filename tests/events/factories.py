"""Events test data: contacts with emails, and events (flushed, not committed)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from app.events.models import Event, EventKind, EventStatus
from app.events.services import new_uid
from app.extensions import db
from app.people.models import Contact, ContactEmail, Stance

_seq = itertools.count(1)


def make_contact(email: str | None = "auto", **overrides) -> Contact:
    n = next(_seq)
    values = {"first_name": f"Person{n}", "last_name": "Example", "sort_name": f"example person{n}",
              "stance": Stance.ally}
    values.update(overrides)
    contact = Contact(**values)
    db.session.add(contact)
    db.session.flush()
    if email:
        address = f"person{n}@example.org" if email == "auto" else email
        db.session.add(ContactEmail(contact_id=contact.id, email=address))
        db.session.flush()
    return contact


def make_event(**overrides) -> Event:
    n = next(_seq)
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
