"""Demo media page: spokespeople, rota, settings, statements, inquiries and coverage."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from app.people import phones
from app.press import services
from app.press.models import (
    Coverage,
    Inquiry,
    InquiryStatus,
    PressPage,
    RotaShift,
    Spokesperson,
    Statement,
    Tone,
)
from app.settings import clock, zones
from app.settings import demo as program
from app.settings import services as settings

PEOPLE = [
    ("Dana Reyes", "dana-reyes", "Community Relations Liaison", "she/her", "English, Spanish",
     "+13175550142", "media@riverbend-hr.example", 1),
    ("Sam Okafor", "sam-okafor", "Program Director", "he/him", "English",
     "+13175550178", "sam.okafor@riverbend-hr.example", 2),
    ("Ana Torres", "ana-torres", "Peer Outreach Lead", "they/them", "English, Spanish",
     "+13175550193", "ana.torres@riverbend-hr.example", 3),
]


def seed() -> None:
    """A believable media page for a fictional syringe services program."""
    if db.session.scalar(select(func.count()).select_from(Spokesperson)):
        return
    row = db.session.get(PressPage, services.PAGE_ID) or PressPage(id=services.PAGE_ID)
    org, day = settings.org_name(), clock.today()
    row.boilerplate = (
        f"{org} is a syringe services program serving {program.TOWN}'s river wards since "
        f"{program.FOUNDED}. We offer sterile supplies, naloxone, testing and a warm connection "
        "to care for people who use drugs, and we work alongside neighbors, businesses and "
        "clinics.")
    zone = zones.short_label(settings.timezone_name()).split(" (")[0].removesuffix(" Time")
    row.hours = f"Monday to Friday, 9 am to 6 pm {zone} time"
    row.response_time = "within 2 hours during media hours"
    line = settings.media_line()
    row.after_hours = (f"Call the media line{f' ({phones.format(line)})' if line else ''} and "
                       "leave a message; the on-call spokesperson checks it every evening "
                       "until 9 pm.")
    row.review_interval_days = 30
    row.reviewed_at, row.reviewed_by, row.version = utcnow(), "Dana Reyes", 1
    db.session.add(row)
    people = []
    for name, slug, title, pronouns, languages, phone, email, position in PEOPLE:
        person = Spokesperson(name=name, slug=slug, title=title, pronouns=pronouns,
                              languages=languages, phone=phone, email=email, position=position,
                              bio=f"{name.split()[0]} speaks about harm reduction, naloxone and "
                              "how the program works with its neighbors.")
        db.session.add(person)
        people.append(person)
    db.session.flush()
    db.session.add(RotaShift(spokesperson=people[1], starts_on=day + timedelta(days=7),
                             ends_on=day + timedelta(days=13)))
    db.session.add_all([
        Statement(title="Statement on the county's overdose prevention funding",
                  issued_on=day - timedelta(days=12), published=True,
                  body="We welcome the county's decision to fund naloxone distribution. "
                  "Every overdose reversed is a neighbor who goes home."),
        Statement(title=f"{org} opens its doors for a community open house",
                  issued_on=day - timedelta(days=40), published=True,
                  body="Neighbors are invited to tour the program on a quiet afternoon and "
                  "meet the team."),
        Statement(title="Draft: response to the zoning hearing", issued_on=day, published=False,
                  body="Not ready to publish."),
    ])
    now = utcnow()
    db.session.add_all([
        Inquiry(journalist_name="Jordan Blake", journalist_email="jblake@rivertimes.example",
                outlet="River Times", topic="Naloxone vending machines downtown",
                deadline=now + timedelta(hours=5), status=InquiryStatus.new),
        Inquiry(journalist_name="Morgan Lee", journalist_email="mlee@wrvb.example",
                outlet="WRVB Radio", topic="One year of the mobile van",
                deadline=now - timedelta(days=3), status=InquiryStatus.answered,
                spokesperson=None),
    ])
    for i, (outlet, headline, tone) in enumerate([
        ("River Times", "Van brings naloxone to the river wards", Tone.positive),
        ("WRVB Radio", "Neighbors split over program's new site", Tone.neutral),
        ("Eastside Ledger", "Council members question syringe program", Tone.negative),
        ("River Times", "Overdose deaths fall for a second year", Tone.positive),
    ]):
        db.session.add(Coverage(outlet=outlet, headline=headline, tone=tone,
                                published_on=day - timedelta(days=20 + 45 * i),
                                url="https://news.example/story", quoted="Dana Reyes"))


def scale(n: int) -> dict[str, int]:
    """Inquiries and coverage in proportion to n contacts (1 per 50)."""
    now, day = utcnow(), clock.today()
    count = max(n // 50, 1)
    db.session.add_all(Inquiry(
        journalist_name=f"Reporter {i}", journalist_email=f"reporter{i}@news.example",
        outlet=f"Outlet {i % 40}", topic="Bulk inquiry", deadline=now - timedelta(hours=i),
        status=InquiryStatus.answered) for i in range(count))
    db.session.add_all(Coverage(
        outlet=f"Outlet {i % 40}", headline=f"Story {i}", tone=list(Tone)[i % 3],
        published_on=day - timedelta(days=i % 365)) for i in range(count))
    db.session.flush()
    return {"press inquiries": count, "press coverage": count}
