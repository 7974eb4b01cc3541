"""An invitee's RSVP reaches the liaison (app/system/visitors.py) when it is new or changes,
and the RSVP page marks the answer given so far."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Role
from app.events import invitations
from app.events.models import Invitation
from app.extensions import db
from app.system import visitors
from app.system.models import VisitorChange
from tests.factories import make_event, make_invitee, make_user


def test_new_and_changed_answers_reach_the_liaison(client):
    liaison = make_user(role=Role.liaison)
    event = make_event(title="Spring Open House")
    contact = make_invitee(first_name="Dana", last_name="Reyes")
    db.session.commit()
    invitations.invite(event, [contact.id], None)
    db.session.commit()
    inv = db.session.scalars(select(Invitation)).one()
    token = invitations.rsvp_token(inv)

    page = client.get(f"/rsvp/{token}").get_data(as_text=True)
    assert 'aria-current="true"' not in page  # no answer yet
    client.post(f"/rsvp/{token}", data={"answer": "yes"})
    client.post(f"/rsvp/{token}", data={"answer": "yes"})  # the same answer: nothing new
    client.post(f"/rsvp/{token}", data={"answer": "no"})
    summaries = db.session.scalars(select(VisitorChange.summary).order_by(VisitorChange.id)
                                   ).all()
    assert len(summaries) == 2
    assert summaries[0].startswith("Dana Reyes answered yes for Spring Open House")
    assert summaries[1].startswith("Dana Reyes answered no (was yes) for Spring Open House")
    lines = visitors.digest_section(liaison, None).lines
    assert len(lines) == 2 and f"/events/{event.id}" in lines[1]

    page = client.get(f"/rsvp/{token}").get_data(as_text=True)
    current = page[page.index('aria-current="true"') - 120:page.index("(your answer)")]
    assert 'value="no"' in current
    assert page.count('aria-current="true"') == 1
