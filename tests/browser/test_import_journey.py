"""In a real Chromium: upload a CSV of contacts → preview → confirm → the contacts are listed →
undo the whole import."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

CSV = ("First name,Last name,Email,Phone,Organization,Stance,Tags\n"
       "Rosa,Delgado,ROSA@example.org,555-555-0101,Millrace Neighborhood Association,ally,"
       "neighbors\n"
       "Tomás,Whitfield,tomas@example.org,,Millrace Neighborhood Association,Skeptical,\n")


def test_import_journey(app, live_server, page, axe):
    factories.make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    db.session.commit()
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm asks before undoing

    sign_in(page, live_server, "dana@example.org")

    page.goto(f"{live_server}/people/")
    page.get_by_role("link", name="Import from CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import contacts from a CSV file")
    assert axe(page) == []
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "neighbors.csv", "mimeType": "text/csv",
                "buffer": CSV.encode("utf-8")}])
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of neighbors.csv")
    expect(page.locator(".import-counts")).to_contain_text("2 new contacts")
    expect(page.locator("#import-line-2")).to_contain_text("rosa@example.org")
    assert axe(page) == []
    page.get_by_role("button", name="Import 2 contacts").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import of neighbors.csv")
    expect(page.locator("#messages")).to_contain_text("2 added")
    page.get_by_role("link", name="See the people list").click()
    expect(page.locator("#results")).to_contain_text("Rosa Delgado")
    expect(page.locator("#results")).to_contain_text("Tomás Whitfield")

    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of neighbors.csv")
    page.reload()
    page.get_by_role("button", name="Undo this import").click()
    expect(page.locator("#messages")).to_contain_text("Import undone: 2 removed")
    page.goto(f"{live_server}/people/")
    expect(page.locator("#results")).not_to_contain_text("Rosa Delgado")
