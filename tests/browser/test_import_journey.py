"""In a real Chromium, at a desktop's width and a phone's: upload a Google Contacts export →
match its columns (pre-filled; one changed) → preview (what's new, what an update changes) →
import → the contacts are listed, honorific and all → undo the whole import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

GOOGLE = Path(__file__).resolve().parents[1] / "people" / "import_files" / "google.csv"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _fits(page) -> None:
    """No sideways scrolling: the page is no wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_import_a_google_export_with_its_columns(app, live_server, browser, axe, size):
    factories.make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    council = factories.make_organization(name="Riverbend City Council")
    factories.make_contact(first_name="Alma", last_name="Ortiz", organization_id=council.id,
                           emails=["alma@example.org"], phones=["+15555550123"])
    db.session.commit()
    context = browser.new_context(viewport=VIEWPORTS[size])
    context.set_default_timeout(20_000)  # generous: CI shares two cores
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm asks before undoing

    sign_in(page, live_server, "dana@example.org")
    page.goto(f"{live_server}/people/")
    page.get_by_role("link", name="Import contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import contacts")
    assert axe(page) == []
    page.get_by_label("Contacts file").set_input_files(
        files=[{"name": "google.csv", "mimeType": "text/csv", "buffer": GOOGLE.read_bytes()}])
    page.get_by_role("button", name="Upload and match columns").click()

    # The columns: recognized as Google's, each pre-filled; the notes left out this time.
    expect(page.get_by_role("heading", level=1)).to_have_text("Match the columns of google.csv")
    expect(page.locator("main")).to_contain_text("a Google Contacts export")
    expect(page.get_by_label("Name Prefix")).to_have_value("name_prefix")
    expect(page.get_by_label("E-mail 2 - Value")).to_have_value("emails")
    expect(page.get_by_label("Organization Title")).to_have_value("title")
    expect(page.get_by_label("Labels")).to_have_value("tags")
    expect(page.get_by_label("E-mail 1 - Label")).to_have_value("")
    assert axe(page) == []
    _fits(page)
    page.get_by_label("Notes").select_option(label="Leave this column out")
    page.get_by_role("button", name="Continue to the preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of google.csv")
    counts = page.locator(".import-counts")
    expect(counts).to_contain_text("2 new contacts")
    expect(counts).to_contain_text("1 existing contact to fill in")
    expect(counts).to_contain_text("1 row left out")
    expect(counts).to_contain_text("3 new organizations (1 on its own row)")
    alma = page.locator("tr.action-update")
    expect(alma).to_contain_text("Fill in Alma Ortiz")
    expect(alma).to_contain_text("adds phone (555) 555-0177")
    expect(alma).to_contain_text("adds email a.ortiz@riverbend.example")
    page.locator("details.left-out summary").click()
    expect(page.locator("details.left-out")).to_contain_text(
        re.compile(r"Columns left out: [^.]*Notes"))
    assert axe(page) == []
    page.get_by_role("button", name="Import 3 contacts and 1 organization").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import of google.csv")
    expect(page.locator("#messages")).to_contain_text("2 added, 1 updated, 3 organizations added")
    page.get_by_role("link", name="See the people list").click()
    expect(page.locator("#results")).to_contain_text("Rosa María Delgado Ruíz")
    expect(page.locator("#results")).to_contain_text("Tomás Núñez")
    page.get_by_role("link", name="Rosa María Delgado Ruíz").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rev. Rosa María Delgado Ruíz")
    expect(page.locator("main")).to_contain_text("(555) 210-1000")
    expect(page.locator("main")).not_to_contain_text("overdose awareness vigil")  # left out
    assert axe(page) == []

    # The next Google export starts from the choices just made.
    page.goto(f"{live_server}/people/import")
    page.get_by_label("Contacts file").set_input_files(
        files=[{"name": "google-again.csv", "mimeType": "text/csv",
                "buffer": GOOGLE.read_bytes()}])
    page.get_by_role("button", name="Upload and match columns").click()
    expect(page.locator("main")).to_contain_text("choices confirmed for the same columns")
    expect(page.get_by_label("Notes")).to_have_value("")
    page.get_by_role("button", name="Discard").click()

    page.goto(f"{live_server}/people/import")
    page.get_by_role("link", name="google.csv").click()
    page.get_by_role("button", name="Undo this import").click()
    expect(page.locator("#messages")).to_contain_text("Import undone: 2 removed")
    page.goto(f"{live_server}/people/")
    expect(page.locator("#results")).not_to_contain_text("Rosa")
    context.close()


def test_import_a_phones_cards_without_javascript(app, live_server, browser):
    """JavaScript off: upload an iPhone's vCards, get a mapping wrong (a 422 that says why
    beside the field), fix it, preview, import."""
    factories.make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    db.session.commit()
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, live_server, "dana@example.org")
    page.goto(f"{live_server}/people/import")
    page.get_by_label("Contacts file").set_input_files(str(GOOGLE.parent / "apple.vcf"))
    page.get_by_role("button", name="Upload and match columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Match the columns of apple.vcf")
    expect(page.locator("main")).to_contain_text("a vCard file")
    page.get_by_label("Full name (FN)").select_option("first_name")
    page.get_by_role("button", name="Continue to the preview").click()
    error = page.locator("#col_5-error")
    expect(error).to_contain_text("Only one column can go to first name")
    expect(page.get_by_label("Full name (FN)")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Full name (FN)").select_option(label="Leave this column out")
    page.get_by_role("button", name="Continue to the preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of apple.vcf")
    expect(page.locator(".import-counts")).to_contain_text("3 new contacts")
    page.get_by_role("button", name="Import 3 contacts and 1 organization").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of apple.vcf")
    expect(page.locator("#messages")).to_contain_text("3 added")
    context.close()
