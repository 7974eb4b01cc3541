"""Capacity is never exceeded: real HTTP clients in parallel against the live server, on
SQLite (BEGIN IMMEDIATE) and PostgreSQL (SELECT … FOR UPDATE on the slot row)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import func, select

from app.extensions import db
from app.tours.models import TourBooking
from tests.tours.conftest import first_open, form_data

CLIENTS = 12


def test_simultaneous_requests_for_the_last_seats(live_server, tours):
    slot = first_open()
    forms = [urllib.parse.urlencode(form_data(slot, email=f"v{i}@example.org",
                                              group_size="1")).encode()
             for i in range(CLIENTS)]
    db.session.commit()  # release the test thread's transaction before the server writes
    results: list[tuple[int, str]] = []
    start = threading.Barrier(CLIENTS)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def submit(body: bytes) -> None:
        start.wait()
        try:
            with opener.open(live_server + "/tours", data=body, timeout=30) as response:
                results.append((response.status, ""))
        except urllib.error.HTTPError as err:
            results.append((err.code, err.read().decode()))

    threads = [threading.Thread(target=submit, args=(body,)) for body in forms]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    statuses = sorted(code for code, _ in results)
    assert len(results) == CLIENTS
    assert statuses.count(303) == tours.capacity, statuses
    refused = [body for code, body in results if code != 303]
    assert all(code == 409 for code, _ in results if code != 303), statuses
    assert all("That time just filled" in body for body in refused)
    assert all("nearest open times" in body for body in refused)
    db.session.rollback()
    taken = db.session.scalar(select(func.sum(TourBooking.group_size)))
    assert taken == tours.capacity
    db.session.commit()
