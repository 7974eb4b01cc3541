"""Journey: first run → setup code from the console → admin created → sign out → sign in."""

from __future__ import annotations

import logging
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "river stones and blue kettles"


def console_setup_code(caplog) -> str:
    for record in reversed(caplog.records):
        match = re.search(r"setup code: (\S+)", record.getMessage())
        if match:
            return match.group(1)
    raise AssertionError("no setup code was printed")


def test_first_run_to_dashboard(live_server, browser, caplog, axe):
    """The program is named at first run, in the zone the browser's clock keeps."""
    from app.settings import services as settings

    caplog.set_level(logging.WARNING, logger="liaison.setup")
    context = browser.new_context(timezone_id="Asia/Calcutta")  # an old name Chromium reports
    page = context.new_page()
    page.goto(live_server + "/")
    assert page.url.endswith("/setup")
    picker = page.get_by_label("Time zone", exact=True)
    expect(picker).to_have_value("Asia/Kolkata")  # guessed, and read as the current name
    expect(page.get_by_text("Set from this device's clock: India Time")).to_be_visible()
    assert axe(page) == []
    search = page.get_by_label("Find it by city, country or time name")
    search.fill("chicago")
    expect(picker).to_have_value("America/Chicago")
    expect(page.get_by_text("1 zone matches.")).to_be_visible()
    search.fill("")
    page.get_by_label("Setup code").fill(console_setup_code(caplog))
    page.get_by_label("Your organization's name").fill("Harbor Health Outreach")
    page.get_by_label("Media line").fill("(312) 555-0100")
    page.get_by_label("Your name").fill("Ada Admin")
    page.get_by_label("Your email").fill("ada@example.org")
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Type it again").fill(PASSWORD)
    page.get_by_role("button", name="Create admin account").click()
    page.wait_for_url(live_server + "/")
    expect(page.get_by_role("heading", name="Good to see you, Ada")).to_be_visible()

    page.get_by_text("Ada Admin").first.click()  # the account menu
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/login$"))
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("a wrong password!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("don't match an active account").first).to_be_visible()
    # Focus waits on the notice for a screen reader (app.js), and nothing takes it away once
    # htmx settles: an autofocus on the form's first field used to, 20 ms later, and could
    # pull a password being typed into the email box.
    expect(page.locator(".alert-error[tabindex]")).to_be_focused()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    expect(page.get_by_role("heading", name="Good to see you, Ada")).to_be_visible()
    expect(page.get_by_role("link", name="Audit")).to_be_visible()
    expect(page.locator(".brand")).to_contain_text("Harbor Health Outreach")
    assert settings.timezone_name() == "America/Chicago"
    assert settings.media_line() == "+13125550100"
    context.close()


def test_pages_work_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/setup")
    expect(page.get_by_label("Find it by city, country or time name")).to_have_count(0)
    expect(page.get_by_label("Time zone", exact=True)).to_have_value("America/Chicago")
    page.get_by_role("button", name="Create admin account").click()
    expect(page.get_by_text("Enter the setup code.").first).to_be_visible()
    expect(page.get_by_text("Enter your organization's name.").first).to_be_visible()
    context.close()
