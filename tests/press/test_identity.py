"""The media page speaks for the organization set under Settings (name, time zone, phone
region, public address, media line), shows a change at once, and a media inquiry reaches
the spokesperson on duty with the liaison in copy."""

from __future__ import annotations

import json
import re
from email.utils import getaddresses

import vobject
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.mail.services import deliver_due
from app.press import services
from app.press.forms import inquiry_token
from app.settings import services as settings
from tests.factories import deadline_at_noon, make_page, make_spokesperson, make_user


def json_ld(html: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def name_the_program(**overrides) -> None:
    values = {"name": "Harbor Health Outreach", "timezone": "America/New_York",
              "region": "US", "public_address": "PO Box 77\nHarbor City, MD 21000",
              "media_line": "+14105550100", **overrides}
    settings.save_organization(**values)
    db.session.commit()


def test_the_media_line_and_address_are_on_the_page_json_ld_and_vcard(client):
    make_page(after_hours="Call the media line and leave a message.")
    make_spokesperson(name="Dana Reyes", slug="dana", phone="+14105550142",
                      email="dana@harbor.example", position=1)
    name_the_program()
    html = client.get("/press").text
    assert "Media line:" in html and 'href="tel:+14105550100"' in html
    assert "Call (410) 555-0100" in html and "Media line hours" in html
    assert "PO Box 77, Harbor City, MD 21000" in html
    assert "In our local time: Eastern Time (New York)." in html
    data = json_ld(html)
    assert data["name"] == "Harbor Health Outreach"
    assert data["address"] == "PO Box 77, Harbor City, MD 21000"
    (contact,) = data["contactPoint"]
    assert contact["telephone"] == "+14105550100"  # the line, not the person
    assert contact["email"] == "dana@harbor.example"
    assert data["employee"][0]["telephone"] == "+14105550142"

    card = vobject.readOne(client.get("/press/dana.vcf").text, validate=True)
    assert card.org.value == ["Harbor Health Outreach"]
    numbers = {(tel.group, tel.value) for tel in card.contents["tel"]}
    assert numbers == {(None, "+14105550142"), ("item1", "+14105550100")}
    (label,) = card.contents["x-ablabel"]
    assert label.group == "item1" and label.value == "Media line"
    assert card.adr.value.street == "PO Box 77, Harbor City, MD 21000"


def test_without_a_media_line_the_page_never_offers_one(client):
    make_page(hours="Weekdays 9 to 5")
    make_spokesperson(name="Dana Reyes", slug="dana", phone="+13125550142", position=1)
    db.session.commit()
    html = client.get("/press").text
    assert "media line" not in html.lower()
    assert "Media hours" in html
    (contact,) = json_ld(html)["contactPoint"]
    assert contact["telephone"] == "+13125550142"  # the person on duty's, then
    assert "address" not in json_ld(html)
    card = vobject.readOne(client.get("/press/dana.vcf").text)
    assert [t.value for t in card.contents["tel"]] == ["+13125550142"]
    assert "adr" not in card.contents


def test_a_settings_change_shows_on_the_cached_page_at_once(client, as_admin):
    make_page()
    make_spokesperson(name="Dana Reyes", slug="dana", position=1)
    db.session.commit()
    first = client.get("/press")
    assert "Liaison" in first.text  # the default before anyone named the program
    response = as_admin.post("/admin/settings/", data={
        "name": "Harbor Health Outreach", "timezone": "America/Chicago", "phone_region": "US",
        "media_line": "312 555 0100"})
    assert response.status_code == 303
    second = client.get("/press", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200  # not a 304: what the page renders from changed
    assert "Harbor Health Outreach" in second.text and "(312) 555-0100" in second.text
    assert json_ld(second.text)["name"] == "Harbor Health Outreach"

    as_admin.post("/admin/settings/", data={
        "name": "Harbor Health Outreach", "timezone": "America/Chicago", "phone_region": "GB",
        "media_line": "+13125550100"})
    third = client.get("/press").text  # the same number, now read from abroad
    assert "+1 312-555-0100" in third


def inquire(client) -> None:
    deadline = deadline_at_noon(days=1)
    response = client.post("/press/inquiries", data={
        "name": "Jordan Blake", "outlet": "River Times", "email": "jb@rivertimes.example",
        "deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "topic": "Naloxone vending",
        "form_token": inquiry_token()})
    assert response.status_code == 303


def delivered(app, smtp_server, count: int):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    assert deliver_due()["sent"] == count
    smtp_server.wait_for(count)
    return smtp_server


def test_an_inquiry_reaches_the_spokesperson_on_duty_with_the_liaison_in_copy(
        app, client, smtp_server):
    make_user(role="liaison", name="Lee Liaison", email="lee@harbor.example")
    make_user(role="admin", name="Ada Admin", email="ada@harbor.example")
    make_spokesperson(name="Primary Person", email="primary@harbor.example", position=1)
    backup = make_spokesperson(name="Sam Okafor", email="sam@harbor.example", position=2)
    db.session.commit()
    services.put_on_duty_today(backup)
    db.session.commit()
    inquire(client)
    box = delivered(app, smtp_server, 2)
    envelopes = sorted(rcpt for e in box.envelopes for rcpt in e.rcpt_tos)
    assert envelopes == ["lee@harbor.example", "sam@harbor.example"]  # one copy each
    for msg in box.messages:
        assert getaddresses([msg["To"]]) == [("Sam Okafor", "sam@harbor.example")]
        assert getaddresses([msg["Cc"]]) == [("Lee Liaison", "lee@harbor.example")]
        assert msg["Reply-To"] == "jb@rivertimes.example"
        body = msg.get_body(("plain",)).get_content()
        assert "Sam Okafor is on duty for media and has it" in body
        assert "Naloxone vending" in body
    summary = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.action == "press.inquiry.received")).one()
    assert summary.endswith("sent to Sam Okafor, 1 in copy")


def test_the_liaison_who_is_on_duty_gets_one_copy(app, client, smtp_server):
    make_user(role="liaison", name="Dana Reyes", email="Dana@Harbor.example")
    make_spokesperson(name="Dana Reyes", email="dana@harbor.example", position=1)
    db.session.commit()
    inquire(client)
    (msg,) = delivered(app, smtp_server, 1).messages
    assert msg["Cc"] is None
    assert getaddresses([msg["To"]]) == [("Dana Reyes", "dana@harbor.example")]


def test_with_nobody_on_duty_the_liaisons_get_it(app, client, smtp_server):
    make_user(role="liaison", name="Lee Liaison", email="lee@harbor.example")
    make_user(role="liaison", name="Kim Liaison", email="kim@harbor.example")
    away = make_spokesperson(name="Away Person", position=1)
    away.away = True
    db.session.commit()
    inquire(client)
    box = delivered(app, smtp_server, 2)
    for msg in box.messages:
        assert getaddresses([msg["To"]]) == [("Lee Liaison", "lee@harbor.example")]
        assert getaddresses([msg["Cc"]]) == [("Kim Liaison", "kim@harbor.example")]
        assert "Nobody is on duty for media today" in msg.get_body(("plain",)).get_content()


def test_without_a_liaison_an_admin_gets_it_and_without_anyone_it_is_logged(app, client):
    inquire(client)  # nobody at all: the inquiry waits in the media log, nothing breaks
    assert services.open_inquiries()
    make_user(role="admin", name="Ada Admin", email="ada@harbor.example")
    db.session.commit()
    sent = services.inquiry_recipients()
    assert sent.to == ("Ada Admin", "ada@harbor.example") and not sent.on_duty
