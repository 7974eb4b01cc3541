"""Journey: the liaison changes who is on duty, /press follows at once, the vCard saves, and a
journalist's inquiry lands on the dashboard with its deadline."""

from __future__ import annotations

from pathlib import Path

import pytest
import vobject

from app.extensions import db
from tests.browser.conftest import sign_in
from tests.factories import deadline_at_noon, make_page, make_spokesperson, make_user

pytestmark = pytest.mark.browser


def test_on_duty_change_vcard_and_inquiry(app, live_server, page, axe):
    make_user(role="liaison", email="liaison@program.example", name="Dana Liaison")
    make_page()
    make_spokesperson(name="First Speaker", slug="first-speaker", position=1)
    make_spokesperson(name="Second Speaker", slug="second-speaker", position=2,
                      phone="+13125550177")
    db.session.commit()

    # The journalist's view before the change, checked for accessibility.
    page.goto(f"{live_server}/press")
    assert page.locator("#on-duty-heading + .press-person .press-name").inner_text() \
        .startswith("First Speaker")
    assert axe(page) == []

    # The liaison signs in and puts the second speaker on duty.
    liaison = page.context.browser.new_context().new_page()
    sign_in(liaison, live_server, "liaison@program.example")
    liaison.goto(f"{live_server}/press/manage")
    liaison.click("button:has-text('Put on duty today: Second Speaker')")
    liaison.wait_for_selector("#on-duty-name:has-text('Second Speaker')")

    # /press shows the new person at once (no stale cache, a new ETag).
    page.reload()
    duty = page.locator(".press-duty .press-name")
    assert duty.inner_text().startswith("Second Speaker")
    assert page.locator(".press-duty a[href='tel:+13125550177']").count() == 1

    # The vCard downloads and parses.
    with page.expect_download() as info:
        page.click(".press-duty a:has-text('Save to contacts')")
    download = info.value
    assert download.suggested_filename == "second-speaker.vcf"
    card = vobject.readOne(Path(download.path()).read_text(encoding="utf-8"), validate=True)
    assert card.fn.value == "Second Speaker"
    assert card.tel.value == "+13125550177"

    # A journalist sends an inquiry (plain form post, no JavaScript needed).
    deadline = deadline_at_noon(days=1)
    page.fill("#name", "Jordan Blake")
    page.fill("#outlet", "River Times")
    page.fill("#email", "jb@rivertimes.example")
    page.fill("#deadline", deadline.strftime("%Y-%m-%d"))  # the date picker
    page.fill("#deadline-time", deadline.strftime("%H:%M"))  # and the time, typed
    page.fill("#topic", "Naloxone vending machines downtown")
    page.click("button:has-text('Send inquiry')")
    page.wait_for_selector("h1:has-text('we have your inquiry')")

    # It appears on the liaison's dashboard with its deadline and time left.
    liaison.goto(f"{live_server}/")
    item = liaison.locator(".press-deadlines li", has_text="River Times")
    item.wait_for()
    text = item.inner_text()
    assert "Naloxone vending machines" in text
    assert deadline.strftime("%-I:%M %p") in text
    assert "left" in text
    liaison.context.close()
