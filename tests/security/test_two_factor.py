"""Issue 13.4: two-step sign-in with an authenticator app (TOTP): enrollment with a QR code
drawn on our side, ten hashed single-use recovery codes, codes that work once, an admin
setting that requires it for admins and liaisons (walked through at next sign-in), turning
it off only with the password, and an audited admin reset."""

from __future__ import annotations

import re
import time
from html import unescape

import pyotp
import pytest
import segno
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth import two_factor
from app.auth.models import RecoveryCode, User
from app.extensions import db
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_user
from tests.security.conftest import at, login


def enroll(client, user) -> tuple[str, list[str]]:
    """Set up two-step sign-in through the pages; returns the secret and recovery codes."""
    assert client.post("/account/two-factor/start").status_code == 303
    page = client.get("/account/two-factor").text
    key = re.search(r'class="secret-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    code = pyotp.TOTP(key).now()
    done = client.post("/account/two-factor/confirm", data={"code": code})
    assert done.status_code == 200, done.text
    codes = re.findall(r"<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</code>", done.text)
    return key, codes


def next_code(secret: str) -> str:
    """A code for the next time step (codes work once; the next step's is a fresh one)."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def audit_actions() -> list[str]:
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent.action)))


def test_enrollment_shows_a_qr_code_of_the_secret_and_ten_hashed_recovery_codes(app, dana):
    client = at(app, "198.51.100.1")
    sign_in(client, dana)
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "Set up two-step sign-in" in page.text
    assert client.post("/account/two-factor/start").status_code == 303
    page = client.get("/account/two-factor").text
    key = re.search(r'class="secret-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    db.session.commit()
    assert db.session.get(User, dana.id).totp_pending_secret == key
    # The QR code is an SVG drawn here (a data: URI; no third party sees the secret), and it
    # encodes the otpauth:// link for this account and secret.
    src = unescape(re.search(r'<img class="qr" src="([^"]+)"', page).group(1))
    uri = pyotp.TOTP(key).provisioning_uri(name=dana.email, issuer_name="Liaison")
    expected = segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000",
                                                       light="#fff")
    assert src == expected and src.startswith("data:image/svg+xml")
    assert pyotp.parse_uri(uri).secret == key
    # A wrong code doesn't turn it on; the right one does and shows the codes once.
    assert client.post("/account/two-factor/confirm", data={"code": "123456"}).status_code == 422
    done = client.post("/account/two-factor/confirm", data={"code": pyotp.TOTP(key).now()})
    codes = re.findall(r"<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</code>", done.text)
    assert len(set(codes)) == 10
    db.session.commit()
    user = db.session.get(User, dana.id)
    assert user.two_factor_enabled and user.totp_pending_secret is None
    stored = list(db.session.scalars(select(RecoveryCode.code_hash)
                                     .where(RecoveryCode.user_id == dana.id)))
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & set(stored)  # only hashes are kept
    assert "auth.two_factor_on" in audit_actions()
    # The codes are not on the page any more.
    assert codes[0] not in client.get("/account/two-factor").text


def test_signing_in_takes_the_password_then_a_code_that_works_once(app, dana):
    client = at(app, "198.51.100.2")
    sign_in(client, dana)
    secret, _ = enroll(client, dana)
    fresh = at(app, "198.51.100.2")
    first = login(fresh, dana.email, PASSWORD, next_url="/people/")
    assert first.status_code == 303 and first.headers["Location"] == "/login/two-factor"
    assert fresh.get("/").status_code == 302  # not signed in after the password alone
    assert fresh.get("/login/two-factor").status_code == 200
    code = next_code(secret)
    done = fresh.post("/login/two-factor", data={"code": code})
    assert done.status_code == 303 and done.headers["Location"] == "/people/"
    assert fresh.get("/").status_code == 200
    # The same code again, in a new sign-in: refused (replay).
    again = at(app, "198.51.100.2")
    login(again, dana.email, PASSWORD)
    replay = again.post("/login/two-factor", data={"code": code})
    assert replay.status_code == 422 and "didn&#39;t work" in replay.text


def test_a_recovery_code_works_once(app, dana):
    client = at(app, "198.51.100.3")
    sign_in(client, dana)
    _, codes = enroll(client, dana)
    one = at(app, "198.51.100.3")
    login(one, dana.email, PASSWORD)
    done = one.post("/login/two-factor", data={"code": codes[0].lower().replace("-", " ")})
    assert done.status_code == 303
    assert "9 left" in one.get("/").text
    two = at(app, "198.51.100.3")
    login(two, dana.email, PASSWORD)
    assert two.post("/login/two-factor", data={"code": codes[0]}).status_code == 422
    assert "auth.recovery_code_used" in audit_actions()


def test_the_second_step_expires_and_needs_the_first(app, dana):
    client = at(app, "198.51.100.4")
    sign_in(client, dana)
    secret, _ = enroll(client, dana)
    stranger = at(app, "198.51.100.5")
    assert stranger.get("/login/two-factor").status_code == 302
    refused = stranger.post("/login/two-factor", data={"code": next_code(secret)})
    assert refused.status_code == 303 and refused.headers["Location"] == "/login"
    slow = at(app, "198.51.100.4")
    login(slow, dana.email, PASSWORD)
    with slow.session_transaction() as session:
        session["two_step"] = {**session["two_step"], "at": session["two_step"]["at"] - 301}
    assert slow.post("/login/two-factor", data={"code": next_code(secret)}).status_code == 303
    assert slow.get("/").status_code == 302  # back to the sign-in page, not signed in


def test_turning_it_off_needs_the_password(app):
    staff = make_user(email="sam@example.org", name="Sam Okafor")
    db.session.commit()
    client = at(app, "198.51.100.6")
    sign_in(client, staff)
    enroll(client, staff)
    wrong = client.post("/account/two-factor/off", data={"off-password": "not my password!"})
    assert wrong.status_code == 422 and "not your password" in wrong.text
    db.session.commit()
    assert db.session.get(User, staff.id).two_factor_enabled
    right = client.post("/account/two-factor/off", data={"off-password": PASSWORD})
    assert right.status_code == 303
    db.session.commit()
    user = db.session.get(User, staff.id)
    assert not user.two_factor_enabled
    assert db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == staff.id)) \
        is None
    assert "auth.two_factor_off" in audit_actions()


def test_new_recovery_codes_need_the_password_and_retire_the_old(app, dana):
    client = at(app, "198.51.100.7")
    sign_in(client, dana)
    _, old = enroll(client, dana)
    assert client.post("/account/two-factor/recovery-codes",
                       data={"codes-password": "wrong wrong wrong"}).status_code == 422
    page = client.post("/account/two-factor/recovery-codes", data={"codes-password": PASSWORD})
    new = re.findall(r"<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</code>", page.text)
    assert len(new) == 10 and not set(new) & set(old)
    other = at(app, "198.51.100.7")
    login(other, dana.email, PASSWORD)
    assert other.post("/login/two-factor", data={"code": old[0]}).status_code == 422
    assert other.post("/login/two-factor", data={"code": new[0]}).status_code == 303


def test_the_requirement_walks_admins_and_liaisons_through_enrollment(app, as_admin, dana):
    staff = make_user(email="priya@example.org", name="Priya N")
    db.session.commit()
    page = as_admin.post("/admin/users/sign-in", data={"required": "y"})
    # The admin who turns it on is walked through first.
    assert page.status_code == 303 and page.headers["Location"] == "/account/two-factor"
    assert as_admin.get("/people/").headers["Location"] == "/account/two-factor"
    assert two_factor.required()
    assert "settings.two_factor" in audit_actions()
    with as_admin.session_transaction() as session:
        session.pop("enroll_two_factor")  # (the admin sets theirs up later)
    users = as_admin.get("/admin/users/").text
    assert users.count("Off: asked at next sign-in") == 2  # the admin and Dana, not Priya
    # A liaison signing in lands on enrollment, wherever they go, until it is on.
    client = at(app, "198.51.100.8")
    assert login(client, dana.email, PASSWORD).status_code == 303
    for url in ("/", "/people/", "/notes/"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == \
            "/account/two-factor"
    assert "asks admins and liaisons" in client.get("/account/two-factor").text
    enroll(client, dana)
    assert client.get("/people/").status_code == 200
    # Now it can't be turned off.
    refused = client.post("/account/two-factor/off", data={"off-password": PASSWORD})
    assert refused.status_code == 422 and "requires two-step" in refused.text
    # Staff are not asked.
    staff_client = at(app, "198.51.100.9")
    assert login(staff_client, staff.email, PASSWORD).status_code == 303
    assert staff_client.get("/people/").status_code == 200


def test_an_admin_resets_a_colleagues_two_step_sign_in(app, as_admin, as_staff, dana):
    client = at(app, "198.51.100.10")
    sign_in(client, dana)
    enroll(client, dana)
    assert "Reset two-step sign-in" in as_admin.get(f"/admin/users/{dana.id}/edit").text
    assert as_staff.post(f"/admin/users/{dana.id}/reset-two-factor").status_code == 403
    done = as_admin.post(f"/admin/users/{dana.id}/reset-two-factor")
    assert done.status_code == 303
    db.session.commit()
    user = db.session.get(User, dana.id)
    assert not user.two_factor_enabled
    assert client.get("/").status_code == 302  # their sessions ended
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "auth.two_factor_reset")).all()
    assert len(events) == 1 and events[0].actor_id == as_admin.user.id
    # Not one's own, from here.
    assert as_admin.post(f"/admin/users/{as_admin.user.id}/reset-two-factor").status_code == 403


@pytest.mark.parametrize("code", ["", " ", "1" * 41, "12345", "1234567", "١٢٣٤٥٦", "ABCD-EFGH",
                                  "\x00" * 6, "<script>", "0000-0000-0000"])
def test_odd_codes_are_a_422_never_a_500(app, dana, code):
    client = at(app, "198.51.100.11")
    sign_in(client, dana)
    secret, _ = enroll(client, dana)
    fresh = at(app, "198.51.100.12")
    login(fresh, dana.email, PASSWORD)
    assert fresh.post("/login/two-factor", data={"code": code}).status_code == 422
    del secret
