"""Event pages: create, edit, validation (422, never 500), access, calendar views, queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.events.models import Event, EventKind
from app.extensions import db
from tests.conftest import count_queries
from tests.factories import make_event, make_invitee


def _form(**overrides) -> dict:
    data = {"title": "Open house", "kind": "open_house", "starts": "2031-05-01T17:00",
            "ends": "2031-05-01T19:00", "timezone": "America/Chicago", "location": "Drop-in",
            "address": "12 Main St", "description": "Come meet us", "capacity": "30",
            "status": "scheduled", "is_public": "y"}
    data.update(overrides)
    return data


def test_create_event_stores_utc_and_shows_org_zone(as_liaison):
    response = as_liaison.post("/events/new", data=_form())
    assert response.status_code == 303
    event = db.session.scalars(select(Event)).one()
    assert event.starts_at.isoformat() == "2031-05-01T22:00:00+00:00"  # 17:00 CDT
    assert event.kind == EventKind.open_house and event.capacity == 30 and event.sequence == 0
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    page = as_liaison.get(f"/events/{event.id}").get_data(as_text=True)
    assert "5:00 PM" in page and "America/Chicago" in page


@pytest.mark.parametrize("overrides, message", [
    ({"ends": "2031-05-01T16:00"}, "The end must be after the start."),
    ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
    ({"capacity": "-1"}, "Capacity can&#39;t be below zero."),
    ({"description": "x" * 200_000}, "Keep the description under"),
    ({"title": ""}, "Give the event a title."),
    ({"starts": "not a date"}, "Not a valid datetime value."),
    ({"hosts": "99999"}, "is not a valid choice"),
])
def test_bad_input_is_422_with_message_and_nothing_saved(as_liaison, overrides, message):
    response = as_liaison.post("/events/new", data=_form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Event.id)) is None


def test_edit_bumps_sequence_only_for_changes_that_matter(as_liaison):
    event = make_event()
    db.session.commit()
    zone_form = _form(title=event.title)
    as_liaison.post(f"/events/{event.id}/edit", data=zone_form)
    db.session.refresh(event)
    first = event.sequence
    assert first == 1
    as_liaison.post(f"/events/{event.id}/edit", data=zone_form)  # nothing changed
    db.session.refresh(event)
    assert event.sequence == first
    later = _form(title=event.title, starts="2031-05-01T18:00")
    as_liaison.post(f"/events/{event.id}/edit", data=later)
    db.session.refresh(event)
    assert event.sequence == first + 1


def test_staff_can_read_but_not_plan(as_staff):
    event = make_event()
    db.session.commit()
    assert as_staff.get("/events/").status_code == 200
    assert as_staff.get(f"/events/{event.id}").status_code == 200
    assert as_staff.get(f"/events/{event.id}.ics").status_code == 200
    assert as_staff.get("/events/new").status_code == 403
    assert as_staff.post(f"/events/{event.id}/cancel").status_code == 403


def test_anonymous_is_refused(client):
    event = make_event()
    db.session.commit()
    for url in ("/events/", f"/events/{event.id}", f"/events/{event.id}.ics", "/events/calendar"):
        assert client.get(url).status_code in (302, 401)


def test_month_view_full_page_and_htmx_fragment(as_liaison):
    make_event(title="Spring celebration")
    db.session.commit()
    month = (make_event().starts_at).strftime("%Y-%m")
    db.session.commit()
    full = as_liaison.get(f"/events/?view=month&month={month}")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    assert "Spring celebration" in full.get_data(as_text=True)
    fragment = as_liaison.get(f"/events/?view=month&month={month}", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Spring celebration" in body
    assert "HX-Request" in fragment.headers["Vary"]
    assert as_liaison.get("/events/?view=month&month=garbage").status_code == 200


def test_cancel_is_post_only_and_marks_event(as_liaison):
    event = make_event()
    db.session.commit()
    assert as_liaison.get(f"/events/{event.id}/cancel").status_code == 405
    assert as_liaison.post(f"/events/{event.id}/cancel").status_code == 303
    db.session.refresh(event)
    assert event.cancelled and event.sequence == 1


def test_query_counts_do_not_grow_with_rows(as_liaison):
    def pages():
        event = db.session.scalars(select(Event).order_by(Event.id)).first()
        counts = []
        urls = ("/events/", "/events/?view=month", f"/events/{event.id}", "/calendar/public.ics")
        for url in urls:
            with count_queries() as n:
                assert as_liaison.get(url).status_code == 200
            counts.append(n())
        return counts

    first = make_event()
    contacts = [make_invitee() for _ in range(3)]
    db.session.commit()
    from app.events.invitations import invite
    invite(first, [c.id for c in contacts], None)
    db.session.commit()
    small = pages()
    for i in range(40):
        make_event(title=f"Bulk {i}", starts_at=first.starts_at + timedelta(hours=i),
                   ends_at=first.starts_at + timedelta(hours=i + 1))
    more = [make_invitee() for _ in range(30)]
    db.session.commit()
    invite(first, [c.id for c in more], None)
    db.session.commit()
    assert pages() == small


def test_dashboard_panel_settings_and_calendar_pages(as_liaison):
    make_event(title="Panel event", starts_at=make_event().starts_at - timedelta(days=5))
    db.session.commit()
    assert "Panel event" in as_liaison.get("/").get_data(as_text=True)
    assert "webcal://" in as_liaison.get("/events/calendar").get_data(as_text=True)
    assert as_liaison.get("/events/settings").status_code == 200
    bad = as_liaison.post("/events/settings", data={"reminder_days": "-3"})
    assert bad.status_code == 422
    assert as_liaison.post("/events/settings", data={
        "reminder_days": "5", "reask_minutes": "60", "reask_place": "y", "offer_hours": "12",
        "purge_days": "60"}).status_code == 303
    from app.events.reminders import reminder_days
    assert reminder_days() == 5


def test_demo_seed_and_scale(app):
    from app.system.demo import load_demo, load_scale
    load_demo()
    assert db.session.scalar(select(Event.id).limit(1)) is not None
    assert load_scale(50)["events"] == 5
