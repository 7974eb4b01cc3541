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
