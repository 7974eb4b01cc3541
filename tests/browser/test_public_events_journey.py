"""A neighbor finds an event on /public-events and registers, with JavaScript off and on;
a full event puts the next person on the waitlist; when a place frees, the offer arrives by
real email and its link, opened in Chromium, takes the place with one press. axe-core finds
nothing on any of these pages, on a desktop or a 390 px phone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.events.models import Registration, RegistrationStatus
from app.extensions import db
from app.mail.services import deliver_due
from tests.events.conftest import manage_link, open_event

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _event(app, **overrides):
    event = open_event(app, **overrides)
    app.config.pop("PUBLIC_BASE_URL", None)  # links in mail lead to the live server
    return event


def _checked(page, js: bool) -> bool:
    """Nothing runs off a phone's screen (checked where scripts run: Playwright evaluates
    nothing in a page with JavaScript off, so axe runs on the same pages with it on)."""
    if not js:
        return True
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _registration(email: str) -> Registration:
    db.session.commit()
    return db.session.scalars(select(Registration).where(Registration.email == email)).one()


@pytest.mark.parametrize("js", [False, True], ids=["no-javascript", "javascript"])
def test_register_from_the_public_events_page(app, live_server, browser, axe, js):
    event = _event(app, capacity=30, address="12 Hidden Lane", address_invitees_only=True)
    slug = event.slug
    db.session.commit()
    context = browser.new_context(java_script_enabled=js, viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(live_server + "/public-events")
    assert not js or axe(page) == []
    assert _checked(page, js)
    page.get_by_role("link", name="Spring open house", exact=True).click()
    page.wait_for_url(f"**/public-events/{slug}")
    assert not js or axe(page) == []
    assert _checked(page, js)
    assert "12 Hidden Lane" not in page.content()

    page.get_by_role("button", name="Register").click()  # empty: errors beside the fields
    page.locator("#name-error").wait_for()
    assert page.get_attribute("#name", "aria-invalid") == "true"
    assert not js or axe(page) == []
    page.get_by_label("Your name").fill("Noor Neighbor")
    page.get_by_label("Email").fill("noor@example.org")
    page.get_by_label("How many people, including you").fill("2")
    page.get_by_label("Accessibility needs (optional)").fill("Step-free seating, please.")
    page.get_by_label("You may keep my details").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/public-events/registered?event=*")
    assert "Please check your email" in page.content()
    assert not js or axe(page) == []
    assert _checked(page, js)
    assert context.cookies() == []  # no session, no cookie, from the first page to the last
    reg = _registration("noor@example.org")
    assert (reg.status, reg.group_size, reg.contact_consent) == (RegistrationStatus.registered,
                                                                 2, True)
    context.close()


def test_the_waitlist_offer_is_taken_from_the_real_email(app, live_server, browser, axe,
                                                         smtp_server):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    event = _event(app, capacity=1)
    slug = event.slug
    db.session.commit()
    first = browser.new_context().new_page()
    waiting = browser.new_context(viewport=PHONE).new_page()
    for who, page in (("First Person", first), ("Wait Person", waiting)):
        page.set_default_timeout(20_000)
        page.goto(f"{live_server}/public-events/{slug}")
        page.get_by_label("Your name").fill(who)
        page.get_by_label("Email").fill(f"{who.split()[0].lower()}@example.org")
        page.get_by_role("button", name="Register" if who.startswith("First")
                         else "Join the waitlist").click()
        page.wait_for_url("**/public-events/registered?event=*")
    assert _registration("wait@example.org").status == RegistrationStatus.waitlisted

    db.session.commit()
    deliver_due()
    mails = smtp_server.wait_for(2)
    confirmation = next(m for m in mails if m["To"].addresses[0].addr_spec == "first@example.org")
    first.goto(manage_link(confirmation))
    assert axe(first) == []
    first.get_by_role("link", name="Cancel my registration").click()
    first.get_by_role("button", name="Yes, cancel my registration").click()
    first.get_by_text("Your registration is cancelled.").wait_for()

    db.session.commit()
    deliver_due()
    mails = smtp_server.wait_for(4)
    offer = next(m for m in mails if m["Subject"] == "A place is open for you: Spring open house")
    assert offer["To"].addresses[0].addr_spec == "wait@example.org"
    waiting.goto(manage_link(offer))
    assert axe(waiting) == [] and _checked(waiting, True)
    assert _registration("wait@example.org").status == RegistrationStatus.offered
    waiting.get_by_role("button", name="Yes, I'll take the place").click()
    waiting.get_by_text("Your place is confirmed.").wait_for()
    assert "You have a place." in waiting.content()
    assert _registration("wait@example.org").status == RegistrationStatus.registered
