"""Public and staff tour routes: pages, 422s, the lifecycle, and what staff can do."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.tours.models import Status, TourBooking
from tests.conftest import count_queries
from tests.tours.conftest import book, first_open, form_data, without_csrf


def bookings():
    return db.session.scalars(select(TourBooking).order_by(TourBooking.id)).all()


def test_public_page_lists_slots_without_signing_in(client, tours):
    response = client.get("/tours")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "What a tour is" in body
    assert f'value="{first_open().key}"' in body
    assert 'for="name"' in body and 'id="name"' in body


def test_htmx_paging_returns_only_the_slots(client, tours):
    response = client.get("/tours?from=2099-01-01", headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<fieldset")
    assert "HX-Request" in response.headers["Vary"]


def test_booking_request_redirects_and_stores_a_pending_request(client, tours):
    slot = first_open()
    response = client.post("/tours", data=form_data(slot))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/tours/requested?at={slot.key}&people=2")
    (b,) = bookings()
    assert b.status == Status.pending and b.group_size == 2 and b.email_confirmed_at is None
    assert b.token_hash and len(b.token_hash) == 64
    assert b.ip_hash and "127.0.0.1" not in b.ip_hash
    # Nothing is held until the visitor confirms their email: the slot still has 5 seats.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "confirm your email" in page and "for 2 people" in page
    assert client.post("/tours", data=form_data(slot, email="b@example.org",
                                                group_size="5")).status_code == 303


def test_requested_page_shrugs_off_odd_times(client, tours):
    for query in ("", "?at=nope&people=-3", "?at=99991231T235959Z&people=9999999999999",
                  "?at=00010101T000000Z", "?people=%C3%A9"):
        response = client.get("/tours/requested" + query)
        assert response.status_code == 200, query
        assert "You asked for" not in response.get_data(as_text=True), query


def test_missing_fields_answer_422_beside_fields(client, tours):
    response = client.post("/tours", data=form_data(name="", email="nope", guidelines=None,
                                                    group_size="lots"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="name-error"' in body and 'id="email-error"' in body
    assert 'id="guidelines-error"' in body and 'id="group_size-error"' in body
    assert 'aria-describedby="name-error"' in body or 'name-error"' in body
    assert db.session.scalar(select(func.count(TourBooking.id))) == 0


def test_honeypot_gets_the_ordinary_answer_and_no_booking(client, tours):
    ordinary = client.post("/tours", data=form_data(email="person@example.org"))
    response = client.post("/tours", data=form_data(website="http://spam.example"))
    assert response.status_code == 303
    assert response.headers["Location"] == ordinary.headers["Location"]
    assert [b.email for b in bookings()] == ["person@example.org"]


def test_too_quick_or_forged_timestamp_is_refused(app, client, tours):
    app.config["TOURS_MIN_FILL_SECONDS"] = 60
    assert client.post("/tours", data=form_data()).status_code == 422
    app.config["TOURS_MIN_FILL_SECONDS"] = 0
    assert client.post("/tours", data=form_data(started="forged")).status_code == 422
    assert bookings() == []


def test_group_larger_than_capacity_is_refused(client, tours):
    response = client.post("/tours", data=form_data(group_size="6"))
    assert response.status_code == 422
    assert "Tours take up to 5 people" in response.get_data(as_text=True)


def test_rate_limit_per_email_is_held_in_the_database(app, client, tours):
    app.config["TOURS_RATE_PER_EMAIL"] = 2
    for _ in range(2):
        assert client.post("/tours", data=form_data(group_size="1")).status_code == 303
    response = client.post("/tours", data=form_data(group_size="1"))
    assert response.status_code == 429
    other = app.test_client()  # a fresh client: the count lives in the database, not a cookie
    assert other.post("/tours", data=form_data(group_size="1")).status_code == 429
    assert other.post("/tours", data=form_data(email="x@example.org",
                                               group_size="1")).status_code == 303


def test_rate_limit_per_ip(app, client, tours):
    app.config["TOURS_RATE_PER_IP"] = 1
    assert client.post("/tours", data=form_data(group_size="1")).status_code == 303
    assert client.post("/tours", data=form_data(email="b@example.org",
                                                group_size="1")).status_code == 429


def test_full_slot_says_it_filled_and_offers_nearest(client, tours):
    slot = first_open()
    book(client, group_size="5")
    response = client.post("/tours", data=form_data(slot, email="late@example.org",
                                                    group_size="1"))
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "That time just filled" in body and "nearest open times" in body
    assert len(bookings()) == 1
    # The full slot is no longer offered; the page never says how many booked.
    page = client.get("/tours").get_data(as_text=True)
    assert f'value="{slot.key}"' not in page


def test_same_answer_whether_or_not_the_email_booked_before(client, tours):
    first = client.post("/tours", data=form_data(group_size="1"), follow_redirects=True)
    again = client.post("/tours", data=form_data(group_size="1"), follow_redirects=True)
    assert first.status_code == again.status_code == 200
    assert without_csrf(first.get_data(as_text=True)) == without_csrf(
        again.get_data(as_text=True))


def test_anonymous_cannot_reach_the_staff_side(client, tours):
    for url in ("/tours/manage/", "/tours/manage/settings", "/tours/manage/calendar",
                "/tours/manage/screening"):
        assert client.get(url).status_code == 302


def test_staff_role_cannot_decide(as_staff, tours):
    assert as_staff.get("/tours/manage/").status_code == 403


def test_liaison_confirms_in_one_click_with_htmx(client, as_liaison, tours):
    b = book(client)
    response = as_liaison.post(f"/tours/manage/bookings/{b.id}/confirm",
                               headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith(f'<tr id="booking-{b.id}"')
    assert "tours-changed" in response.headers["HX-Trigger"]
    db.session.refresh(b)
    assert b.status == Status.confirmed


def test_liaison_declines_with_message_without_js(client, as_liaison, tours):
    b = book(client)
    response = as_liaison.post(f"/tours/manage/bookings/{b.id}/decline",
                               data={"message": "We're closed that week."})
    assert response.status_code == 303
    db.session.refresh(b)
    assert b.status == Status.declined and b.decision_message == "We're closed that week."
    again = as_liaison.post(f"/tours/manage/bookings/{b.id}/confirm")
    assert again.status_code == 303
    db.session.refresh(b)
    assert b.status == Status.declined


def test_staff_pages_render(client, as_liaison, tours):
    b = book(client)
    for url in ("/tours/manage/", "/tours/manage/?show=upcoming", "/tours/manage/?show=past",
                "/tours/manage/calendar", f"/tours/manage/bookings/{b.id}",
                "/tours/manage/settings", "/tours/manage/screening", "/"):
        response = as_liaison.get(url)
        assert response.status_code == 200, url
    assert "Robin Visitor" in as_liaison.get("/").get_data(as_text=True)  # dashboard panel


def test_settings_refuse_slots_inside_service_hours(as_liaison, tours):
    page = as_liaison.get("/tours/manage/settings").get_data(as_text=True)
    assert 'value="9:00 AM - 5:00 PM"' in page  # the US writes a 12-hour clock
    data = {"buffer_before": "60", "buffer_after": "60", "slot_minutes": "60", "capacity": "8",
            "notice_hours": "48", "horizon_days": "60", "approval_required": "y",
            "guidelines": "No photos.", "address": "1 Main St", "purge_days": "90",
            "blackout_dates": "2026-12-24", "visitor_seats_per_slot": "6",
            "visitor_seats_per_week": "10"}
    for d in range(7):
        data[f"service_{d}"] = "09:00-17:00"
        data[f"window_{d}"] = ""
    data["window_1"] = "17:00-19:00"  # inside the hour after services close
    response = as_liaison.post("/tours/manage/settings", data=data)
    assert response.status_code == 422
    assert "would fall within service hours" in response.get_data(as_text=True)
    data["window_1"] = "18:00-20:00"
    assert as_liaison.post("/tours/manage/settings", data=data).status_code == 303
    from app.tours.services import tour_settings

    s = tour_settings()
    assert s.tour_windows[1] == [(18 * 60, 20 * 60)] and s.capacity == 8
    assert (s.visitor_seats_per_slot, s.visitor_seats_per_week) == (6, 10)
    data["window_2"] = "nonsense"
    response = as_liaison.post("/tours/manage/settings", data=data)
    assert response.status_code == 422 and 'id="window_2-error"' in response.get_data(as_text=True)


def test_attendance_after_the_tour_and_staff_cancel(client, as_liaison, tours):
    from datetime import timedelta

    from app.database import utcnow

    b = book(client)
    other = book(client, email="second@example.org", group_size="1")
    as_liaison.post(f"/tours/manage/bookings/{b.id}/confirm")
    # Not before the tour starts.
    as_liaison.post(f"/tours/manage/bookings/{b.id}/attendance", data={"attended": "yes"})
    db.session.refresh(b)
    assert b.status == Status.confirmed
    b.slot.starts_at, b.slot.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
    db.session.commit()
    page = as_liaison.get(f"/tours/manage/bookings/{b.id}").get_data(as_text=True)
    assert "They came" in page
    response = as_liaison.post(f"/tours/manage/bookings/{b.id}/attendance",
                               data={"attended": "no"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "tours-changed" in response.headers["HX-Trigger"]
    db.session.refresh(b)
    assert b.status == Status.no_show
    assert as_liaison.post(f"/tours/manage/bookings/{other.id}/cancel").status_code == 303
    db.session.refresh(other)
    assert other.status == Status.cancelled
    refused = as_liaison.post(f"/tours/manage/bookings/{other.id}/cancel",
                              headers={"HX-Request": "true"})
    assert refused.status_code == 409


def test_dashboard_panel_costs_the_same_with_requests_waiting(client, as_liaison, tours):
    """The panel is one statement whether or not requests wait (the dashboard is pinned at
    12 statements); it shows the waiting count and the first ones."""
    with count_queries() as n:
        assert as_liaison.get("/").status_code == 200
    none_waiting = n()
    for i in range(7):
        book(client, i % 3, email=f"visitor{i}@example.org", group_size="1")
    waiting = db.session.scalar(select(func.count()).select_from(TourBooking)
                                .where(TourBooking.status == Status.requested))
    assert waiting > 5
    with count_queries() as n:
        page = as_liaison.get("/").get_data(as_text=True)
    assert n() == none_waiting
    assert f'Tour requests <span class="status">{waiting}</span>' in page
    assert page.count('href="/tours/manage/bookings/') >= 5
