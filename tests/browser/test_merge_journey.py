"""In a real Chromium: merge a duplicate contact: find it by typing its name, compare the
two side by side (the known stance is preselected), see what will move, confirm; the
pages pass axe on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.people.models import Stance
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_merge_a_duplicate(app, live_server, page, axe):
    factories.make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    keep = factories.make_contact(first_name="Rosa", last_name="Delgado", stance=Stance.ally,
                                  emails=["rosa@example.org"])
    dup = factories.make_contact(first_name="Rosa", last_name="Delgado-Ruiz",
                                 emails=["rdr@example.org"])
    factories.make_note([dup], [], summary="Met at the clean-up walk")
    db.session.commit()
    keep_id = keep.id
    sign_in(page, live_server, "dana@example.org")
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm asks before merging

    page.goto(f"{live_server}/people/{keep_id}")
    page.get_by_role("link", name="Merge a duplicate").click()
    page.get_by_label("Name", exact=True).press_sequentially("delgado-r")
    result = page.locator("#merge-results").get_by_role("link", name="Rosa Delgado-Ruiz")
    expect(result).to_be_visible()  # searched as we typed
    assert axe(page) == []
    result.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Merge Rosa Delgado")
    expect(page.get_by_text("1 note", exact=True)).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("Stance Ally"))).to_be_checked()
    assert axe(page) == []
    page.get_by_role("button", name="Merge").click()

    expect(page).to_have_url(re.compile(rf"/people/{keep_id}$"))
    expect(page.get_by_text("Merged Rosa Delgado-Ruiz into Rosa Delgado.")).to_be_visible()
    expect(page.get_by_text("Met at the clean-up walk")).to_be_visible()
    expect(page.get_by_role("link", name="rdr@example.org")).to_be_visible()
