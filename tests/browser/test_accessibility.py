"""axe-core finds no WCAG 2.2 AA violations on the public pages and the main signed-in
pages, on a desktop and on a phone-sized screen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.events import invitations
from app.events.models import Invitation, Registration
from app.extensions import db
from app.system.demo import load_demo
from tests.browser.conftest import sign_in
from tests.factories import make_event, make_invitee, make_user

# Markup and contrast: the database changes neither, so these run once (with SQLite).
pytestmark = [pytest.mark.browser, pytest.mark.one_database]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def rsvp_path(app):
    event = make_event(capacity=10)
    contact = make_invitee()
    db.session.commit()
    invitations.invite(event, [contact.id], None)
    db.session.commit()
    invitation = db.session.scalar(select(Invitation))
    return f"/rsvp/{invitations.rsvp_token(invitation)}"


def tour_paths() -> list[str]:
    """The demo's tour pages a visitor sees: "confirm your email", a booking waiting for its
    email to be confirmed, one received, one confirmed."""
    from app.tours import services as tours
    from app.tours.models import TourBooking

    bookings = {b.status.value: b for b in db.session.scalars(select(TourBooking))}
    slot = bookings["requested"].slot
    return [f"/tours/requested?at={slot.key}&people=2"] + [
        f"/tours/booking/{tours.manage_token(bookings[state])}"
        for state in ("pending", "requested", "confirmed")]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_public_pages(app, live_server, browser, axe, rsvp_path, viewport):
    load_demo()
    make_user(email="dana@example.org", role="liaison")
    db.session.commit()
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    for path in ["/login", "/press", "/tours", rsvp_path, *tour_paths(), "/public-events",
                 "/public-events/spring-open-house"]:
        page.goto(live_server + path)
        violations = axe(page)
        assert violations == [], (path, violations)
        # nothing runs off the page edge on a phone
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()


def test_signed_in_pages(app, live_server, page, axe):
    load_demo()
    make_user(email="dana@example.org", role="admin")
    db.session.commit()
    held = db.session.scalars(select(Registration).where(Registration.held.is_(True))).first()
    event = f"/events/{held.event_id}"
    db.session.commit()
    sign_in(page, live_server, "dana@example.org")
    for path in ["/", "/people/", "/people/map", "/notes/commitments/", "/events/", event,
                 f"{event}/check-in", f"{event}/sign-in-sheet",
                 f"{event}/registrations/{held.id}", "/tours/manage/", "/press/manage/",
                 "/admin/users/", "/admin/audit/", "/outbox/"]:
        page.goto(live_server + path)
        violations = axe(page)
        assert violations == [], (path, violations)
