"""Links that leave the app come from configuration, never from a request's Host header.

An attacker chooses the Host header (and, with curl, a matching Origin). Here they try to
get `evil.example` into the mail staff and visitors receive (delivered to a real SMTP
server and parsed), the media page's JSON-LD, vCards and calendar files; and, once the app
knows its public address, to be served at all under another name.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.services import deliver_due
from app.press.forms import inquiry_token
from app.press.models import Inquiry
from app.settings import clock
from app.system.urls import SERVED_AT
from app.tours.models import TourBooking
from tests.factories import deadline_at_noon, make_event, make_invitee, make_spokesperson, make_user

SERVED = "http://127.0.0.1:5055"  # the address `flask serve` listens on in these tests
EVIL = "evil.example"
HOSTILE = {"Host": EVIL}
HOSTILE_WITH_ORIGIN = {"Host": EVIL, "Origin": f"http://{EVIL}"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, SERVED_AT: SERVED, "TOURS_MIN_FILL_SECONDS": 0,
            "TOURS_RATE_PER_IP": 10_000, "TOURS_RATE_PER_EMAIL": 10_000}


def inquiry(**overrides) -> dict:
    deadline = deadline_at_noon(days=1)
    return {"name": "Sam Reporter", "outlet": "River Times", "email": "sam@example.org",
            "deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "topic": "Naloxone",
            "form_token": inquiry_token(), **overrides}


def delivered(app, smtp_server) -> list:
    """Everything queued, sent to the real SMTP server and parsed back."""
    count = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert count, "nothing was queued"
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    assert deliver_due(limit=1000)["sent"] == count
    return smtp_server.wait_for(count)


def assert_trusted(messages) -> list[str]:
    """No part of any message names the hostile host; returns the links they hold."""
    links = []
    for msg in messages:
        raw = msg.as_string()
        assert EVIL not in raw, raw
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                text = part.get_content()
                assert EVIL not in text
                links += re.findall(r"https?://[^\s<>\"]+", text)
    assert links, "the messages hold no links at all"
    assert all(link.startswith(SERVED + "/") for link in links), links
    return links


@pytest.fixture
def liaison_at_evil(app):
    """A signed-in liaison whose requests name the hostile Host (a session cookie is kept
    per host, so the sign-in happens there too)."""
    import time

    user = make_user(role="liaison")
    db.session.commit()
    client = app.test_client()
    with client.session_transaction(base_url=f"http://{EVIL}") as session:
        session.update({"_user_id": user.get_id(), "_fresh": True, "seen": int(time.time())})
    client.user = user
    return client


# --- without PUBLIC_BASE_URL: links use the address the app serves on --------------------------


def test_the_same_site_check_ignores_a_matching_hostile_origin(client):
    """The attack from issue 13: Host and Origin both evil.example used to look same-site."""
    make_user(role="liaison")
    db.session.commit()
    response = client.post("/press/inquiries", data=inquiry(), headers=HOSTILE_WITH_ORIGIN)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Inquiry)) == 0


def test_our_own_origin_passes_whatever_the_host(client):
    make_user(role="liaison")
    db.session.commit()
    response = client.post("/press/inquiries", data=inquiry(),
                           headers={"Host": EVIL, "Origin": SERVED})
    assert response.status_code == 303


def test_inquiry_mail_links_never_follow_the_host(app, client, smtp_server):
    """No Origin at all (curl) passes the same-site layer; the links still lead home."""
    make_user(role="liaison", email="liaison@program.example")
    make_spokesperson(name="Dana Reyes", email="media@program.example", slug="dana")
    db.session.commit()
    assert client.post("/press/inquiries", data=inquiry(), headers=HOSTILE).status_code == 303
    links = assert_trusted(delivered(app, smtp_server))
    assert any(re.fullmatch(rf"{SERVED}/press/manage/inquiries/\d+", link) for link in links)


def test_tour_mail_and_calendar_file_never_follow_the_host(app, client, liaison_at_evil,
                                                           smtp_server):
    from tests.tours.conftest import configure, form_data, link_of

    configure(approval_required=True)
    assert client.post("/tours", data=form_data(), headers=HOSTILE).status_code == 303
    booking = db.session.scalars(select(TourBooking)).one()
    verified = client.post(link_of(booking) + "/confirm-email", headers=HOSTILE)
    assert verified.status_code == 303
    confirmed = liaison_at_evil.post(f"/tours/manage/bookings/{booking.id}/confirm",
                                     headers=HOSTILE)
    assert confirmed.status_code == 303
    db.session.expire_all()
    assert db.session.get(TourBooking, booking.id).status.value == "confirmed"
    messages = delivered(app, smtp_server)
    links = assert_trusted(messages)
    assert any(link.startswith(f"{SERVED}/tours/booking/") for link in links)
    calendars = [part.get_content() for msg in messages for part in msg.walk()
                 if part.get_content_type() == "text/calendar"]
    for text in calendars:
        for event in icalendar.Calendar.from_ical(text).walk("VEVENT"):
            assert str(event["UID"]).endswith("@127.0.0.1")
            assert EVIL not in str(event.get("DESCRIPTION", ""))


def test_invitations_sent_from_a_hostile_host_link_home(app, liaison_at_evil, smtp_server):
    event = make_event(title="Open house")
    guest = make_invitee(first_name="Ana")
    db.session.commit()
    response = liaison_at_evil.post(f"/events/{event.id}/invite",
                                    data={"contact_id": [guest.id]}, headers=HOSTILE)
    assert response.status_code == 303
    links = assert_trusted(delivered(app, smtp_server))
    assert any(link.startswith(f"{SERVED}/rsvp/") for link in links)


def test_media_page_json_ld_and_vcard_never_follow_the_host(client):
    make_spokesperson(name="Dana Reyes", slug="dana", email="media@program.example")
    db.session.commit()
    page = client.get("/press", headers=HOSTILE).text
    assert EVIL not in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page,
                                re.S).group(1))
    urls = [data["url"]] + [person["url"] for person in data["employee"]]
    assert urls and all(u.startswith(SERVED + "/press") for u in urls)

    card = vobject.readOne(client.get("/press/dana.vcf", headers=HOSTILE).text)
    assert card.url.value == f"{SERVED}/press"


def test_calendar_feeds_never_follow_the_host(app, client, liaison_at_evil):
    from app.events import feeds

    day = (clock.local(clock.now()) + timedelta(days=3)).strftime("%Y-%m-%d")
    created = liaison_at_evil.post("/events/new", headers=HOSTILE, data={
        "title": "Open house", "kind": "open_house", "is_public": "y",
        "starts": f"{day}T18:00", "ends": f"{day}T19:00", "timezone": "America/Chicago",
        "location": "Drop-in center", "status": "scheduled"})
    assert created.status_code == 303, created.text
    make_event(title="Talk", is_public=True)
    db.session.commit()
    public = client.get("/calendar/public.ics", headers=HOSTILE).text
    private = client.get(f"/calendar/feed/{feeds.feed_token(liaison_at_evil.user)}.ics",
                         headers=HOSTILE).text
    for text in (public, private):
        assert EVIL not in text
        events = icalendar.Calendar.from_ical(text).walk("VEVENT")
        assert events and all(not str(e["UID"]).endswith(EVIL) for e in events)


# --- with PUBLIC_BASE_URL: other hosts are refused -------------------------------------------


@pytest.fixture
def public_app(tmp_path, database_url, monkeypatch):
    from tests.conftest import base_config

    monkeypatch.setenv("TRUSTED_HOSTS", "liaison.internal, 10.0.0.5")
    app = create_app({**base_config(tmp_path, database_url),
                      "PUBLIC_BASE_URL": "https://liaison.example.org/"})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_trusted_hosts_come_from_the_public_address_plus_the_extra_list(public_app):
    assert public_app.config["PUBLIC_BASE_URL"] == "https://liaison.example.org"
    assert public_app.config["TRUSTED_HOSTS"] == ["liaison.example.org", "liaison.internal",
                                                   "10.0.0.5"]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/press"), ("GET", "/tours"), ("GET", "/healthz"), ("GET", "/login"),
    ("POST", "/press/inquiries"), ("POST", "/tours"), ("GET", "/calendar/public.ics"),
])
def test_other_hosts_are_refused(public_app, method, path):
    client = public_app.test_client()
    response = client.open(path, method=method, headers=HOSTILE_WITH_ORIGIN)
    assert response.status_code == 400
    assert EVIL not in response.text
    assert response.headers["Content-Type"].startswith("text/plain")


def test_listed_hosts_are_served_but_links_still_use_the_public_address(public_app):
    make_spokesperson(name="Dana Reyes", slug="dana")
    db.session.commit()
    client = public_app.test_client()
    assert client.get("/healthz", headers={"Host": "10.0.0.5:8000"}).status_code == 200
    page = client.get("/press", headers={"Host": "liaison.internal"})
    assert page.status_code == 200
    assert "https://liaison.example.org/press/dana.vcf" in page.text
    assert "liaison.internal" not in page.text


def test_a_forwarded_host_is_checked_too(tmp_path, database_url):
    from tests.conftest import base_config

    app = create_app({**base_config(tmp_path, database_url), "BEHIND_PROXY": True,
                      "PUBLIC_BASE_URL": "https://liaison.example.org"})
    client = app.test_client()
    ok = client.get("/healthz", headers={"Host": "127.0.0.1:8000",
                                          "X-Forwarded-Host": "liaison.example.org"})
    assert ok.status_code == 200
    forged = client.get("/healthz", headers={"Host": "127.0.0.1:8000",
                                              "X-Forwarded-Host": EVIL})
    assert forged.status_code == 400
    with app.app_context():
        db.engine.dispose()


def test_the_public_forms_accept_only_the_public_origin(public_app):
    make_user(role="liaison")
    db.session.commit()
    client = public_app.test_client()
    base = {"Host": "liaison.example.org"}
    refused = client.post("/press/inquiries", data=inquiry(),
                          headers={**base, "Origin": "http://liaison.example.org"})  # not https
    assert refused.status_code == 400
    accepted = client.post("/press/inquiries", data=inquiry(),
                           headers={**base, "Origin": "https://liaison.example.org"})
    assert accepted.status_code == 303


# --- starting up --------------------------------------------------------------------------------


def test_production_refuses_to_start_without_a_public_address(tmp_path, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path), "LIAISON_ENV": "production",
                    "SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite://"})
    app = create_app({"INSTANCE_PATH": str(tmp_path), "LIAISON_ENV": "production",
                      "SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite://",
                      "PUBLIC_BASE_URL": "https://liaison.example.org"})
    assert app.config["TRUSTED_HOSTS"] == ["liaison.example.org"]


@pytest.mark.parametrize("value", [
    "liaison.example.org", "ftp://liaison.example.org", "https://", "https://x.org/?a=1",
    "https://user:pw@x.org", "https://x.org:http/", "https://x.org/#top",
])
def test_a_malformed_public_address_is_refused(tmp_path, value):
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k" * 40,
                    "DATABASE_URL": "sqlite://", "PUBLIC_BASE_URL": value})


def test_flask_serve_also_answers_at_the_address_it_listens_on(public_app, monkeypatch):
    """`make run` with PUBLIC_BASE_URL set: the developer's browser at 127.0.0.1 still works,
    and links still use the public address."""
    from app.system import cli

    monkeypatch.setattr(cli, "run_simple", lambda *args, **kwargs: None)
    monkeypatch.setattr(cli, "start_background_worker", lambda app: None)
    make_user()  # no setup code to print
    db.session.commit()
    result = public_app.test_cli_runner().invoke(args=["serve", "--port", "5077"])
    assert result.exit_code == 0, result.output
    assert public_app.config["TRUSTED_HOSTS"][-1] == "127.0.0.1"
    client = public_app.test_client()
    assert client.get("/healthz", headers={"Host": "127.0.0.1:5077"}).status_code == 200
    assert client.get("/healthz", headers=HOSTILE).status_code == 400


def test_going_back_after_an_action_follows_only_our_own_referer(app, client, as_liaison):
    from tests.tours.conftest import book, configure

    configure(approval_required=True)
    booking = book(client)
    url = f"/tours/manage/bookings/{booking.id}/confirm"
    away = as_liaison.post(url, headers={"Referer": f"http://{EVIL}/tours/manage/"})
    assert away.headers["Location"] == f"/tours/manage/bookings/{booking.id}"
    again = as_liaison.post(f"/tours/manage/bookings/{booking.id}/cancel",
                            headers={"Referer": f"{SERVED}/tours/manage/?day=2031-05-01"})
    assert again.headers["Location"] == "/tours/manage/?day=2031-05-01"
