"""The small things that say "made with care": counts that agree with their number, lists
sorted by name paged with neutral words, and `/tours/`, `/press/` leading where people meant."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.people.queries import PAGE_SIZE
from app.system.words import noun, plural
from tests.factories import make_contact, make_contacts, make_organization

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(("count", "one", "many", "said"), [
    (0, "note", None, "0 notes"),
    (1, "note", None, "1 note"),
    (2, "note", None, "2 notes"),
    (1, "person", "people", "1 person"),
    (1204, "person", "people", "1,204 people"),
    (-1, "day", None, "-1 days"),
])
def test_plural(count, one, many, said):
    assert plural(count, one, many) == said
    assert said.endswith(noun(count, one, many))


def test_plural_of_a_count_that_stopped_at_its_cap():
    assert plural(1000, "contact", capped=True) == "1,000+ contacts"
    assert plural(1, "person", "people", capped=True) == "1+ people"


def test_templates_count_with_the_filter_not_by_hand():
    """No template builds its own plural (`{{ n }} thing{{ '' if n == 1 else 's' }}`) nor
    prints a number before a fixed plural noun (`{{ n }} contacts`)."""
    by_hand = re.compile(r"""if [^%}]*(==|!=) ?1 else ['"]s?['"]|[a-z]\(s\)(?!\s*\}\})""")
    fixed = re.compile(r"\{\{ ?[\w.\[\]'()]+ ?\}\}(</strong>)? (contacts|organizations|people|"
                       r"notes|days|hours|rows|places|commitments|invitations|messages)\b")
    found = [f"{p.relative_to(TEMPLATES)}: {m.group(0)}"
             for p in TEMPLATES.rglob("*.*") for m in (*by_hand.finditer(p.read_text()),
                                                       *fixed.finditer(p.read_text()))]
    assert found == []


def test_one_is_one_on_the_pages(app, as_staff):
    org = make_organization(name="Only Org")
    make_contact(first_name="Ada", last_name="Lone", organization_id=org.id)
    db.session.commit()
    assert "1 organization<" in as_staff.get("/people/organizations/").get_data(as_text=True)
    assert "1 person" in as_staff.get("/people/").get_data(as_text=True)


def test_a_list_by_name_pages_with_neutral_words(app, as_staff):
    make_contacts([{"first_name": "P", "last_name": f"N{i:03}"} for i in range(PAGE_SIZE + 2)])
    db.session.commit()
    html = as_staff.get("/people/?sort=name").get_data(as_text=True)
    assert "Next →" in html and "Older" not in html
    html = as_staff.get("/people/?sort=name&page=2").get_data(as_text=True)
    assert "← Previous" in html and "Newer" not in html


@pytest.mark.parametrize(("typed", "lands"), [
    ("/tours/", "/tours"),
    ("/press/", "/press"),
    ("/press//", "/press"),
    ("/tours/?at=2026-01-01", "/tours?at=2026-01-01"),
])
def test_a_trailing_slash_leads_to_the_page(client, typed, lands):
    response = client.get(typed)
    assert response.status_code == 308 and response.location == lands
    assert client.get(response.location).status_code == 200


def test_a_trailing_slash_keeps_the_method_and_refuses_what_does_not_exist(client):
    assert client.post("/tours/").status_code == 308  # the browser posts again, to /tours
    assert client.get("/nowhere/").status_code == 404
    assert client.get("/").status_code in (302, 303)  # the root is never stripped
    # a view's own 404 (no such booking) stays one, with or without the slash
    assert client.get("/tours/booking/nope").status_code == 404
    assert client.get("/tours/booking/nope/", follow_redirects=True).status_code == 404


# --- times on the organization's clock --------------------------------------------------------


@pytest.mark.parametrize(("typed", "minute"), [
    ("2:30 pm", 14 * 60 + 30), ("2:30PM", 14 * 60 + 30), ("2:30 p.m.", 14 * 60 + 30),
    ("2pm", 14 * 60), ("14:30", 14 * 60 + 30), ("14.30", 14 * 60 + 30), ("14h30", 14 * 60 + 30),
    ("9", 9 * 60), ("09:05", 9 * 60 + 5), ("12 am", 0), ("12:15 pm", 12 * 60 + 15),
    ("noon", 12 * 60), ("Midnight", 0),
])
def test_a_time_reads_on_either_clock(typed, minute):
    from app.settings.clock import parse_clock

    assert parse_clock(typed) == minute


@pytest.mark.parametrize("typed", ["13 pm", "0 am", "25:00", "9:60", "24:00", "soon", "",
                                   "2:30 pm pm", "-1:00", "9:5"])
def test_an_impossible_time_is_refused(typed):
    from app.settings.clock import parse_clock

    with pytest.raises(ValueError):
        parse_clock(typed)


def test_the_end_of_the_day_reads_as_24_00_where_a_range_ends():
    from app.settings.clock import parse_clock

    assert parse_clock("24:00", end=True) == 24 * 60


def test_times_show_on_the_organizations_clock(app):
    from app.settings import clock
    from app.settings import services as settings
    from app.templating import localtime

    moment = datetime(2031, 5, 1, 19, 5, tzinfo=UTC)  # 14:05 in Chicago
    assert clock.twelve_hour()  # the default region, US
    assert clock.format_clock(14 * 60 + 5) == "2:05 PM" and clock.format_clock(0) == "12:00 AM"
    assert localtime(moment) == "May 1, 2031 2:05 PM"
    settings.put("phone_region", "DE")
    assert not clock.twelve_hour()
    assert clock.format_clock(14 * 60 + 5) == "14:05" and clock.format_clock(0) == "00:00"
    assert localtime(moment) == "May 1, 2031 14:05"
    assert localtime(moment, "%a %b %-d, %-I:%M %p") == "Thu May 1, 14:05"


@pytest.mark.parametrize(("typed", "stored"), [
    ("9am-5pm", (540, 1020)), ("9:00 AM - 5:00 PM", (540, 1020)), ("09:00-17:00", (540, 1020)),
    ("6 pm to 8 pm", (1080, 1200)), ("10pm\u20132am", (1320, 120)), ("22:00-24:00", (1320, 1440)),
])
def test_tour_hours_read_on_either_clock(app, typed, stored):
    from app.tours.schedule import parse_range

    assert parse_range(typed) == stored


def test_tour_settings_show_hours_on_the_organizations_clock(app, as_liaison):
    from app.settings import services as settings

    page = as_liaison.get("/tours/manage/settings").get_data(as_text=True)
    assert "9:00 AM - 5:00 PM" in page and "Times like 9:00 AM - 5:00 PM" in page
    settings.put("phone_region", "FR")
    db.session.commit()
    page = as_liaison.get("/tours/manage/settings").get_data(as_text=True)
    assert "09:00 - 17:00" in page and "Times like 09:00 - 17:00" in page


def test_event_times_typed_either_way(app, as_liaison):
    from app.events.models import Event

    def post(starts, ends):
        return as_liaison.post("/events/new", data={
            "title": "Open house", "kind": "open_house", "starts": starts, "ends": ends,
            "timezone": "America/Chicago", "status": "scheduled"})

    response = post(["2031-05-01", "2:30 pm"], ["2031-05-01", "16:00"])
    assert response.status_code == 303, response.get_data(as_text=True)
    event = db.session.scalars(select(Event)).one()
    assert event.starts_at == datetime(2031, 5, 1, 19, 30, tzinfo=UTC)
    assert event.ends_at == datetime(2031, 5, 1, 21, 0, tzinfo=UTC)
    page = as_liaison.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2:30 PM"' in page and 'value="4:00 PM"' in page
    assert 'value="2031-05-01"' in page

    response = post(["2031-05-01", "half past two"], ["2031-05-01", ""])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is not a time like 2:30 PM" in page and "Add a time, like 2:30 PM." in page
    assert 'value="half past two"' in page  # what was typed comes back to be fixed
    assert db.session.scalars(select(Event)).all() == [event]
