"""Public pages never show who booked; staff pages stay constant in queries as rows grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from app import clock
from app.database import utcnow
from app.extensions import db
from app.tours import services
from app.tours.models import ScreenAction, ScreenKind, Status, TourBooking, TourSlot
from tests.conftest import count_queries
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


def bulk(n: int, offset: int = 0) -> None:
    now = utcnow()
    slot_ids = []
    for i in range(offset, offset + n):
        start = now + timedelta(days=1 + i // 4, hours=i % 4, minutes=7)
        slot_ids.append(db.session.execute(
            insert(TourSlot).values(starts_at=start, ends_at=start + timedelta(hours=1))
            .returning(TourSlot.id)).scalar_one())
    db.session.execute(insert(TourBooking), [
        {"slot_id": sid, "status": Status.requested if i % 2 else Status.confirmed,
         "name": f"Visitor {i}", "email": f"v{i}@example.org", "group_size": 1,
         "token_nonce": f"n{i}", "token_hash": f"{i:064d}", "screening": [], "held": False,
         "contact_consent": False, "sequence": 0, "created_at": now}
        for i, sid in enumerate(slot_ids, start=offset)])
    db.session.commit()


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
    bulk(rows)
    small = queries_for(as_liaison, URLS)
    bulk(490, offset=rows)
    large = queries_for(as_liaison, URLS)
    assert small == large, dict(zip(URLS, zip(small, large, strict=True), strict=True))
