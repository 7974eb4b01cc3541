"""Journeys in Chromium: a liaison sets up two-step sign-in with an authenticator app and
signs in with a code; a colleague who forgot their password chooses a new one from the
emailed link. axe-core finds nothing on any page, and each fits a 390 px phone."""

from __future__ import annotations

import re
import time
from contextlib import suppress
from email import policy
from email.parser import BytesParser

import pyotp
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutboxMessage
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

NEW = "seven quiet lanterns 48"


def checked(page, axe) -> None:
    """No accessibility violations, and nothing wider than a phone."""
    assert axe(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1366, "height": 900})


def test_two_step_sign_in_with_an_authenticator_app(live_server, page, axe):
    make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    db.session.commit()
    sign_in(page, live_server, "dana@example.org")
    page.get_by_text("Dana Reyes").first.click()  # the account menu
    page.get_by_role("link", name="Two-step sign-in").click()
    page.get_by_role("button", name="Set up two-step sign-in").click()
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("() => document.querySelector('img.qr').naturalWidth") > 100
    checked(page, axe)
    key = page.locator(".secret-key").inner_text().replace(" ", "")
    page.get_by_role("textbox", name="Code").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    checked(page, axe)
    page.get_by_role("link", name="I have saved them").click()
    page.wait_for_url(live_server + "/")

    page.get_by_text("Dana Reyes").first.click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/login$"))
    page.get_by_label("Email").fill("dana@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/login/two-factor$"))
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    checked(page, axe)
    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code didn't work").first).to_be_visible()
    # The next time step's code: the one used to turn it on can't be used again.
    page.get_by_role("textbox", name="Code").fill(pyotp.TOTP(key).at(int(time.time()) + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    expect(page.get_by_role("heading", name=re.compile("Good to see you"))).to_be_visible()


def test_forgot_password_to_a_new_one(live_server, page, axe):
    make_user(email="sam@example.org", name="Sam Okafor")
    db.session.commit()
    page.goto(live_server + "/login")
    checked(page, axe)
    page.get_by_role("link", name="Forgot your password?").click()
    checked(page, axe)
    page.get_by_label("Your email").fill("sam@example.org")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    checked(page, axe)
    db.session.commit()
    raw = db.session.scalar(select(OutboxMessage.raw).where(
        OutboxMessage.kind == "auth.password_reset"))
    text = BytesParser(policy=policy.default).parsebytes(raw).get_body(("plain",)).get_content()
    link = re.search(r"http://\S+/login/reset/\S+", text).group(0)
    assert link.startswith(live_server)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    checked(page, axe)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Type it again").fill(NEW)
    page.get_by_role("button", name="Save my new password").click()
    page.wait_for_url(re.compile(r".*/login$"))
    expect(page.get_by_text("Your password is changed")).to_be_visible()
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill(NEW)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()


def test_signing_out_while_a_panel_still_loads(live_server, page):
    """A dashboard panel still loading when its page is left (here, by signing out) is
    dropped with the page: its late answer (401, "sign in") used to load the sign-in page a
    second time, wiping what was being typed there (static/js/app.js)."""
    make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    db.session.commit()
    held = []
    page.route("**/coalitions/due*", lambda route: held.append(route))  # its answer waits
    sign_in(page, live_server, "dana@example.org")
    expect(page.locator("#coalitions-due.htmx-request")).to_have_count(1)
    page.get_by_text("Dana Reyes").first.click()  # the account menu
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.get_by_label("Email").fill("dana@example.org")
    for route in held:  # now the server answers it, for a session that has ended
        with suppress(PlaywrightError):  # the browser already gave up on it, as it should
            route.continue_()
    page.wait_for_timeout(500)  # time for a late answer to act, if it still could
    assert page.url == f"{live_server}/login"
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("dana@example.org")
