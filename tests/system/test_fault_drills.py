"""Fault drill: the database refuses the commit of a request that changes things (issue 12,
item 7). Every table is as it was (no partial rows, no queued mail, no audit entry), the
person is told nothing was saved, and no success message turns up on the next page. Then
the same request, with the database back, saves: the drill was a real change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from app.events import invitations
from app.extensions import db
from app.press.forms import inquiry_token
from tests.conftest import sign_in
from tests.factories import deadline_at_noon, make_contact, make_event, make_invitee, make_user
from tests.system.snapshots import database_prints
from tests.tours.conftest import configure, form_data


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TOURS_MIN_FILL_SECONDS": 0}


@pytest.fixture
def refuse_commits(app):
    """While `.on`, the database refuses to commit any POST's transaction, after every
    statement of it ran (the last moment anything can go wrong), as a server that died or a
    disk that filled would."""

    class Switch:
        on = True

    def refuse(_conn):
        if Switch.on and has_request_context() and request.method == "POST":
            raise OperationalError("COMMIT", None,
                                   Exception("server closed the connection unexpectedly"))

    event.listen(db.engine, "commit", refuse)
    yield Switch
    event.remove(db.engine, "commit", refuse)


@dataclass
class Drill:
    url: str
    data: dict
    done: str  # where the request leads when it works


def _signed_in(app, role: str = "liaison"):
    client = app.test_client()
    sign_in(client, make_user(role=role))
    return client


def _new_contact(app):
    return _signed_in(app, "staff"), Drill("/people/new", {
        "first_name": "Rosa", "last_name": "Delgado", "emails": "rosa@example.org",
        "stance": "ally", "influence": "high", "organization_id": "0", "owner_id": "0",
        "tags": "neighbors"}, "/people/")


def _edit_contact(app):
    contact = make_contact(first_name="Alma", title="Aide")
    return _signed_in(app), Drill(f"/people/{contact.id}/edit", {
        "first_name": "Alma", "title": "Director", "stance": "ally", "influence": "high",
        "organization_id": "0", "owner_id": "0", "version": str(contact.version)},
        f"/people/{contact.id}")


def _new_note(app):
    contact = make_contact(first_name="Alma")
    return _signed_in(app, "staff"), Drill("/notes/new", {
        "occurred_on": "2026-01-15", "channel": "meeting", "summary": "Coffee with Alma",
        "body": "She will bring neighbors.", "body_format": "plain",
        "contact_ids": str(contact.id)}, "/notes/")


def _invite(app):
    event = make_event(title="Open house")
    people = [make_invitee() for _ in range(3)]
    return _signed_in(app), Drill(f"/events/{event.id}/invite",
                                  {"contact_id": [str(p.id) for p in people]},
                                  f"/events/{event.id}")


def _rsvp(app):
    event = make_event(title="Open house")
    person = make_invitee()
    invitations.invite(event, [person.id], None)
    inv = invitations.invitations_of(event)[0]
    return app.test_client(), Drill(f"/rsvp/{invitations.rsvp_token(inv)}",
                                    {"answer": "yes"}, "")


def _book_tour(app):
    configure()
    return app.test_client(), Drill("/tours", form_data(), "")


def _press_inquiry(app):
    make_user(role="liaison")
    deadline = deadline_at_noon(days=1)
    return app.test_client(), Drill("/press/inquiries", {
        "name": "Jordan Blake", "outlet": "River Times", "email": "jb@rivertimes.example",
        "deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "topic": "Naloxone vending machines",
        "form_token": inquiry_token()}, "")


DRILLS: dict[str, Callable] = {
    "add a contact": _new_contact, "edit a contact": _edit_contact, "log a note": _new_note,
    "send invitations": _invite, "answer an invitation": _rsvp, "book a tour": _book_tour,
    "send a media inquiry": _press_inquiry,
}


@pytest.mark.parametrize("name", list(DRILLS))
def test_a_refused_commit_leaves_nothing_behind_and_says_so(app, refuse_commits, name):
    client, drill = DRILLS[name](app)
    db.session.commit()
    before = database_prints()

    response = client.post(drill.url, data=drill.data)
    assert response.status_code == 503, response.status_code
    page = response.get_data(as_text=True)
    assert "Nothing was saved." in page and "Traceback" not in page
    assert database_prints() == before
    follow = client.get(drill.done or drill.url).get_data(as_text=True)
    assert "alert-success" not in follow and "Nothing was saved" not in follow

    fragment = client.post(drill.url, data=drill.data, headers={"HX-Request": "true"})
    assert fragment.status_code == 503 and "Nothing was saved." in fragment.get_data(True)
    assert database_prints() == before

    refuse_commits.on = False  # the database is back: the same request saves
    assert client.post(drill.url, data=drill.data).status_code == 303
    assert database_prints() != before
