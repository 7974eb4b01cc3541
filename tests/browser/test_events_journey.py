"""In Chromium: plan an event, invite three contacts by filter, the real SMTP server gets three
invitations, one invitee follows the RSVP link and says yes, and the event page shows it."""

from __future__ import annotations

import re

import pytest

from app.auth.models import Role
from app.extensions import db
from app.mail.services import deliver_due
from tests.browser.conftest import sign_in
from tests.factories import make_invitee, make_user

pytestmark = pytest.mark.browser


def test_create_invite_rsvp_journey(app, live_server, page, smtp_server):
    user = make_user(role=Role.liaison, email="liaison@example.org", name="Dana Reyes")
    for name in ("Avery", "Blair", "Casey"):
        make_invitee(first_name=name, tags="faith-leaders")
    make_invitee(first_name="Drew", tags="faith-leaders", do_not_contact=True)
    make_invitee(first_name="Emery", tags="neighbors")
    db.session.commit()
    email = user.email
    db.session.close()  # SQLite transactions here begin IMMEDIATE: hold none while serving

    sign_in(page, live_server, email)

    page.goto(f"{live_server}/events/new")
    page.get_by_label("Title").fill("Community celebration")
    page.get_by_label("Kind").select_option("celebration")
    page.get_by_label("Starts", exact=True).fill("2031-05-01")
    page.get_by_label("Starts: time").fill("5 pm")  # typed on a 12-hour clock
    page.get_by_label("Ends", exact=True).fill("2031-05-01")
    page.get_by_label("Ends: time").fill("19:00")  # or a 24-hour one: both are read
    page.get_by_label("Capacity").fill("40")
    page.get_by_role("button", name="Save event").click()
    page.wait_for_url(re.compile(r"/events/\d+$"))
    event_url = page.url

    page.get_by_role("link", name="Invite people").click()
    page.get_by_label("Tag").fill("faith-leaders")
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Asked not to be contacted").wait_for()
    assert page.get_by_text("Emery").count() == 0
    page.get_by_role("button", name="Send 3 invitations").click()
    page.wait_for_url(event_url)
    page.get_by_text("Invited 3 people.").wait_for()

    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    assert deliver_due()["sent"] == 3
    db.session.close()
    messages = smtp_server.wait_for(3)
    assert len(messages) == 3
    text = messages[0].get_body(("plain",)).get_content()
    link = re.search(r"(http://\S+/rsvp/\S+)", text).group(1)

    rsvp = page.context.browser.new_context().new_page()  # the invitee: not signed in
    rsvp.goto(link)
    rsvp.get_by_role("button", name="Yes, I'll come").click()
    rsvp.get_by_text("Your answer: Yes").first.wait_for()
    rsvp.context.close()

    page.goto(event_url)
    counts = " ".join(page.locator("#rsvp-counts").inner_text().split())
    assert counts.startswith("1 yes of 40 places")
