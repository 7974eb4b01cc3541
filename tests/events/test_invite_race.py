"""A double- (or quintuple-) submitted "Send invitations" is idempotent (issue 12): real HTTP
requests in parallel against the live server, on SQLite and on PostgreSQL. Each person gets
one invitation row and one message, and no request answers 500
(`uq_invitations_event_contact` used to be the answer on PostgreSQL)."""

from __future__ import annotations

import urllib.parse

from sqlalchemy import func, select

from app.events.models import Invitation
from app.extensions import db
from app.mail.models import OutboxMessage
from tests.conftest import post_at_once, session_cookie
from tests.factories import make_event, make_invitee, make_user

CLICKS = 5


def _ids(people) -> bytes:
    return urllib.parse.urlencode({"contact_id": [p.id for p in people]}, doseq=True).encode()


def test_five_simultaneous_sends_invite_each_person_once(app, live_server):
    liaison = make_user(role="liaison")
    event = make_event()
    people = [make_invitee() for _ in range(4)]
    emails = sorted(p.emails[0].email for p in people)
    db.session.commit()
    post = (_ids(people), session_cookie(app, liaison))

    statuses = post_at_once(f"{live_server}/events/{event.id}/invite", [post] * CLICKS)

    assert statuses == [303] * CLICKS
    db.session.rollback()
    invited = db.session.scalars(select(Invitation.contact_id).where(
        Invitation.event_id == event.id)).all()
    assert sorted(invited) == sorted(p.id for p in people)
    messages = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert sorted(messages) == emails


def test_overlapping_sends_by_two_people_invite_the_union_once(app, live_server):
    """Two liaisons choose overlapping lists at the same moment: whoever comes second skips
    the people the first one just invited."""
    first, second = make_user(role="liaison"), make_user(role="liaison")
    event = make_event()
    people = [make_invitee() for _ in range(6)]
    db.session.commit()
    statuses = post_at_once(f"{live_server}/events/{event.id}/invite", [
        (_ids(people[:4]), session_cookie(app, first)),
        (_ids(people[2:]), session_cookie(app, second)),
    ])

    assert statuses == [303, 303]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 6
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 6


def test_a_second_send_says_nobody_was_invited_twice(as_liaison):
    event = make_event()
    person = make_invitee()
    db.session.commit()
    as_liaison.post(f"/events/{event.id}/invite", data={"contact_id": [person.id]})
    again = as_liaison.post(f"/events/{event.id}/invite", data={"contact_id": [person.id]},
                            follow_redirects=True)
    assert "already invited: nobody was invited twice" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
