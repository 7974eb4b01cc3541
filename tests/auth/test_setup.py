"""First run: a one-time setup page that only the server's operator can use."""

from __future__ import annotations

import logging

from sqlalchemy import select

from app.auth import services
from app.auth.models import Role, User
from app.extensions import db
from tests.factories import make_user

GOOD = {
    "org_name": "Riverbend Harm Reduction",
    "timezone": "America/Chicago",
    "name": "Ada Admin",
    "email": "ada@example.org",
    "new_password": "river stones and blue kettles",
    "confirm": "river stones and blue kettles",
}


def test_setup_page_prints_a_code_on_the_console(client, caplog):
    with caplog.at_level(logging.WARNING, logger="liaison.setup"):
        response = client.get("/setup")
    assert response.status_code == 200
    assert "setup code" in response.text.lower()
    assert any("Liaison setup code:" in r.getMessage() for r in caplog.records)
    # the code itself is not on the page
    code = caplog.records[-1].getMessage().split("code: ")[1].split()[0]
    assert code not in response.text


def test_wrong_code_is_refused_and_creates_nothing(client):
    client.get("/setup")
    response = client.post("/setup", data={**GOOD, "code": "WRONG-CODE-0000"})
    assert response.status_code == 422
    assert "setup code is not right" in response.text
    assert db.session.scalar(select(User)) is None


def test_right_code_creates_the_admin_and_signs_in(client):
    code = services.issue_setup_code()
    db.session.commit()
    response = client.post("/setup", data={**GOOD, "code": code.lower().replace("-", " ")})
    assert response.status_code == 303
    admin = db.session.scalar(select(User))
    assert admin.role == Role.admin and admin.email == "ada@example.org"
    assert client.get("/").status_code == 200
    # one-time: the page is gone and the code is retired
    assert client.get("/setup").status_code == 404
    assert not services.check_setup_code(code)


def test_setup_can_load_the_demo(client):
    code = services.issue_setup_code()
    db.session.commit()
    response = client.post("/setup", data={**GOOD, "code": code, "load_demo": "y"})
    assert response.status_code == 303
    assert db.session.scalar(select(User).where(User.role == Role.liaison)) is not None


def test_setup_is_gone_once_users_exist(client):
    make_user()
    db.session.commit()
    assert client.get("/setup").status_code == 404
    assert client.post("/setup", data={**GOOD, "code": "x"}).status_code == 404


def test_setup_guessing_is_throttled(client):
    client.get("/setup")
    for _ in range(5):
        client.post("/setup", data={**GOOD, "code": "WRONG-CODE-0000"})
    assert client.post("/setup", data={**GOOD, "code": "WRONG-CODE-0000"}).status_code == 429


def test_setup_validates_fields(client):
    code = services.issue_setup_code()
    db.session.commit()
    response = client.post("/setup", data={"code": code, "name": "", "email": "not-an-email",
                                           "new_password": "short", "confirm": "other"})
    assert response.status_code == 422
    for message in ["Enter a name.", "Enter an email address like", "Use at least 12",
                    "don&#39;t match"]:
        assert message in response.text
    assert db.session.scalar(select(User)) is None


def test_setup_names_the_organization(client):
    """First run asks what the public will see: the name, zone, address and media line."""
    from app.settings import services as settings

    page = client.get("/setup").text
    for label in ("Your organization&#39;s name", "Time zone", "Public address", "Media line"):
        assert label in page
    assert "data-timezone-picker" in page and "Central Time — Chicago (UTC" in page
    code = services.issue_setup_code()
    db.session.commit()
    response = client.post("/setup", data={
        **GOOD, "code": code, "org_name": "  Harbor   Health Outreach ",
        "timezone": "Europe/London", "public_address": "PO Box 12\r\nPortsmouth PO1 2AB",
        "media_line": "020 7946 0958"})
    assert response.status_code == 303
    who = settings.identity()
    assert who.name == "Harbor Health Outreach"
    assert who.timezone == "Europe/London"
    assert who.phone_region == "GB"  # numbers are read in the zone's country from now on
    assert who.media_line == "+442079460958"
    assert who.public_address == "PO Box 12\nPortsmouth PO1 2AB"
    home = client.get("/").text
    assert "Harbor Health Outreach" in home


def test_setup_reads_an_old_zone_name_as_the_current_one(client):
    from app.settings import services as settings

    code = services.issue_setup_code()
    db.session.commit()
    response = client.post("/setup", data={**GOOD, "code": code, "timezone": "US/Central"})
    assert response.status_code == 303
    assert settings.timezone_name() == "America/Chicago"


def test_setup_refuses_a_missing_name_an_unknown_zone_and_a_bad_media_line(client):
    code = services.issue_setup_code()
    db.session.commit()
    response = client.post("/setup", data={**GOOD, "code": code, "org_name": " ",
                                           "timezone": "Mars/Olympus_Mons",
                                           "media_line": "call us"})
    assert response.status_code == 422
    for message in ("Enter your organization&#39;s name.", "Choose a time zone from the list.",
                    "Enter a phone number we can dial"):
        assert message in response.text
    assert db.session.scalar(select(User)) is None
