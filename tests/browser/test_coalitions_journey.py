"""In a real Chromium: add a coalition, add member organizations (found by live search),
record our membership with a renewal, see it due on the dashboard, mark it renewed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.people.models import Stance
from app.settings.clock import today
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_coalitions_journey(app, live_server, page, axe):
    factories.make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    factories.make_organization(name="Eastside Community Clinic", stance=Stance.ally)
    factories.make_organization(name="Open Door Housing Collaborative", stance=Stance.champion)
    factories.make_organization(name="Riverbend Food Shelf")
    db.session.commit()
    renewal = today() + timedelta(days=12)
    next_year = renewal + timedelta(days=365)

    sign_in(page, live_server, "dana@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coalitions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coalitions and bodies")
    page.get_by_role("link", name="Add a coalition").click()
    page.get_by_label("Name", exact=True).fill("Riverbend Harm Reduction Coalition")
    page.get_by_label("Kind").select_option("coalition")
    page.get_by_label("Scope").select_option("local")
    page.get_by_label("Website").fill("not a web address")
    page.get_by_role("button", name="Add coalition").click()
    expect(page.locator("#website-error")).to_contain_text("Enter a web address")
    page.get_by_label("Website").fill("https://rhrc.example")
    page.get_by_role("button", name="Add coalition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Riverbend Harm Reduction Coalition")

    page.get_by_role("link", name="Add member organizations").click()
    page.get_by_label("Find organizations by name").fill("riverbend")  # live search
    candidates = page.locator("#candidates")
    expect(candidates).to_contain_text("Riverbend Food Shelf")
    expect(candidates).not_to_contain_text("Eastside Community Clinic")
    page.get_by_label("Find organizations by name").fill("")
    expect(candidates).to_contain_text("Eastside Community Clinic")
    page.get_by_label("Eastside Community Clinic").check()
    page.get_by_label("Open Door Housing Collaborative").check()
    page.get_by_role("button", name="Add to members").click()
    members = page.locator("#members-heading").locator("xpath=..")
    expect(members).to_contain_text("Eastside Community Clinic")
    expect(members).to_contain_text("Open Door Housing Collaborative")
    expect(members.locator(".stance-champion")).to_have_text("Champion")

    page.get_by_role("link", name="Record our membership").click()
    page.get_by_label("Our role").select_option("lead")
    page.get_by_label("Dues (amount)").fill("199.999")
    page.get_by_label("Renewal date").fill(renewal.isoformat())
    page.get_by_role("button", name="Save membership").click()
    expect(page.locator("#dues-error")).to_be_visible()
    page.get_by_label("Dues (amount)").fill("200")
    page.get_by_label("Dues cover").select_option("year")
    page.get_by_role("button", name="Save membership").click()
    expect(page.locator("#renewal")).to_contain_text("Renews soon")
    expect(page.get_by_text("$200.00 a year")).to_be_visible()
    assert axe(page) == []

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    panel = page.locator("section", has=page.get_by_role("heading", name="Renewals and deadlines"))
    expect(panel).to_contain_text("Renew membership of Riverbend Harm Reduction Coalition")
    # Counted from today as the check runs, as the server counts: not from the start of the
    # test, which may have been the day before (midnight in the org's zone in between).
    expect(panel).to_contain_text(f"in {(renewal - today()).days} days")
    panel.get_by_role("link", name=re.compile("Renew membership of")).click()

    page.get_by_role("link", name="Mark renewed").click()
    # Offered: a year on from the renewal date on record.
    expect(page.get_by_label("Next renewal")).to_have_value(
        re.compile(rf"^{renewal.year + 1}-{renewal.month:02d}-"))
    page.get_by_label("Next renewal").fill(next_year.isoformat())
    page.get_by_role("button", name="Mark renewed").click()
    expect(page.locator("#renewal")).to_contain_text(f"Renews {next_year:%b %-d, %Y}")
    expect(page.locator("#renewal")).to_contain_text("Last renewed")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    panel = page.locator("#coalitions-due")
    expect(panel).to_contain_text("Nothing due in the next 30 days")  # loaded, and renewed
    expect(panel).not_to_contain_text("Renew membership of")
