"""The public events pages: what they show (time in the organization's zone, the public
place only, accessibility notes, JSON-LD, a calendar file, the feed both ways), how they are
cached (no session, no cookie, one ETag, 304s), stable unique slugs, and query counts that
don't grow with the data."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from app.events.models import Event, EventStatus, Registration, RegistrationStatus
from app.events.registrations import new_token
from app.events.services import new_slug
from app.extensions import db
from app.settings import services as settings
from app.system.shared_bodies import forget
from tests.conftest import count_queries, page_query_counts
from tests.events.conftest import open_event, register
from tests.factories import make_event, make_invitee

pytestmark = pytest.mark.usefixtures("public_address")

FUTURE = datetime(2031, 7, 12, 22, 0, tzinfo=UTC)  # 5:00 PM in Chicago (CDT)


def _json_ld(html: str):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html,
                                re.S).group(1))


def test_the_list_shows_upcoming_public_events_only(app, client):
    settings.put("timezone", "America/Chicago")
    shown = open_event(app, title="Spring open house", starts_at=FUTURE, capacity=40,
                       ends_at=FUTURE + timedelta(hours=2), address="12 Hidden Lane",
                       address_invitees_only=True)
    make_event(title="Board retreat", is_public=False)
    make_event(title="Last year's picnic", starts_at=FUTURE.replace(year=2020),
               ends_at=FUTURE.replace(year=2020) + timedelta(hours=1))
    db.session.commit()
    response = client.get("/public-events")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Spring open house" in html and "Board retreat" not in html
    assert "picnic" not in html
    assert "Saturday, July 12, 2031, 5:00 PM to 7:00 PM CDT" in html
    assert "Riverbend drop-in center" in html and "12 Hidden Lane" not in html
    assert f'href="/public-events/{shown.slug}"' in html
    assert f'href="/public-events/{shown.slug}.ics"' in html
    assert 'href="/calendar/public.ics"' in html
    assert "Places available" in html
    (item,) = _json_ld(html)
    assert item["@type"] == "Event" and item["name"] == "Spring open house"
    assert item["startDate"] == "2031-07-12T17:00-05:00"
    assert "address" not in item["location"]


def test_an_event_page_its_json_ld_and_calendar_file(app, client):
    event = open_event(app, starts_at=FUTURE, ends_at=FUTURE + timedelta(hours=2),
                       description="Meet the team.", address="12 Main St")
    html = client.get(f"/public-events/{event.slug}").get_data(as_text=True)
    assert "Meet the team." in html and "Step-free entrance on River St." in html
    assert "Riverbend drop-in center, 12 Main St" in html
    assert 'name="form_token"' in html and 'name="website"' in html
    data = _json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"] == {"@type": "Place", "name": "Riverbend drop-in center",
                                "address": "12 Main St"}
    assert data["url"] == f"http://events.test/public-events/{event.slug}"
    assert data["endDate"] == "2031-07-12T19:00-05:00"

    ics = client.get(f"/public-events/{event.slug}.ics")
    assert ics.headers["Content-Type"] == "text/calendar; charset=utf-8"
    (vevent,) = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    assert vevent.decoded("DTSTART") == FUTURE
    assert str(vevent["UID"]) == event.uid
    assert str(vevent["URL"]) == f"http://events.test/public-events/{event.slug}"
    assert client.get(f"/public-events/{event.slug}.ics",
                      headers={"If-None-Match": ics.headers["ETag"]}).status_code == 304


def test_the_feed_and_the_pages_link_to_each_other(app, client):
    event = open_event(app)
    feed = icalendar.Calendar.from_ical(client.get("/calendar/public.ics").data)
    (vevent,) = feed.walk("VEVENT")
    assert str(vevent["URL"]) == f"http://events.test/public-events/{event.slug}"
    for page in ("/public-events", f"/public-events/{event.slug}"):
        html = client.get(page).get_data(as_text=True)
        assert 'href="/calendar/public.ics"' in html
        assert 'rel="alternate" type="text/calendar"' in html


def test_a_hidden_address_stays_off_every_public_url(app, client):
    event = open_event(app, address="Secret 42 Elm", address_invitees_only=True)
    for url in ("/public-events", f"/public-events/{event.slug}",
                f"/public-events/{event.slug}.ics", "/calendar/public.ics",
                f"/public-events/registered?event={event.slug}"):
        body = client.get(url).get_data(as_text=True)
        assert "Secret 42 Elm" not in body, url
    page = client.get(f"/public-events/{event.slug}").get_data(as_text=True)
    assert "We email the address to you once your place is confirmed." in page


def test_private_past_and_unknown_events_are_404_and_the_past_is_still_readable(app, client):
    private = make_event(is_public=False)
    past = make_event(starts_at=FUTURE.replace(year=2020),
                      ends_at=FUTURE.replace(year=2020) + timedelta(hours=1),
                      registration_open=True)
    db.session.commit()
    assert client.get(f"/public-events/{private.slug}").status_code == 404
    assert client.get(f"/public-events/{private.slug}.ics").status_code == 404
    assert client.get("/public-events/no-such-event").status_code == 404
    assert client.get("/public-events/%00nul").status_code in (400, 404)
    assert client.get("/public-events/" + "a" * 500).status_code == 404
    old = client.get(f"/public-events/{past.slug}").get_data(as_text=True)
    assert "This event has ended." in old and 'name="form_token"' not in old


def test_a_cancelled_event_says_so_and_takes_no_registrations(app, client):
    event = open_event(app, status=EventStatus.cancelled)
    html = client.get(f"/public-events/{event.slug}").get_data(as_text=True)
    assert "This event has been cancelled." in html and 'name="form_token"' not in html
    assert _json_ld(html)["eventStatus"] == "https://schema.org/EventCancelled"
    assert register(client, event).status_code == 409


def test_cached_like_the_media_page(app, client):
    """No session or cookie for readers; one ETag for everybody; a 304 on a match; a new
    ETag when what the page shows changes."""
    event = open_event(app, capacity=2)
    urls = ["/public-events", f"/public-events/{event.slug}",
            f"/public-events/registered?event={event.slug}"]
    tags = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.headers.get("Vary", ""), url
        assert response.headers["Cache-Control"] == "public, max-age=60", url
        tags[url] = response.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": tags[url]})
        assert again.status_code == 304 and again.data == b""
        weak = client.get(url, headers={"If-None-Match": "W/" + tags[url]})
        assert weak.status_code == 304  # a proxy that gzips sends the tag back weak
    assert client.get(urls[1]).headers["ETag"] == tags[urls[1]]  # the same for everyone
    register(client, event, group_size="2")  # now full: the page says so
    full = client.get(urls[1])
    assert full.headers["ETag"] != tags[urls[1]]
    assert "Full: join the waitlist" in full.get_data(as_text=True)
    event.title = "Spring open house (moved indoors)"
    db.session.commit()
    assert client.get(urls[0]).headers["ETag"] != tags[urls[0]]


def test_a_signed_in_visitor_gets_a_private_copy(app, as_liaison):
    event = open_event(app)
    response = as_liaison.get(f"/public-events/{event.slug}")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_availability_is_coarse_on_public_pages(app, client):
    """The public sees "available", "a few left" or "full", never a count."""
    # At a fixed time: a start such as 10:40 would put "40" on the page.
    event = open_event(app, capacity=40, starts_at=FUTURE, ends_at=FUTURE + timedelta(hours=2))
    page = client.get(f"/public-events/{event.slug}").get_data(as_text=True)
    assert "Places available" in page and "40" not in page.split("<main")[1].split("Register")[0]
    for n in range(36):
        db.session.add(Registration(event_id=event.id, name=f"P{n}", email=f"p{n}@example.org",
                                    group_size=1, status=RegistrationStatus.registered,
                                    token_nonce=str(n), token_hash=new_token()[1]))
    db.session.commit()
    assert "A few places left" in client.get(f"/public-events/{event.slug}").get_data(
        as_text=True)


def test_slugs_are_unique_stable_and_never_reserved_words(app, as_liaison):
    form = {"title": "Spring Open House!", "kind": "open_house", "starts": "2031-05-01T17:00",
            "ends": "2031-05-01T19:00", "timezone": "America/Chicago", "status": "scheduled",
            "is_public": "y", "registration_open": "y", "capacity": "30"}
    for _ in range(2):
        assert as_liaison.post("/events/new", data=form).status_code == 303
    first, second = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert (first.slug, second.slug) == ("spring-open-house", "spring-open-house-2")
    as_liaison.post(f"/events/{first.id}/edit", data={**form, "title": "Summer open house"})
    db.session.refresh(first)
    assert first.title == "Summer open house" and first.slug == "spring-open-house"
    assert new_slug("Registration") == "registration-2"
    assert new_slug("Registered") == "registered-2"
    assert new_slug("¡Fiesta de Año Nuevo!") == "fiesta-de-ano-nuevo"
    assert new_slug("🎉🎉") == "event"
    made = make_event(title="Spring open house")  # made without a slug: one is found
    assert made.slug == "spring-open-house-3"


def test_registration_needs_a_public_event(as_liaison):
    response = as_liaison.post("/events/new", data={
        "title": "Board retreat", "kind": "other", "starts": "2031-05-01T17:00",
        "ends": "2031-05-01T19:00", "timezone": "America/Chicago", "status": "scheduled",
        "registration_open": "y"})
    assert response.status_code == 422
    assert "Only a public event can take registrations" in response.get_data(as_text=True)
    assert db.session.scalar(select(Event.id)) is None


def _many_events(n: int) -> None:
    for i in range(n):
        event = make_event(title=f"Gathering {i}", capacity=50, registration_open=i % 2 == 0,
                           starts_at=FUTURE + timedelta(days=i),
                           ends_at=FUTURE + timedelta(days=i, hours=2))
        db.session.add(Registration(event_id=event.id, name="A", email=f"a{i}@example.org",
                                    group_size=2, token_nonce=str(i),
                                    token_hash=new_token()[1]))
    db.session.commit()


def test_public_pages_cost_the_same_for_3_or_60_events(app, client):
    app.config.update(PUBLIC_BASE_URL="http://events.test")
    _many_events(3)
    event = db.session.scalars(select(Event).where(Event.registration_open.is_(True))).first()
    pages = ["/public-events", "/public-events/{slug}", "/public-events/{slug}.ics"]
    small = page_query_counts(client, pages, {"slug": event.slug})
    _many_events(57)
    forget("public_events")
    large = page_query_counts(client, pages, {"slug": event.slug})
    assert small == large, (small, large)
    assert max(large.values()) <= 3, large  # the settings, the events, their places


def test_a_304_renders_nothing(app, client):
    url = f"/public-events/{open_event(app).slug}"
    tag = client.get(url).headers["ETag"]
    forget("public_events")
    with count_queries() as n:
        assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    assert n() <= 3  # the event, its places, the settings: no rendering, nothing else


def test_invitees_who_said_yes_take_places_too(app, client):
    from app.events import invitations
    from app.events.models import Answer

    event = open_event(app, capacity=2)
    people = [make_invitee(), make_invitee()]
    db.session.commit()
    invitations.invite(event, [p.id for p in people], None)
    for inv in invitations.invitations_of(event):
        inv.answer = Answer.yes
    db.session.commit()
    page = client.get(f"/public-events/{event.slug}").get_data(as_text=True)
    assert "Full: join the waitlist" in page
    register(client, event)
    assert db.session.scalars(select(Registration)).one().status == RegistrationStatus.waitlisted
