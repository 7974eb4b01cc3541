"""In a real Chromium: sign in, add an organization and a contact, log a note, record a
commitment, find the contact by search, close the commitment as explained."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_people_journey(app, live_server, page):
    factories.make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    db.session.commit()

    sign_in(page, live_server, "dana@example.org")

    page.goto(f"{live_server}/people/organizations/new")
    page.get_by_label("Name", exact=True).fill("Millrace Neighborhood Association")
    page.get_by_label("Type", exact=True).select_option("neighborhood")
    page.get_by_role("button", name="Add organization").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Millrace Neighborhood Association")

    page.get_by_role("link", name="Add a person here").click()
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Delgado")
    page.get_by_label("Emails").fill("rosa@example.org")
    page.get_by_label("Stance", exact=True).select_option("ally")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rosa Delgado")

    page.get_by_role("link", name="Log a note").click()
    # The full form (the contact page has its own quick note, with a Summary too).
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a note")
    page.get_by_label("Summary").fill("Clean-up walk planning")
    page.get_by_label("Notes", exact=True).fill("Rosa will bring neighbors on Saturday.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Clean-up walk planning")).to_be_visible()

    page.get_by_role("link", name="Record a commitment").click()
    page.get_by_label("What we promised").fill("Bring gloves and bags for the walk")
    page.get_by_label("Due", exact=True).fill("2026-12-05")
    page.get_by_role("button", name="Record commitment").click()
    promise = page.get_by_role("cell", name="Bring gloves and bags for the walk", exact=True)
    expect(promise).to_be_visible()

    page.goto(f"{live_server}/people/")
    page.get_by_label("Search").first.fill("delgado")
    expect(page).to_have_url(re.compile(r"q=delgado"))
    expect(page.locator("#results")).to_contain_text("Rosa Delgado")

    page.goto(f"{live_server}/notes/commitments/")
    page.get_by_role("link", name=re.compile("Close")).first.click()
    page.get_by_label("Can't do — we explained why").check()
    page.get_by_label("When we explained").fill("2026-12-01")
    page.get_by_label("How we explained").fill("Called Rosa: the city supplies them now.")
    page.get_by_role("button", name="Close commitment").click()
    expect(page.get_by_text(re.compile("Closed as can't do", re.I))).to_be_visible()


def test_words_typed_before_htmx_listens_still_search(app, live_server, page):
    """A slow phone: the search box is on screen before the scripts have run, and the person
    types. When htmx arrives, the box searches for what it holds (the keystrokes themselves
    went by unheard). The journeys' live searches after a boosted click meet the same gap."""
    factories.make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    factories.make_contact(first_name="Rosa", last_name="Delgado")
    factories.make_contact(first_name="Tariq", last_name="Haddad")
    db.session.commit()
    sign_in(page, live_server, "dana@example.org")

    held = []
    # htmx waits until the words are typed
    page.route("**/htmx.min.js?*", lambda route: held.append(route))
    page.goto(f"{live_server}/people/", wait_until="commit")
    page.get_by_label("Search", exact=True).fill("rosa")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)  # lets Playwright hear of the held request
    assert held, "the page never asked for htmx"
    expect(page.locator("#results")).to_contain_text("Tariq Haddad")  # not searched yet
    held[0].continue_()
    expect(page.locator("#results")).not_to_contain_text("Tariq Haddad")
    expect(page.locator("#results")).to_contain_text("Rosa Delgado")
    assert "q=rosa" in page.url  # the search is the page's address, as when typed later
