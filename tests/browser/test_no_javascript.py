"""The public forms work with JavaScript turned off: a tour booking and a media inquiry."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.press.demo import seed as seed_press
from app.press.models import Inquiry
from app.tours import services as tours
from app.tours.models import TourBooking
from app.tours.schedule import DEFAULTS
from tests.factories import deadline_at_noon

pytestmark = pytest.mark.browser


def test_book_a_tour_without_javascript(app, live_server, no_js):
    app.config.update(TOURS_MIN_FILL_SECONDS=0)
    tours.save_settings(replace(
        DEFAULTS, service_hours={d: [(9 * 60, 17 * 60)] for d in range(7)},
        tour_windows={d: [(18 * 60, 21 * 60)] for d in range(7)}, horizon_days=14,
        notice_hours=2))  # the first slot shown has not begun by the time the form is sent
    db.session.commit()
    no_js.goto(live_server + "/tours")
    no_js.get_by_role("button", name="Request").first.click()  # empty form: errors, 422
    assert no_js.locator(".field-error").count() >= 2
    no_js.locator("input[name=slot]").first.check()
    no_js.locator("#name").fill("Noor Nojs")
    no_js.locator("#email").fill("noor@example.org")
    no_js.locator("#guidelines").check()
    no_js.get_by_role("button", name="Request").first.click()
    no_js.wait_for_url("**/tours/requested?**")
    booking = db.session.scalars(select(TourBooking)).one()
    link = f"{live_server}/tours/booking/{tours.manage_token(booking)}"
    db.session.commit()
    # The link in the email: a plain form confirms the address.
    no_js.goto(link)
    no_js.get_by_role("button", name="Confirm my request").click()
    no_js.get_by_role("heading", name="We received your tour request").wait_for()
    db.session.expire_all()
    assert db.session.get(TourBooking, booking.id).status.value == "requested"
    db.session.commit()


def test_send_a_media_inquiry_without_javascript(app, live_server, no_js):
    seed_press()
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Inquiry))
    db.session.commit()  # end our read snapshot before the server writes
    no_js.goto(live_server + "/press")
    deadline = deadline_at_noon(days=1)
    no_js.locator("#name").fill("Jo Reporter")
    no_js.locator("#outlet").fill("The Ledger")
    no_js.locator("#email").fill("jo@ledger.example")
    no_js.locator("#deadline").fill(deadline.strftime("%Y-%m-%d"))  # the date picker
    no_js.locator("#deadline-time").fill(deadline.strftime("%H:%M"))  # and the time, typed
    no_js.locator("#topic").fill("Budget vote")
    no_js.get_by_role("button", name="Send inquiry").click()
    no_js.wait_for_url(re.compile(r".*/press/inquiries/thanks(#.*)?$"))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Inquiry)) == before + 1
