"""Public pages never show who booked; staff pages stay constant in queries as rows grow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.settings import clock
from app.tours import services
from app.tours.models import ScreenAction, ScreenKind
from tests.conftest import count_queries
from tests.factories import make_bookings
from tests.tours.conftest import first_open, form_data

MARKER = "ZQXMARKER"


def test_public_pages_never_show_booker_data(client, app, tours):
    services.add_screen(ScreenKind.name, f"{MARKER} Challenger", ScreenAction.hold)
    db.session.commit()
    slot = first_open()
    client.post("/tours", data=form_data(
        slot, name=f"{MARKER} Name", email=f"{MARKER.lower()}@example.org",
        affiliation=f"{MARKER} Org", reason=f"{MARKER} reason", accessibility=f"{MARKER} a11y",
        phone="+1 312 555 0199", group_size="1"))
    client.post("/tours", data=form_data(slot, name=f"{MARKER} Challenger", group_size="1"))
    other = app.test_client()  # a different visitor
    for url in ("/tours", f"/tours?from={(clock.today() + timedelta(days=7)).isoformat()}",
                "/tours/requested", "/healthz"):
        response = other.get(url)
        body = response.get_data(as_text=True)
        assert MARKER.lower() not in body.lower(), url
        assert "312" not in body and "555" not in body, url
    page = other.get("/tours").get_data(as_text=True)
    assert "seats" not in page.lower() and "booked" not in page.lower()


def seed_tours(marker: str = MARKER) -> None:
    """For tests/system/test_privacy.py: MARKER in every private field tours keeps — a
    booker's details (waiting, held and pending ones), the screening list, the liaison's
    decision message and the visitors' change the liaison hears about."""
    from app.system import visitors

    if not services.tour_settings().tour_windows:
        return
    services.add_screen(ScreenKind.name, f"{marker} Screened", ScreenAction.block)
    opens = services.open_slots(clock.today(), clock.today() + timedelta(days=30))
    for i, name in enumerate((f"{marker} Booker", f"{marker} Screened", f"{marker} Pending")):
        booking = services.request_tour(services.BookingRequest(
            slot_key=opens[i].slot.key, name=name, email=f"{marker.lower()}{i}@example.org",
            phone="+1 312 555 0199", affiliation=f"{marker} Org", group_size=1,
            reason=f"{marker} reason", accessibility=f"{marker} access", ip="192.0.2.99"))
        if i < 2:
            services.confirm_email(booking)
        if i == 0:
            services.decline(booking, f"{marker} message")
    visitors.note_change("tours.cancelled", f"{marker} Booker cancelled a tour.",
                         "http://localhost/tours/manage/bookings/1", "Tour cancelled")


def queries_for(client, urls) -> list[int]:
    counts = []
    for url in urls:
        with count_queries() as n:
            assert client.get(url).status_code == 200, url
        counts.append(n())
    return counts


URLS = ["/tours/manage/", "/tours/manage/?show=upcoming", "/tours/manage/calendar", "/",
        "/tours"]


@pytest.mark.parametrize("rows", [10])
def test_query_counts_do_not_grow_with_rows(as_liaison, tours, rows):
    make_bookings(rows)
    db.session.commit()
    small = queries_for(as_liaison, URLS)
    make_bookings(490, offset=rows)
    db.session.commit()
    large = queries_for(as_liaison, URLS)
    assert small == large, dict(zip(URLS, zip(small, large, strict=True), strict=True))


def test_a_bookings_pages_cost_the_same_however_long_its_history(client, as_liaison, tours):
    from app.audit.services import record
    from tests.tours.conftest import book, link_of

    booking = book(client)
    urls = [f"/tours/manage/bookings/{booking.id}", link_of(booking),
            link_of(booking) + "/tour.ics"]
    short = queries_for(as_liaison, urls[:1]) + queries_for(client, urls[1:])
    for i in range(40):
        record("tours.note", f"Tour booking #{booking.id}: step {i}", booking)
    db.session.commit()
    long = queries_for(as_liaison, urls[:1]) + queries_for(client, urls[1:])
    assert short == long and max(long) <= 12, dict(zip(urls, long, strict=True))
    page = as_liaison.get(urls[0]).get_data(as_text=True)
    assert "step 39" in page
