"""The demo is one program: one name, one address, one media line, one time zone, and
events at the local times and in the seasons such things happen."""

from __future__ import annotations

from sqlalchemy import select

from app.events.demo import season
from app.events.models import Event, EventKind
from app.extensions import db
from app.places.models import ServiceSite
from app.press.models import PressPage, Statement
from app.settings import clock
from app.settings import demo as program
from app.settings import services as settings
from app.system.demo import load_demo
from app.tours import services as tours


def everything_the_demo_wrote() -> str:
    """The demo's public words: media page, statements, tour address, events, map site."""
    page = db.session.get(PressPage, 1)
    parts = [page.boilerplate, page.hours, page.after_hours, tours.tour_settings().address]
    parts += db.session.scalars(select(Statement.title)).all()
    for event in db.session.scalars(select(Event)):
        parts += [event.title, event.location, event.address]
    parts += db.session.scalars(select(ServiceSite.name)).all()
    return "\n".join(parts)


def test_the_demo_names_one_program_everywhere(app):
    load_demo()
    db.session.commit()
    who = settings.identity()
    assert who.name == "Riverbend Harm Reduction"
    assert who.timezone == "America/Indiana/Indianapolis"  # the map's town is in Indiana
    assert who.public_address == "410 Mill Street\nRiverbend, Indiana"
    assert who.media_line == "+13175550100"
    words = everything_the_demo_wrote()
    assert "Riverbend Harm Reduction is a syringe services program" in words
    assert "Riverbend Harm Reduction opens its doors" in words
    assert "Riverbend Harm Reduction\n410 Mill Street, side entrance" in words
    assert "Call the media line ((317) 555-0100)" in words
    assert "Eastern time" in words
    for other in ("Riverbend Health Outreach", "410 River St", "Central"):
        assert other not in words  # the names and addresses the demo used to mix
    own = [e for e in db.session.scalars(select(Event)) if "drop-in center" in e.location]
    assert own and all(e.address == "410 Mill Street, Riverbend" for e in own)
    assert db.session.scalars(select(ServiceSite.name)).all() == ["Riverbend Harm Reduction"]


def test_demo_events_happen_at_plausible_local_times_and_seasons(app):
    load_demo()
    db.session.commit()
    for event in db.session.scalars(select(Event)):
        start, end = clock.local(event.starts_at), clock.local(event.ends_at)
        assert start.hour >= 9 and end.hour <= 21 and start.date() == end.date(), event.title
        if event.kind is EventKind.celebration:
            assert start.weekday() == 5  # a Saturday afternoon
            assert f"{start.year - program.FOUNDED} years of Riverbend Harm Reduction" \
                in event.title
        else:
            assert start.weekday() < 5, event.title
        if event.kind is EventKind.open_house:
            assert event.title == f"{season(start.date())} open house"
            assert start.hour >= 17  # after services close: participants' privacy


def test_a_program_named_at_setup_keeps_its_name_and_zone(app):
    settings.save_organization(name="Harbor Health Outreach", timezone="America/Chicago",
                               region="US", public_address="", media_line="")
    load_demo()
    db.session.commit()
    who = settings.identity()
    assert (who.name, who.timezone) == ("Harbor Health Outreach", "America/Chicago")
    assert who.public_address == program.PROGRAM["public_address"]  # filled in: it was empty
    words = everything_the_demo_wrote()
    assert "Riverbend Harm Reduction" not in words.replace(
        "Riverbend Harm Reduction Coalition", "")
    assert "Harbor Health Outreach is a syringe services program" in words
    assert "Harbor Health Outreach\n410 Mill Street, side entrance" in words
    assert "Central time" in words


def test_seasons():
    from datetime import date

    assert [season(date(2026, m, 1)) for m in (1, 3, 6, 9, 12)] == [
        "Winter", "Spring", "Summer", "Fall", "Winter"]
