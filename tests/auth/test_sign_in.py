"""Signing in and out: same answer for unknown emails, throttling, safe `next`, revocation."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import SignInFailure
from app.extensions import db
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_user


@pytest.fixture
def user(app):
    user = make_user(email="dana@example.org", name="Dana Reyes", role="liaison")
    db.session.commit()
    return user


def post_login(client, email, password, next_url=""):
    return client.post("/login", data={"email": email, "password": password, "next": next_url})


def test_login_page_renders(client, user):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'autocomplete="current-password"' in response.data


def test_login_redirects_to_setup_when_there_are_no_users(client):
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/setup"


def test_successful_sign_in_goes_to_dashboard_and_is_audited(client, user):
    response = post_login(client, "DANA@example.org ", PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "auth.signed_in" in actions


def test_unknown_and_known_emails_get_the_same_answer(client, user):
    wrong = post_login(client, "dana@example.org", "not the password at all")
    unknown = post_login(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 422
    def strip(r):
        # CSRF tokens carry a timestamp: two pages a second apart differ there only.
        page = r.get_data(as_text=True).replace("nobody@example.org", "")
        page = page.replace("dana@example.org", "")
        return re.sub(r'("X-CSRFToken": "|name="csrf_token" value=")[^"]+', r"\1", page)

    assert strip(wrong) == strip(unknown)


def test_failures_are_audited_without_the_typed_password(client, user):
    post_login(client, "dana@example.org", "secret-typo-123456")
    summaries = " ".join(db.session.scalars(select(AuditEvent.summary)))
    assert "Failed sign-in" in summaries
    assert "secret-typo" not in summaries
    # the email is kept only as a keyed hash
    assert db.session.scalar(select(SignInFailure.account)) != "dana@example.org"


def test_sixth_failure_within_window_is_refused_with_429(client, user):
    for _ in range(5):
        assert post_login(client, "dana@example.org", "wrong password here").status_code == 422
    assert post_login(client, "dana@example.org", "wrong password here").status_code == 429
    # even the right password is refused while throttled
    assert post_login(client, "dana@example.org", PASSWORD).status_code == 429


def test_failures_across_addresses_never_lock_the_owner_out(app, user):
    """The account-wide count only slows the addresses that failed (tests/security has the
    whole story): the right password from a fresh address still works."""
    for n in range(5):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n}"
        post_login(client, "dana@example.org", "wrong password here")
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert post_login(fresh, "dana@example.org", PASSWORD).status_code == 303


def test_throttle_is_per_ip_across_accounts(app, client, user):
    for n in range(app.config["SIGNIN_ADDRESS_MAX_FAILURES"]):
        post_login(client, f"someone{n}@example.org", "wrong password here")
    assert post_login(client, "dana@example.org", PASSWORD).status_code == 429


def test_throttle_lives_in_the_database_not_the_process(app, user):
    for _ in range(5):
        post_login(app.test_client(), "dana@example.org", "wrong password here")
    assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 5


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)",
     "http:/evil", "\r\n//evil.example", "\x00//evil.example",
     " //evil.example", "\\\\evil"],
)
def test_next_only_goes_to_same_site_paths(client, user, target):
    response = post_login(client, "dana@example.org", PASSWORD, next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_control_characters_in_next_are_removed_before_the_check(client, user):
    """The form drops control characters (app/system/forms.py), so what is checked is what is
    used: a line break before /people leaves the same-site path /people."""
    response = post_login(client, "dana@example.org", PASSWORD, next_url="\r\n/people")
    assert response.headers["Location"] == "/people"


def test_next_to_a_local_path_is_kept(client, user):
    response = post_login(client, "dana@example.org", PASSWORD, next_url="/admin/audit/?q=x")
    assert response.headers["Location"] == "/admin/audit/?q=x"


def test_anonymous_request_is_sent_to_login_with_next(client, user):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account/password"


def test_htmx_anonymous_request_gets_401_with_redirect(client, user):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_a_fragment_asked_after_the_session_ended_signs_in_back_to_its_page(client, user):
    """A dashboard panel or live search answered after the session ended: sign in, then back
    to the page it was part of (HX-Current-URL), not to the fragment alone. A page URL on
    another host is not followed."""
    panel = {"HX-Request": "true", "HX-Current-URL": "http://localhost/people/?q=rosa&page=2"}
    response = client.get("/coalitions/due?within=30", headers=panel)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/people/?q%3Drosa%26page%3D2"
    boosted = dict(panel, **{"HX-Boosted": "true"})
    assert client.get("/notes/", headers=boosted).headers["HX-Redirect"] == \
        "/login?next=/notes/"
    elsewhere = dict(panel, **{"HX-Current-URL": "https://evil.example/people/"})
    assert client.get("/coalitions/due", headers=elsewhere).headers["HX-Redirect"] == \
        "/login?next=/coalitions/due"
    for nonsense in ("http://[", "", "/people/"):
        odd = dict(panel, **{"HX-Current-URL": nonsense})
        assert client.get("/coalitions/due", headers=odd).headers["HX-Redirect"] == \
            "/login?next=/coalitions/due"


def test_logout_is_post_only_and_revokes_other_sessions(app, user):
    first, second = app.test_client(), app.test_client()
    sign_in(first, user)
    sign_in(second, user)
    assert first.get("/logout").status_code == 405
    assert first.post("/logout").status_code == 303
    assert second.get("/").status_code == 302  # the other device is signed out too


def test_deactivation_ends_sessions_at_once(app, as_admin, user):
    client = app.test_client()
    sign_in(client, user)
    assert client.get("/").status_code == 200
    as_admin.post(f"/admin/users/{user.id}/edit", data={"name": user.name, "role": "liaison"})
    assert client.get("/").status_code == 302


def test_idle_sessions_expire(app, user):
    client = app.test_client()
    sign_in(client, user)
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 5
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_session_cookie_flags(client, user):
    response = post_login(client, "dana@example.org", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests
    https = client.post(
        "/login",
        data={"email": "dana@example.org", "password": PASSWORD},
        base_url="https://localhost",
    )
    assert "Secure" in https.headers["Set-Cookie"]


def test_no_remember_me_cookie(client, user):
    response = post_login(client, "dana@example.org", PASSWORD)
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))
