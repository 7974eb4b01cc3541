"""Demo events: an open house, a celebration, a coalition meeting and a talk, with answers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.demo import team
from app.database import utcnow
from app.events.invitations import rsvp_token, token_hash
from app.events.models import Answer, Event, EventHost, EventKind, EventStatus, Invitation
from app.events.services import new_uid
from app.extensions import db
from app.people.models import Contact

STORY = [
    ("Spring open house", EventKind.open_house, 9, 2, True, 40,
     "Meet the team, see how the program works, and ask anything. Light snacks."),
    ("Ten years of Riverbend: a community celebration", EventKind.celebration, 21, 3, True, 120,
     "Music, food and thanks to the neighbors, partners and participants who made it happen."),
    ("County overdose prevention coalition", EventKind.coalition_meeting, 4, 1, False, None,
     "Quarterly meeting. Agenda: naloxone distribution data, the new drop box sites."),
    ("Talk at the Rotary Club: what harm reduction is", EventKind.speaking, 13, 1, False, 60,
     "Twenty minutes and questions. Bring the one-page fact sheet."),
    ("Naloxone training for faith leaders", EventKind.training, -6, 2, True, 25,
     "Hands-on training; every attendee leaves with two kits."),
]


def seed() -> None:
    """A handful of events around today, a few invitations and answers."""
    if db.session.scalar(select(Event.id).limit(1)) is not None:
        return
    staff = team()
    contacts = db.session.scalars(select(Contact).order_by(Contact.id).limit(12)).all()
    today = utcnow().replace(hour=23, minute=0, second=0, microsecond=0)  # 5-6 PM central
    for i, (title, kind, days, hours, public, capacity, description) in enumerate(STORY):
        start = today + timedelta(days=days)
        event = Event(uid=new_uid(), title=title, kind=kind, starts_at=start,
                      ends_at=start + timedelta(hours=hours), location="Riverbend drop-in center",
                      address="410 River St", address_invitees_only=not public,
                      description=description, capacity=capacity, is_public=public,
                      status=EventStatus.scheduled)
        db.session.add(event)
        db.session.flush()
        if staff:
            db.session.add(EventHost(event_id=event.id, user_id=staff[i % len(staff)].id))
        answers = [Answer.yes, Answer.maybe, Answer.no, Answer.pending]
        for j, contact in enumerate(contacts[i * 2: i * 2 + 4]):
            inv = Invitation(event_id=event.id, contact_id=contact.id, name=contact.name,
                             email=f"{contact.first_name.lower()}@example.org",
                             nonce=f"demo{event.id}x{contact.id}",
                             answer=answers[j % len(answers)])
            inv.token_hash = token_hash(rsvp_token(inv))
            db.session.add(inv)
    db.session.flush()


def scale(n: int) -> dict[str, int]:
    """One event per 10 contacts (5,000 at 50,000), spread over two years."""
    count = max(n // 10, 1)
    start = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=365)
    db.session.execute(db.insert(Event), [
        {"uid": new_uid(), "sequence": 0, "title": f"Community event {i}",
         "kind": EventKind.open_house if i % 4 == 0 else EventKind.other,
         "starts_at": start + timedelta(hours=3 * i), "ends_at": start + timedelta(hours=3 * i + 2),
         "location": "Drop-in center", "address": "410 River St",
         "address_invitees_only": False, "description": "", "is_public": i % 2 == 0,
         "status": EventStatus.scheduled, "created_at": start, "updated_at": start}
        for i in range(count)
    ])
    return {"events": count}
