"""Demo events: an open house, a celebration, a coalition meeting, a talk and a training,
at the local times and in the season such things happen, with invitations and answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.auth.demo import team
from app.database import utcnow
from app.events.invitations import rsvp_token, token_hash
from app.events.models import Answer, Event, EventHost, EventKind, EventStatus, Invitation
from app.events.services import new_uid
from app.extensions import db
from app.people.models import Contact
from app.settings import clock
from app.settings import demo as program
from app.settings import services as settings

# title, kind, days from today, weekday rule, local start (h, m), hours, public, capacity,
# description, place, address ("" = the program's own street). Open houses and trainings
# are held when services are closed (evenings, Saturday afternoon), meetings in office hours.
STORY = [
    ("{season} open house", EventKind.open_house, 9, "weekday", (17, 30), 2, True, 40,
     "Meet the team, see how the program works, and ask anything. Light snacks.",
     "{org} drop-in center", ""),
    ("{years} years of {org}: a community celebration", EventKind.celebration, 21, "saturday",
     (15, 0), 3, True, 120,
     "Music, food and thanks to the neighbors, partners and participants who made it happen.",
     "Millrace Park pavilion", "Mill Street at Fifth Street"),
    ("County overdose prevention coalition", EventKind.coalition_meeting, 4, "weekday", (10, 0),
     1, False, None,
     "Quarterly meeting. Agenda: naloxone distribution data, the new drop box sites.",
     "Ash County Health Department, room 2B", "200 Court Street"),
    ("Talk at the Rotary Club: what harm reduction is", EventKind.speaking, 13, "weekday",
     (12, 0), 1, False, 60,
     "Twenty minutes and questions over lunch. Bring the one-page fact sheet.",
     "Riverside Diner, back room", "415 Mill Street"),
    ("Naloxone training for faith leaders", EventKind.training, -6, "weekday", (18, 0), 2, True,
     25, "Hands-on training; every attendee leaves with two kits.",
     "St. Brigid Parish hall", "380 Mill Street"),
]


def season(day: date) -> str:
    """The season a date falls in, north of the equator (the demo town is in Indiana)."""
    return ("Winter", "Spring", "Summer", "Fall")[(day.month % 12) // 3]


def _on(day: date, rule: str) -> date:
    """The first day from `day` that suits the rule (a weekday, or a Saturday)."""
    while (rule == "weekday" and day.weekday() >= 5) or (rule == "saturday"
                                                          and day.weekday() != 5):
        day += timedelta(days=1)
    return day


def _words(text: str, day: date) -> str:
    years = program.years_open(day)
    return text.format(org=settings.org_name(), season=season(day),
                       years=years if years > 1 else "Our first")


def seed() -> None:
    """A handful of events around today at plausible local times, invitations and answers."""
    if db.session.scalar(select(Event.id).limit(1)) is not None:
        return
    staff = team()
    contacts = db.session.scalars(select(Contact).order_by(Contact.id).limit(12)).all()
    zone, today = clock.org_zone(), clock.today()
    town = f", {program.TOWN}"
    for i, (title, kind, days, rule, (hour, minute), hours, public, capacity, description,
            place, address) in enumerate(STORY):
        day = _on(today + timedelta(days=days), rule)
        start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        event = Event(uid=new_uid(), title=_words(title, day), kind=kind,
                      starts_at=start.astimezone(UTC),
                      ends_at=(start + timedelta(hours=hours)).astimezone(UTC),
                      location=_words(place, day), address=(address or program.street()) + town,
                      address_invitees_only=not public, description=description,
                      capacity=capacity, is_public=public, status=EventStatus.scheduled)
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
         "location": "Drop-in center", "address": program.street(),
         "address_invitees_only": False, "description": "", "is_public": i % 2 == 0,
         "status": EventStatus.scheduled, "created_at": start, "updated_at": start}
        for i in range(count)
    ])
    return {"events": count}
