"""In a real Chromium, two people edit the same contact: the second to save sees both
versions side by side (focus on the notice, axe-clean), keeps their own on purpose, and the
page says so. Works through htmx (boosted form, 409 swapped) as without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.people.models import Contact
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_second_editor_sees_both_versions_and_keeps_theirs(app, live_server, browser, page,
                                                           axe):
    factories.make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    factories.make_user(email="sam@example.org", name="Sam Ortiz", role="staff")
    contact = factories.make_contact(first_name="Alma", last_name="Ortiz", title="Aide")
    db.session.commit()
    edit = f"{live_server}/people/{contact.id}/edit"

    other = browser.new_context().new_page()
    sign_in(other, live_server, "sam@example.org")
    other.goto(edit)
    sign_in(page, live_server, "dana@example.org")
    page.goto(edit)

    other.get_by_label("Title or role").fill("Chief of staff")
    other.get_by_role("button", name="Save").click()
    expect(other).to_have_url(f"{live_server}/people/{contact.id}")
    other.context.close()

    page.get_by_label("Title or role").fill("Council member")
    page.get_by_role("button", name="Save").click()
    notice = page.locator("#conflict")
    expect(notice).to_contain_text("Sam Ortiz saved changes")
    expect(notice).to_be_focused()
    row = notice.get_by_role("row", name="Title or role")
    expect(row).to_contain_text("Council member")
    expect(row).to_contain_text("Chief of staff")
    expect(page.get_by_label("Title or role")).to_have_value("Council member")
    assert axe(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("button", name="Save my version").click()
    expect(page).to_have_url(f"{live_server}/people/{contact.id}")
    expect(page.get_by_text("Saved Alma Ortiz.")).to_be_visible()
    db.session.rollback()  # a new snapshot: what the server committed
    assert db.session.get(Contact, contact.id).title == "Council member"
