"""Admins set the organization's identity (name, time zone, phone region, public address,
media line); everything shows it at once."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.settings import services
from app.templating import localtime


def test_admin_changes_name_and_time_zone(as_admin):
    response = as_admin.post("/admin/settings/",
                             data={"name": "Riverbend  Harm\r\nReduction",
                                   "timezone": "America/Los_Angeles", "phone_region": "US"})
    assert response.status_code == 303
    assert services.org_name() == "Riverbend Harm Reduction"
    assert services.timezone_name() == "America/Los_Angeles"
    assert "Riverbend Harm Reduction" in as_admin.get("/").text
    noon_utc = datetime(2026, 7, 1, 19, 0, tzinfo=UTC)
    assert localtime(noon_utc, "%H:%M") == "12:00"
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "settings.organization"))
    assert "name and time zone" in event.summary


def test_unknown_time_zone_and_empty_name_are_refused(as_admin):
    response = as_admin.post("/admin/settings/", data={"name": " ", "timezone": "Mars/Olympus",
                                                       "phone_region": "US"})
    assert response.status_code == 422
    assert "Enter the organization" in response.text
    assert "Choose a time zone from the list." in response.text
    assert services.timezone_name() == "America/Chicago"


def test_settings_are_admin_only(as_liaison, as_staff):
    assert as_liaison.get("/admin/settings/").status_code == 403
    assert as_staff.post("/admin/settings/", data={}).status_code == 403


def test_the_picker_offers_current_zones_with_friendly_labels(as_admin):
    from app.settings import zones

    names = [z.name for z in zones.zones()]
    assert "America/Chicago" in names and "UTC" in names and "Europe/Kyiv" in names
    for old in ("US/Central", "Asia/Calcutta", "Europe/Kiev", "America/Buenos_Aires", "EST5EDT",
                "Etc/GMT+6", "GB"):
        assert old not in names  # backward links and obsolete names are never offered
    offsets = [z.offset for z in zones.zones()]
    assert offsets == sorted(offsets)  # west to east
    winter = datetime(2026, 1, 15, tzinfo=UTC)
    assert zones.label("America/Chicago", winter) == "Central Time — Chicago (UTC\u221206:00)"
    assert zones.label("Asia/Kolkata", winter) == "India Time — Kolkata (UTC+05:30)"
    assert zones.label("Pacific/Honolulu", winter) == "Hawaii Time — Honolulu (UTC\u221210:00)"
    page = as_admin.get("/admin/settings/").text
    assert "<option data-search=\"america/chicago america chicago united states us\" selected " \
        "value=\"America/Chicago\">Central Time — Chicago (UTC" in page
    assert '"Asia/Calcutta": "Asia/Kolkata"' in html.unescape(page)  # for the script


def test_admin_sets_the_public_address_and_media_line(as_admin):
    response = as_admin.post("/admin/settings/", data={
        "name": "Riverbend Harm Reduction", "timezone": "America/Chicago", "phone_region": "US",
        "public_address": "410 Mill Street\r\nRiverbend, IL 60000",
        "media_line": "(312) 555-0100"})
    assert response.status_code == 303
    who = services.identity()
    assert who.public_address == "410 Mill Street\nRiverbend, IL 60000"
    assert who.media_line == "+13125550100"
    page = as_admin.get("/admin/settings/").text
    assert 'value="(312) 555-0100"' in page
    summary = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.action == "settings.organization")).one()
    assert summary == "Changed the organization's name, public address and media line"
    # a number typed without a country code is read in the region chosen on the same form
    response = as_admin.post("/admin/settings/", data={
        "name": "Riverbend Harm Reduction", "timezone": "Europe/London", "phone_region": "GB",
        "public_address": "", "media_line": "020 7946 0958"})
    assert response.status_code == 303
    assert services.media_line() == "+442079460958" and services.public_address() == ""


def test_a_bad_media_line_is_refused_beside_its_field(as_admin):
    response = as_admin.post("/admin/settings/", data={
        "name": "Riverbend", "timezone": "America/Chicago", "phone_region": "US",
        "media_line": "call the office", "public_address": "x" * 301})
    assert response.status_code == 422
    assert 'id="media_line-error"' in response.text
    assert 'id="public_address-error"' in response.text
    assert services.media_line() == ""


def test_invitations_are_signed_with_the_name_and_public_address(as_liaison):
    from email import policy
    from email.parser import BytesParser

    from app.mail.models import OutboxMessage
    from tests.factories import make_event, make_invitee

    services.save_organization(name="Harbor Health Outreach", timezone="America/Chicago",
                               public_address="PO Box 77\nHarbor City, MD 21000")
    event, guest = make_event(title="Open house"), make_invitee(first_name="Ana")
    db.session.commit()
    assert as_liaison.post(f"/events/{event.id}/invite",
                           data={"contact_id": [guest.id]}).status_code == 303
    raw = db.session.scalars(select(OutboxMessage.raw)).one()
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert msg["From"].addresses[0].display_name == "Harbor Health Outreach"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.rstrip().endswith("Harbor Health Outreach\nPO Box 77\nHarbor City, MD 21000")
    html = msg.get_body(("html",)).get_content()
    assert "Harbor Health Outreach<br>PO Box 77, Harbor City, MD 21000" in html
