"""Demo events: an open house taking registrations (nearly full, with a waitlist), a
community celebration, a fundraiser at a private address, a coalition meeting, a talk and a
past training, at the local times and in the season such things happen, with invitations,
answers and registrations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.auth.demo import team
from app.database import utcnow
from app.events import registrations
from app.events.invitations import rsvp_token, token_hash
from app.events.models import (
    Answer,
    Event,
    EventHost,
    EventKind,
    EventStatus,
    Invitation,
    Registration,
    RegistrationStatus,
)
from app.events.services import new_slug, new_uid
from app.extensions import db
from app.people.models import Contact
from app.people.screening import Booker, screen
from app.settings import clock
from app.settings import demo as program
from app.settings import services as settings

STEP_FREE = ("Step-free entrance on Mill Street, seating throughout, an all-gender "
             "restroom. ASL interpretation on request: tell us when you register.")
# title, kind, days from today, weekday rule, local start (h, m), hours, public, capacity,
# registration, address only for those invited or registered, description, accessibility,
# place, address ("" = the program's own street). Open houses and trainings are held when
# services are closed (evenings, Saturday afternoon), meetings in office hours.
STORY = [
    ("{season} open house", EventKind.open_house, 9, "weekday", (17, 30), 2, True, 40, True,
     False, "Meet the team, see how the program works, and ask anything. Light snacks.",
     STEP_FREE, "{org} drop-in center", ""),
    ("{years} years of {org}: a community celebration", EventKind.celebration, 21, "saturday",
     (15, 0), 3, True, 120, True, False,
     "Music, food and thanks to the neighbors, partners and participants who made it happen.",
     "Outdoors on level paving, with shade and seating. A quiet room in the library nearby.",
     "Millrace Park pavilion", "Mill Street at Fifth Street"),
    ("Light the way: a benefit dinner for {org}", EventKind.fundraiser, 30, "weekday",
     (18, 30), 3, True, 60, True, True,
     "An evening with the people behind the program. Every gift funds naloxone and outreach.",
     "Ground-floor dining room, one low step at the front door (a ramp is available).",
     "A supporter's home, Eastside", "88 Linden Avenue"),
    ("County overdose prevention coalition", EventKind.coalition_meeting, 4, "weekday", (10, 0),
     1, False, None, False, True,
     "Quarterly meeting. Agenda: naloxone distribution data, the new drop box sites.", "",
     "Ash County Health Department, room 2B", "200 Court Street"),
    ("Talk at the Rotary Club: what harm reduction is", EventKind.speaking, 13, "weekday",
     (12, 0), 1, False, 60, False, True,
     "Twenty minutes and questions over lunch. Bring the one-page fact sheet.", "",
     "Riverside Diner, back room", "415 Mill Street"),
    ("Naloxone training for faith leaders", EventKind.training, -6, "weekday", (18, 0), 2, True,
     25, False, False, "Hands-on training; every attendee leaves with two kits.",
     "Step-free entrance from the parking lot, seating throughout.",
     "St. Brigid Parish hall", "380 Mill Street"),
]

# The open house's registrants (fictional): 38 of its 40 places with the yes-RSVP, then a
# waitlist whose groups don't fit the rest.
REGISTRANTS = [
    ("Maya Okonkwo", 2, "Riverbend High School", ""), ("Luis Ortega", 1, "", ""),
    ("Hannah Brooks", 4, "First Street Congregation", "Two of us use wheelchairs."),
    ("Tom Nakamura", 1, "Ash County Health Department", ""),
    ("Grace Liu", 3, "Nursing students, Riverbend College", ""),
    ("Omar Haddad", 2, "", "ASL interpretation, please."), ("Ruth Feld", 1, "", ""),
    ("Jamal Carter", 5, "Eastside Youth League", ""), ("Ines Moreau", 2, "", ""),
    ("Kevin O'Neill", 3, "Millrace Hardware", ""), ("Sofia Alvarez", 4, "", ""),
    ("Walter Briggs", 1, "", ""),  # a challenger in the demo contacts: held for the liaison
    ("Dee Washington", 3, "Riverbend Public Library", ""),
    ("Beatriz Santos", 3, "", ""), ("Ken Yamada", 2, "Ash County Recovery Network", ""),
]
WAITLIST = [("Paul Svensson", 3, ""), ("Amara Diallo", 4, "Step-free seating near the front.")]


def _registration(event: Event, name: str, size: int, affiliation: str, needs: str,
                  status: RegistrationStatus, at) -> Registration:
    handle = name.lower().replace(" ", ".").replace("'", "")
    nonce, hashed = registrations.new_token()
    reg = Registration(event_id=event.id, name=name, email=f"{handle}@example.org",
                       affiliation=affiliation or None, group_size=size,
                       accessibility=needs or None, contact_consent=len(name) % 2 == 0,
                       token_nonce=nonce, token_hash=hashed,
                       status=status, created_at=at,
                       waitlisted_at=at if status == RegistrationStatus.waitlisted else None)
    matches = screen(Booker.of(reg))
    reg.screening = [m.as_dict() for m in matches]
    reg.held, reg.blocked = bool(matches), any(m.block for m in matches)
    db.session.add(reg)
    return reg


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
    """A handful of events around today at plausible local times, invitations and answers,
    and registrations for the public events."""
    if db.session.scalar(select(Event.id).limit(1)) is not None:
        return
    staff = team()
    contacts = db.session.scalars(select(Contact).order_by(Contact.id).limit(12)).all()
    zone, today = clock.org_zone(), clock.today()
    town = f", {program.TOWN}"
    for i, (title, kind, days, rule, (hour, minute), hours, public, capacity, registration,
            private, description, access, place, address) in enumerate(STORY):
        day = _on(today + timedelta(days=days), rule)
        start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        title = _words(title, day)
        event = Event(uid=new_uid(), slug=new_slug(title), title=title, kind=kind,
                      starts_at=start.astimezone(UTC),
                      ends_at=(start + timedelta(hours=hours)).astimezone(UTC),
                      location=_words(place, day), address=(address or program.street()) + town,
                      address_invitees_only=private, description=description,
                      accessibility=access, capacity=capacity, is_public=public,
                      registration_open=registration, status=EventStatus.scheduled)
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
        if kind == EventKind.open_house and registration:
            _register_open_house(event)
        elif registration:
            for n, (name, size, affiliation, needs) in enumerate(REGISTRANTS[:4]):
                _registration(event, name, size, affiliation, needs,
                              RegistrationStatus.registered, utcnow() - timedelta(hours=n))
    db.session.flush()


def _register_open_house(event: Event) -> None:
    earlier = utcnow() - timedelta(days=6)
    for n, (name, size, affiliation, needs) in enumerate(REGISTRANTS):
        _registration(event, name, size, affiliation, needs, RegistrationStatus.registered,
                      earlier + timedelta(hours=5 * n))
    _registration(event, "Nell Turner", 2, "", "", RegistrationStatus.cancelled,
                  earlier + timedelta(hours=2))
    for n, (name, size, needs) in enumerate(WAITLIST):
        _registration(event, name, size, "", needs, RegistrationStatus.waitlisted,
                      utcnow() - timedelta(hours=20 - n))


def scale(n: int) -> dict[str, int]:
    """One event per 10 contacts (5,000 at 50,000), spread over two years."""
    count = max(n // 10, 1)
    start = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=365)
    db.session.execute(db.insert(Event), [
        {"uid": (uid := new_uid()), "slug": f"community-event-{uid.split('@')[0][6:]}",
         "sequence": 0, "title": f"Community event {i}",
         "kind": EventKind.open_house if i % 4 == 0 else EventKind.other,
         "starts_at": start + timedelta(hours=3 * i), "ends_at": start + timedelta(hours=3 * i + 2),
         "location": "Drop-in center", "address": program.street(),
         "address_invitees_only": False, "description": "", "accessibility": "",
         "is_public": i % 2 == 0, "registration_open": False,
         "status": EventStatus.scheduled, "created_at": start, "updated_at": start}
        for i in range(count)
    ])
    return {"events": count}
