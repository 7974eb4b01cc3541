"""The public media page, its JSON-LD, ETag, vCards and what never reaches them."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import vobject
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.press import services
from app.press.forms import inquiry_token
from app.press.models import Inquiry
from app.system import shared_bodies
from tests.conftest import count_queries
from tests.factories import (
    deadline_at_noon,
    make_inquiry,
    make_page,
    make_spokesperson,
    make_statement,
    make_user,
)

MARK = "ZZPRIVATE"


def json_ld(html: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def test_page_shows_on_duty_first_with_links(client, app):
    make_page()
    first = make_spokesperson(name="Dana Reyes", slug="dana-reyes", phone="+13125550142",
                              title="Liaison", position=1)
    make_spokesperson(name="Sam Okafor", slug="sam-okafor", position=2)
    db.session.commit()
    response = client.get("/press")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.index("Dana Reyes") < html.index("Sam Okafor")
    assert 'href="tel:+13125550142"' in html
    assert f'href="mailto:{first.email}"' in html
    assert "(312) 555-0142" in html
    assert "/press/dana-reyes.vcf" in html
    assert "within 2 hours" in html and "Mon to Fri 9 to 5" in html
    assert "Not yet reviewed" in html
    assert "<script src" not in html  # works without JavaScript


def test_rota_and_away_fallback(client, app):
    make_page()
    make_spokesperson(name="Primary Person", position=1)
    backup = make_spokesperson(name="Backup Person", position=2)
    db.session.commit()
    services.put_on_duty_today(backup)
    db.session.commit()
    html = client.get("/press").get_data(as_text=True)
    assert html.index("Backup Person") < html.index("Primary Person")
    services.set_away(backup, True)
    db.session.commit()
    html = client.get("/press").get_data(as_text=True)
    assert "Backup Person" not in html  # away: off the page at once, rota falls back
    assert "Primary Person" in html
    assert client.get(f"/press/{backup.slug}.vcf").status_code == 404


def test_json_ld_matches_the_page(client, app):
    make_page(reviewed_at=utcnow(), reviewed_by="Dana")
    duty = make_spokesperson(name="Dana Reyes", title="Community Relations Liaison", position=1)
    backup = make_spokesperson(name="Sam Okafor", title="Director", position=2)
    db.session.commit()
    html = client.get("/press").get_data(as_text=True)
    data = json_ld(html)
    assert data["@type"] == "Organization"
    [contact] = data["contactPoint"]
    assert contact["contactType"] == "media relations"
    assert contact["telephone"] == duty.phone and contact["email"] == duty.email
    names = [p["name"] for p in data["employee"]]
    assert names == ["Dana Reyes", "Sam Okafor"]
    for person, shown in zip([duty, backup], data["employee"], strict=True):
        assert shown["@type"] == "Person"
        assert shown["jobTitle"] == person.title
        assert shown["jobTitle"] in html and shown["name"] in html
        assert shown["telephone"] in html and shown["email"] in html
    assert data["description"] == "We are a syringe services program."
    assert "Last reviewed on" in html


def test_etag_304_and_refresh_on_change(client, app):
    make_page()
    person = make_spokesperson(name="Dana Reyes")
    db.session.commit()
    first = client.get("/press")
    etag = first.headers["ETag"]
    assert first.cache_control.max_age == 60
    again = client.get("/press", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    services.save_spokesperson(person, {"name": "Dana R. Reyes"})
    db.session.commit()
    changed = client.get("/press", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Dana R. Reyes" in changed.get_data(as_text=True)


def test_private_fields_never_public(client, app):
    """A marker in every private field; none reaches /press, the vCard or the JSON-LD."""
    make_page()
    shown = make_spokesperson(name="Public Speaker", notes=f"{MARK} internal note", position=1)
    make_spokesperson(name=f"Away {MARK}", title=f"{MARK} title", email=f"away{MARK}@x.example",
                      phone="+13125559999", bio=MARK, away=True, position=2)
    make_spokesperson(name=f"Inactive {MARK}", active=False, position=3)
    make_statement(title=f"Draft {MARK}", body=MARK, published=False)
    make_inquiry(journalist_name=MARK, journalist_email=f"{MARK}@news.example", outlet=MARK,
                 topic=MARK, response_notes=MARK, journalist_phone="+13125558888")
    db.session.commit()
    html = client.get("/press").get_data(as_text=True)
    card = client.get(f"/press/{shown.slug}.vcf").get_data(as_text=True)
    for text in (html, card, json.dumps(json_ld(html))):
        assert MARK not in text
        assert MARK.lower() not in text.lower()
        assert "5559999" not in text and "5558888" not in text


def test_vcard_parses_and_rev_changes(client, app):
    person = make_spokesperson(name="Dana Reyes", title="Liaison", phone="+13125550142",
                               email="dana@program.example")
    db.session.commit()
    response = client.get(f"/press/{person.slug}.vcf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/vcard; charset=utf-8"
    text = response.get_data(as_text=True)
    card = vobject.readOne(text, validate=True)
    assert card.version.value == "3.0"
    assert card.fn.value == "Dana Reyes"
    assert card.title.value == "Liaison"
    assert card.tel.value == "+13125550142"
    assert card.tel.params["TYPE"] == ["work", "voice"]
    assert card.email.params["TYPE"] == ["internet", "work"]
    uid, rev = card.uid.value, card.rev.value
    services.save_spokesperson(person, {"title": "Lead liaison"})
    person.updated_at = utcnow() + timedelta(seconds=5)  # REV has one-second resolution
    db.session.commit()
    card2 = vobject.readOne(client.get(f"/press/{person.slug}.vcf").get_data(as_text=True),
                            validate=True)
    assert card2.uid.value == uid
    assert card2.rev.value != rev
    assert card2.title.value == "Lead liaison"


def test_statements_published_only(client, app):
    make_statement(title="Published one", published=True)
    make_statement(title="Draft one", published=False)
    db.session.commit()
    html = client.get("/press").get_data(as_text=True)
    assert "Published one" in html and "Draft one" not in html


def test_query_count_is_constant(app):
    def render_count() -> int:
        client = app.test_client()
        shared_bodies.forget("press_page")
        app.extensions.pop("press_version", None)
        with count_queries() as n:
            assert client.get("/press").status_code == 200
        return n()

    make_page()
    for _ in range(10):
        make_spokesperson()
        make_statement()
    db.session.commit()
    small = render_count()
    for _ in range(300):
        make_spokesperson()
        make_statement()
    db.session.commit()
    assert render_count() == small


def test_inquiry_creates_and_emails_liaison(client, app, smtp_server):
    make_user(role="liaison", email="liaison@program.example", name="Dana Liaison")
    make_user(role="staff", email="staff@program.example")
    db.session.commit()
    deadline = deadline_at_noon(days=1)
    response = client.post("/press/inquiries", data={
        "name": "Jordan Blake", "outlet": "River Times", "email": "jb@rivertimes.example",
        "phone": "(312) 555-0100", "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "topic": "Naloxone vending machines", "form_token": inquiry_token(),
    })
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/press/inquiries/thanks")
    inquiry = db.session.scalar(select(Inquiry))
    assert inquiry.outlet == "River Times" and inquiry.journalist_phone == "+13125550100"
    assert inquiry.contact_id is None
    assert abs((inquiry.deadline - deadline).total_seconds()) < 60
    assert client.get(response.headers["Location"]).status_code == 200

    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    from app.mail.services import deliver_due

    deliver_due()
    db.session.commit()
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "Dana Liaison <liaison@program.example>"
    assert "River Times" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Naloxone vending machines" in body and "Jordan Blake" in body


def test_inquiry_validation_422_beside_fields(client, app):
    response = client.post("/press/inquiries", data={
        "name": "", "outlet": "River Times", "email": "not-an-email", "phone": "12",
        "deadline": "2001-01-01T10:00", "topic": "x", "form_token": inquiry_token()})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html and 'id="email-error"' in html
    assert 'id="phone-error"' in html and "already passed" in html
    assert db.session.scalar(select(Inquiry)) is None


def test_honeypot_keeps_nothing(client, app):
    response = client.post("/press/inquiries", data={
        "name": "Bot", "outlet": "Spam", "email": "bot@spam.example",
        "deadline": "2099-01-01T10:00", "topic": "buy", "website": "http://spam"})
    assert response.status_code == 303
    assert db.session.scalar(select(Inquiry)) is None
