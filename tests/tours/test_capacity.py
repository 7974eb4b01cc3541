"""Capacity is never exceeded: seats are taken when a visitor confirms their email, so
real HTTP clients confirm in parallel against the live server, on SQLite (BEGIN IMMEDIATE)
and PostgreSQL (SELECT … FOR UPDATE on the slot row)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

from sqlalchemy import func, select

from app.extensions import db
from app.tours import services
from app.tours.models import Status, TourBooking
from tests.tours.conftest import first_open, link_of

CLIENTS = 12


def test_simultaneous_confirmations_for_the_last_seats(live_server, tours):
    slot = first_open()
    # Twelve visitors (each from an address of their own) asked for the same time; nothing
    # is held yet, so all twelve requests are taken.
    pending = [services.request_tour(services.BookingRequest(
        slot_key=slot.key, name=f"Visitor {i}", email=f"v{i}@example.org", group_size=1,
        ip=f"192.0.2.{i}")) for i in range(CLIENTS)]
    links = [live_server + link_of(b) + "/confirm-email" for b in pending]
    db.session.commit()  # release the test thread's transaction before the server writes
    results: list[tuple[int, str]] = []
    start = threading.Barrier(CLIENTS)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def confirm(url: str) -> None:
        start.wait()
        try:
            with opener.open(url, data=b"", timeout=30) as response:
                results.append((response.status, ""))
        except urllib.error.HTTPError as err:
            results.append((err.code, err.read().decode()))

    threads = [threading.Thread(target=confirm, args=(url,)) for url in links]
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
    db.session.rollback()
    taken = db.session.scalar(select(func.sum(TourBooking.group_size))
                              .where(TourBooking.status == Status.requested))
    assert taken == tours.capacity
    db.session.commit()
