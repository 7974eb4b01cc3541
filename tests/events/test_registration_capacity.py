"""The last places are never oversold: 50 registrations sent at once over real HTTP to the
live (threaded) server, on SQLite (BEGIN IMMEDIATE) and PostgreSQL (SELECT … FOR UPDATE on
the event's row), for an event with a few places left and an invitee's yes taking one."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from app.events import invitations, registrations
from app.events.models import Answer, Invitation, Registration, RegistrationStatus
from app.extensions import db
from tests.conftest import NoRedirect
from tests.events.conftest import open_event, registration_form
from tests.factories import make_invitee

pytestmark = pytest.mark.usefixtures("public_address")

CLIENTS = 50
CAPACITY = 12


def test_fifty_at_once_for_the_last_places(app, live_server):
    event = open_event(app, capacity=CAPACITY)
    person = make_invitee()
    db.session.commit()
    invitations.invite(event, [person.id], None)
    db.session.scalars(select(Invitation)).one().answer = Answer.yes
    for i in range(4):  # eight places already taken by registrants, one by the invitee
        db.session.add(Registration(event_id=event.id, name=f"Early {i}",
                                    email=f"early{i}@example.org", group_size=2,
                                    status=RegistrationStatus.registered,
                                    token_nonce=str(i), token_hash=registrations.new_token()[1]))
    db.session.commit()
    assert registrations.places_taken(event) == 9
    url = f"{live_server}/public-events/{event.slug}"
    bodies = [urllib.parse.urlencode(registration_form(
        email=f"r{i}@example.org", name=f"Racer {i}", group_size=str(1 + i % 2))).encode()
        for i in range(CLIENTS)]
    db.session.commit()  # release the test thread's transaction before the server writes
    opener = urllib.request.build_opener(NoRedirect)
    start = threading.Barrier(CLIENTS)
    results: list[int] = []

    def send(body: bytes) -> None:
        start.wait()
        try:
            with opener.open(url, data=body, timeout=60) as response:
                results.append(response.status)
        except urllib.error.HTTPError as err:
            results.append(err.code)

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert sorted(results) == [303] * CLIENTS, results
    db.session.rollback()
    racers = db.session.scalars(select(Registration).where(Registration.name.like("Racer %"))
                                ).all()
    assert len(racers) == CLIENTS
    seated = sum(r.group_size for r in racers if r.status == RegistrationStatus.registered)
    assert 0 < seated <= CAPACITY - 9
    assert registrations.places_taken(event) <= CAPACITY
    # Nobody waits who would have fitted: what's left is smaller than every waiting group.
    left = CAPACITY - registrations.places_taken(event)
    waiting = [r for r in racers if r.status == RegistrationStatus.waitlisted]
    assert len(waiting) == CLIENTS - sum(r.status == RegistrationStatus.registered
                                         for r in racers)
    assert all(r.group_size > left for r in waiting)
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.status == RegistrationStatus.offered)) == 0
    db.session.commit()
