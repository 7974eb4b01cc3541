"""A visitor books a tour with the keyboard only, confirms their email from the link the real
SMTP server received (a page with a button), the liaison confirms, the confirmation email
carries a valid .ics, and the manage link cancels the tour."""

from __future__ import annotations

import re
from dataclasses import replace

import icalendar
import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.services import deliver_due
from app.tours import services
from app.tours.models import Status, TourBooking
from app.tours.schedule import DEFAULTS
from tests.browser.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"could not reach {selector} with Tab")


def test_visitor_books_with_keyboard_liaison_confirms_visitor_cancels(
        app, live_server, browser, smtp_server, axe):
    app.config.update(TOURS_MIN_FILL_SECONDS=0, MAIL_SERVER=smtp_server.host,
                      MAIL_PORT=smtp_server.port)
    every_evening = {d: [(18 * 60, 21 * 60)] for d in range(7)}
    services.save_settings(replace(
        DEFAULTS, service_hours={d: [(9 * 60, 17 * 60)] for d in range(7)},
        tour_windows=every_evening, horizon_days=14,
        notice_hours=2,  # the first slot shown has not begun by the time the form is sent
        address="12 River Street, Riverbend"))
    make_user(role="liaison", email="liaison@example.org", name="Lee Liaison")
    db.session.commit()

    visitor = browser.new_context().new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto(live_server + "/tours")
    assert axe(visitor) == []

    # Keyboard only: Tab to each control, type, Space for choices, Enter to send.
    tab_to(visitor, "input[name=slot]")
    visitor.keyboard.press("Space")
    chosen = visitor.evaluate("document.activeElement.value")
    tab_to(visitor, "#name")
    visitor.keyboard.type("Kim Keyboard")
    tab_to(visitor, "#email")
    visitor.keyboard.type("kim@example.org")
    tab_to(visitor, "#group_size")
    visitor.keyboard.press("Control+A")
    visitor.keyboard.type("3")
    tab_to(visitor, "#accessibility")
    visitor.keyboard.type("Step-free entrance, please.")
    tab_to(visitor, "#guidelines")
    visitor.keyboard.press("Space")
    tab_to(visitor, "button[type=submit]")
    visitor.keyboard.press("Enter")
    visitor.wait_for_url("**/tours/requested?**")
    assert "confirm your email" in visitor.content()
    assert "for 3 people" in visitor.content()
    assert axe(visitor) == []

    booking = db.session.scalars(select(TourBooking)).one()
    assert booking.status == Status.pending and booking.group_size == 3
    assert booking.slot.starts_at.strftime("%Y%m%dT%H%M%SZ") == chosen
    booking_id = booking.id
    db.session.commit()

    # The email asks to confirm the address; its link opens a page with a button.
    deliver_due()
    (verify,) = smtp_server.wait_for(1)
    assert verify["Subject"] == "Please confirm your tour request"
    text = verify.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"(http://\S+/tours/booking/[\w-]+)", text).group(1)
    visitor.goto(link)
    assert axe(visitor) == []
    db.session.expire_all()
    assert db.session.get(TourBooking, booking_id).status == Status.pending
    db.session.commit()
    visitor.get_by_role("button", name="Confirm my request").click()
    visitor.get_by_role("heading", name="We received your tour request").wait_for()
    assert visitor.get_by_role("link", name="Add to your calendar (.ics)").is_visible()
    assert axe(visitor) == []
    db.session.expire_all()
    assert db.session.get(TourBooking, booking_id).status == Status.requested
    db.session.commit()

    # The liaison confirms in one click (htmx swaps the row).
    staff = browser.new_context().new_page()
    staff.set_default_timeout(10_000)
    sign_in(staff, live_server, "liaison@example.org")
    staff.goto(live_server + "/tours/manage/")
    row = staff.locator(f"#booking-{booking_id}")
    row.get_by_role("button", name="Confirm").click()
    staff.locator(f"#booking-{booking_id} .status-confirmed").wait_for()

    # The confirmation email arrives with a valid calendar file.
    db.session.commit()
    deliver_due()
    messages = smtp_server.wait_for(3)
    assert [m["Subject"] for m in messages[:2]] == ["Please confirm your tour request",
                                                    "We received your tour request"]
    confirmed = next(m for m in messages if "confirmed" in m["Subject"].lower())
    ics_parts = [p for p in confirmed.walk() if p.get_content_type() == "text/calendar"]
    cal = icalendar.Calendar.from_ical(ics_parts[-1].get_content())
    assert str(cal["METHOD"]) == "PUBLISH"
    (event,) = cal.walk("VEVENT")
    db.session.expire_all()
    booking = db.session.get(TourBooking, booking_id)
    assert event.decoded("DTSTART") == booking.slot.starts_at
    assert "12 River Street" in str(event["LOCATION"])
    db.session.commit()
    text = confirmed.get_body(preferencelist=("plain",)).get_content()
    assert re.search(r"(http://\S+/tours/booking/[\w-]+)", text).group(1) == link

    # The manage link: see the booking, cancel through the confirmation page.
    visitor.goto(link)
    assert "Confirmed" in visitor.content() and "12 River Street" in visitor.content()
    assert axe(visitor) == []
    visitor.get_by_role("link", name="Cancel this tour").click()
    visitor.wait_for_url("**/cancel")
    assert axe(visitor) == []
    visitor.get_by_role("button", name="Yes, cancel my tour").click()
    visitor.get_by_text("Your tour is cancelled").wait_for()
    assert visitor.get_by_role("link", name="Book another tour").is_visible()
    assert visitor.get_by_role("link", name="Change the time").count() == 0
    assert axe(visitor) == []
    db.session.expire_all()
    assert db.session.get(TourBooking, booking_id).status == Status.cancelled
    db.session.commit()


def test_errors_are_announced_beside_their_fields(app, live_server, page, axe):
    app.config.update(TOURS_MIN_FILL_SECONDS=0)
    services.save_settings(replace(DEFAULTS, service_hours={}, notice_hours=0,
                                   tour_windows={d: [(18 * 60, 20 * 60)] for d in range(7)}))
    db.session.commit()
    page.goto(live_server + "/tours")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.locator("#name-error").wait_for()
    assert page.get_attribute("#name", "aria-invalid") == "true"
    assert "name-error" in page.get_attribute("#name", "aria-describedby")
    assert page.locator("#slot-error").is_visible()
    assert axe(page) == []
