"""Press test data: the press page, spokespeople, statements, inquiries and coverage
(flushed, not committed)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from app.database import utcnow
from app.extensions import db
from app.press.models import Coverage, Inquiry, PressPage, Spokesperson, Statement, Tone
from app.settings import clock
from tests.factories.sequence import next_n


def make_page(**overrides) -> PressPage:
    values = {"id": 1, "boilerplate": "We are a syringe services program.",
              "hours": "Mon to Fri 9 to 5", "response_time": "within 2 hours",
              "after_hours": "Leave a message.", "version": 1}
    values.update(overrides)
    row = PressPage(**values)
    db.session.add(row)
    db.session.flush()
    return row


def make_spokesperson(**overrides) -> Spokesperson:
    n = next_n()
    values = {"name": f"Speaker Number{n}", "slug": f"speaker-{n}", "title": "Spokesperson",
              "phone": f"+1312555{n % 10000:04d}", "email": f"speaker{n}@program.example",
              "position": n}
    values.update(overrides)
    person = Spokesperson(**values)
    db.session.add(person)
    db.session.flush()
    return person


def make_statement(**overrides) -> Statement:
    n = next_n()
    values = {"title": f"Statement {n}", "issued_on": date.today(), "body": "Body text.",
              "published": True}
    values.update(overrides)
    row = Statement(**values)
    db.session.add(row)
    db.session.flush()
    return row


def deadline_at_noon(days: int = 1) -> datetime:
    """A deadline as a journalist types it: noon on the organization's date `days` from today,
    aware in its zone. Not "now + N hours": that wall time falls in a daylight-saving gap (the
    form refuses it) or overlap (the form asks which one) for an hour twice a year."""
    return datetime.combine(clock.today() + timedelta(days=days), time(12),
                            tzinfo=clock.org_zone())


def make_inquiry(**overrides) -> Inquiry:
    n = next_n()
    values = {"journalist_name": f"Reporter {n}", "journalist_email": f"r{n}@news.example",
              "outlet": f"Outlet {n}", "topic": "A story", "deadline": utcnow() +
              timedelta(hours=3)}
    values.update(overrides)
    row = Inquiry(**values)
    db.session.add(row)
    db.session.flush()
    return row


def make_coverage(**overrides) -> Coverage:
    n = next_n()
    values = {"outlet": f"Outlet {n}", "published_on": date.today(), "headline": f"Story {n}",
              "tone": Tone.positive}
    values.update(overrides)
    row = Coverage(**values)
    db.session.add(row)
    db.session.flush()
    return row
