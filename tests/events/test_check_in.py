"""At the door: one list of invitees and registrants, one tap to check each in (htmx, and a
plain form without JavaScript), one attendance count, a printable sign-in sheet, and pages
whose cost doesn't grow with the number of people."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.events import invitations, registrations
from app.events.models import Answer, Attendance, Invitation, Registration, RegistrationStatus
from app.events.registrations import new_token
from app.extensions import db
from tests.conftest import page_query_counts
from tests.events.conftest import open_event, register, registration
from tests.factories import make_invitee

pytestmark = pytest.mark.usefixtures("public_address")

FRAGMENT = {"HX-Request": "true"}


def _starting_soon(app, **overrides):
    now = datetime.now(UTC)
    return open_event(app, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=3),
                      capacity=20, **overrides)


def _invite(event, answer: Answer, **contact):
    person = make_invitee(**contact)
    db.session.commit()
    invitations.invite(event, [person.id], None)
    inv = db.session.scalars(select(Invitation).where(Invitation.contact_id == person.id)).one()
    inv.answer = answer
    db.session.commit()
    return inv


def test_one_list_one_tap_one_count(app, client, as_staff):
    event = _starting_soon(app)
    register(client, event, email="group@example.org", name="Ana Group", group_size="3",
             accessibility="Needs a ramp")
    register(client, event, email="solo@example.org", name="Zed Solo")
    yes = _invite(event, Answer.yes, first_name="Bea", last_name="Invited")
    _invite(event, Answer.no, first_name="Cal", last_name="Declined")
    page = as_staff.get(f"/events/{event.id}/check-in")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index("Ana Group") < html.index("Bea Invited") < html.index("Zed Solo")
    assert "Cal Declined" not in html and "Needs: Needs a ramp" in html
    assert "<strong>0</strong> of 5 expected people here" in html

    group = registration("group@example.org")
    tap = as_staff.post(f"/events/{event.id}/check-in/registration/{group.id}",
                        data={"came": "1"}, headers=FRAGMENT)
    assert tap.status_code == 200
    fragment = tap.get_data(as_text=True)
    assert f'id="checkin-registration-{group.id}"' in fragment and "Here" in fragment
    assert 'hx-swap-oob="true"' in fragment and "<strong>3</strong> of 5" in fragment
    trigger = json.loads(tap.headers["HX-Trigger"])
    assert "events-changed" in trigger and trigger["toast"]["message"] == "Ana Group checked in."
    db.session.refresh(group)
    assert group.attendance == Attendance.attended and group.checked_in_at

    # Without JavaScript: a plain form post and a redirect back to the person's line.
    plain = as_staff.post(f"/events/{event.id}/check-in/invitation/{yes.id}",
                          data={"came": "1", "q": "bea"})
    assert plain.status_code == 303
    assert plain.headers["Location"] == (
        f"/events/{event.id}/check-in?q=bea#checkin-invitation-{yes.id}")
    db.session.refresh(yes)
    assert yes.attendance == Attendance.attended
    show = as_staff.get(f"/events/{event.id}").get_data(as_text=True)
    assert "<strong>4</strong> of 5 expected people" in show
    assert "(3 registered, 1 invited)" in show

    undo = as_staff.post(f"/events/{event.id}/check-in/registration/{group.id}",
                         data={"came": "0"}, headers=FRAGMENT)
    assert "Check in" in undo.get_data(as_text=True)
    db.session.refresh(group)
    assert group.attendance == Attendance.unknown and group.checked_in_at is None


def test_the_search_narrows_by_name(app, client, as_staff):
    event = _starting_soon(app)
    register(client, event, email="a@example.org", name="Ana Group")
    register(client, event, email="z@example.org", name="Zed Solo")
    html = as_staff.get(f"/events/{event.id}/check-in?q=zed").get_data(as_text=True)
    assert "Zed Solo" in html and "Ana Group" not in html
    fragment = as_staff.get(f"/events/{event.id}/check-in?q=%25", headers=FRAGMENT)
    assert fragment.status_code == 200 and "Nobody by that name." in fragment.get_data(
        as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)


def test_check_in_waits_until_three_hours_before(app, client, as_staff):
    event = open_event(app)  # a week away
    register(client, event)
    reg = registration()
    page = as_staff.get(f"/events/{event.id}/check-in").get_data(as_text=True)
    assert "Check-in opens three hours before" in page and "Check in<" not in page
    refused = as_staff.post(f"/events/{event.id}/check-in/registration/{reg.id}",
                            headers=FRAGMENT)
    assert refused.status_code == 409
    db.session.refresh(reg)
    assert reg.attendance == Attendance.unknown
    other = open_event(app, title="Another")
    assert as_staff.post(f"/events/{other.id}/check-in/registration/{reg.id}").status_code == 404
    assert as_staff.post(f"/events/{event.id}/check-in/nonsense/{reg.id}").status_code == 404


def test_a_blocked_registrant_shows_see_the_liaison_never_why(app, client, as_staff):
    from app.tours.models import ScreenAction, ScreenKind
    from app.tours.services import add_screen

    add_screen(ScreenKind.email, "blocked@example.org", ScreenAction.block)
    event = _starting_soon(app)
    register(client, event, email="blocked@example.org", name="Blocked Person")
    html = as_staff.get(f"/events/{event.id}/check-in").get_data(as_text=True)
    assert "Blocked Person" in html and "See the liaison before checking in" in html
    assert "screening" not in html.lower()
    sheet = as_staff.get(f"/events/{event.id}/sign-in-sheet").get_data(as_text=True)
    assert "Blocked Person *" in sheet and "See the liaison" in sheet


def test_the_sign_in_sheet_lists_everyone_with_room_to_sign(app, client, as_staff):
    event = _starting_soon(app)
    register(client, event, email="a@example.org", name="Ana Group", group_size="2",
             affiliation="Riverbend High")
    _invite(event, Answer.maybe, first_name="Mo", last_name="Maybe")
    html = as_staff.get(f"/events/{event.id}/sign-in-sheet").get_data(as_text=True)
    assert "Ana Group" in html and "Riverbend High" in html and "Mo Maybe" in html
    assert html.count('class="blank"') == 12 and "<form" not in html.split("<main")[1]


def _people(event, n: int) -> None:
    for i in range(n):
        nonce, hashed = new_token()
        db.session.add(Registration(event_id=event.id, name=f"Person {i}",
                                    email=f"p{i}@example.org", group_size=1 + i % 3,
                                    status=RegistrationStatus.registered if i % 4 else
                                    RegistrationStatus.waitlisted, token_nonce=nonce,
                                    token_hash=hashed))
    db.session.commit()


def test_the_registration_pages_cost_the_same_for_10_or_1000_people(app, as_liaison):
    event = _starting_soon(app)
    for answer in (Answer.yes, Answer.maybe):
        _invite(event, answer)
    _people(event, 10)
    pages = ["/events/{id}", "/events/{id}/check-in", "/events/{id}/sign-in-sheet",
             "/events/{id}/registrations.csv"]
    small = page_query_counts(as_liaison, pages, {"id": event.id}, fragments=True)
    _people(event, 990)
    large = page_query_counts(as_liaison, pages, {"id": event.id}, fragments=True)
    assert small == large, (small, large)
    assert max(large.values()) <= 12, large
    assert registrations.places_taken(event) > 0
