"""/press without a session: no cookie, one shared ETag, and an inquiry form protected by a
signed token, a same-site check and a rate limit instead of the session CSRF token; every
other form keeps session CSRF, and signed-in pages stay unstored."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.press.forms import TOKEN_MAX_AGE, inquiry_token
from app.press.models import Inquiry
from app.system import shared_bodies
from app.tours.forms import form_started_token
from tests.factories import PASSWORD, deadline_at_noon, make_page, make_spokesperson, make_user


@pytest.fixture
def csrf_app(app):
    """The real thing: session CSRF on, as in production (Flask-WTF reads it per request)."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def inquiry(**overrides) -> dict:
    soon = deadline_at_noon(days=2)
    return {"name": "Jordan Blake", "outlet": "River Times", "email": "jb@rivertimes.example",
            "deadline": soon.strftime("%Y-%m-%dT%H:%M"), "topic": "Overdose prevention"
            } | overrides


def form_token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def inquiries() -> int:
    return db.session.scalar(select(func.count(Inquiry.id)))


def test_anonymous_press_sets_no_cookie_and_is_public(client, app):
    make_page()
    make_spokesperson(name="Dana Reyes")
    db.session.commit()
    for _ in range(2):  # the first render and the cached page alike
        response = client.get("/press")
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.vary
        assert response.cache_control.public and response.cache_control.max_age == 60
        assert not response.cache_control.private and not response.cache_control.no_store
    assert client.get_cookie("liaison_session") is None


def test_other_public_press_pages_set_no_cookie(client, app):
    make_page()
    person = make_spokesperson(name="Dana Reyes")
    db.session.commit()
    for path in (f"/press/{person.slug}.vcf", "/press/inquiries/thanks"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.vary
    sent = client.post("/press/inquiries", data=inquiry(form_token=inquiry_token()))
    assert sent.status_code == 303 and "Set-Cookie" not in sent.headers


def test_etag_is_shared_across_visitors(app):
    make_page()
    make_spokesperson(name="Dana Reyes")
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    a = first.get("/press")
    b = second.get("/press")
    assert a.headers["ETag"] == b.headers["ETag"]
    assert a.data == b.data  # one body for everybody, form token included
    shared_bodies.forget("press_page")  # a 304 needs no rendering
    again = second.get("/press", headers={"If-None-Match": a.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == a.headers["ETag"]
    weak = second.get("/press", headers={"If-None-Match": "W/" + a.headers["ETag"]})
    assert weak.status_code == 304  # as a proxy that gzips passes it on
    assert not app.extensions.get("shared_bodies:press_page")


def test_inquiry_from_a_fresh_visitor_without_any_session(csrf_app):
    """A journalist who opens /press (no cookie given) and sends the form: accepted, and
    nothing sets a session along the way."""
    make_user(role="liaison", email="liaison@program.example")
    db.session.commit()
    client = csrf_app.test_client()
    page = client.get("/press")
    assert "Set-Cookie" not in page.headers
    response = client.post("/press/inquiries", data=inquiry(form_token=form_token(page.text)),
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/press/inquiries/thanks")
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("liaison_session") is None
    assert inquiries() == 1


def test_inquiry_needs_no_prior_request_only_a_valid_token(csrf_app):
    """No page view first, no cookie at all: the signed token alone carries the check."""
    client = csrf_app.test_client()
    response = client.post("/press/inquiries", data=inquiry(form_token=inquiry_token()))
    assert response.status_code == 303
    assert inquiries() == 1


@pytest.mark.parametrize("token", [
    None,
    "",
    "not-a-token",
    "forged",
    "expired",
    "other-form",
])
def test_forged_expired_or_missing_token_is_422(csrf_app, token):
    if token == "forged":
        good = inquiry_token()
        token = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    elif token == "expired":
        token = inquiry_token(issued=int(time.time()) - TOKEN_MAX_AGE - 60)
    elif token == "other-form":
        with csrf_app.test_request_context():
            token = form_started_token()  # a token we signed, but for the tours form
    data = inquiry() if token is None else inquiry(form_token=token)
    response = csrf_app.test_client().post("/press/inquiries", data=data)
    assert response.status_code == 422
    html = response.text
    assert "This form was open too long, or could not be checked" in html
    assert 'value="River Times"' in html  # what they typed is still there
    assert form_token(html) == inquiry_token()  # and a fresh token to send it again
    assert inquiries() == 0


def test_validation_still_422_with_a_good_token(client, app):
    response = client.post("/press/inquiries", data=inquiry(email="nope",
                                                            form_token=inquiry_token()))
    assert response.status_code == 422
    assert 'id="email-error"' in response.text
    assert "could not be checked" not in response.text
    assert inquiries() == 0


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/press"},
])
def test_cross_site_post_is_refused(csrf_app, headers):
    response = csrf_app.test_client().post(
        "/press/inquiries", data=inquiry(form_token=inquiry_token()), headers=headers)
    assert response.status_code == 400
    assert inquiries() == 0


def test_same_site_referer_passes(csrf_app):
    response = csrf_app.test_client().post(
        "/press/inquiries", data=inquiry(form_token=inquiry_token()),
        headers={"Referer": "http://localhost/press"})
    assert response.status_code == 303


def test_inquiries_are_rate_limited_per_ip(client, app):
    app.config["PRESS_INQUIRY_RATE_PER_IP"] = 2
    data = inquiry(form_token=inquiry_token())
    assert client.post("/press/inquiries", data=data).status_code == 303
    assert client.post("/press/inquiries", data=data).status_code == 303
    busy = client.post("/press/inquiries", data=data)
    assert busy.status_code == 429
    assert "many inquiries from your network" in busy.text
    assert inquiries() == 2
    other = client.post("/press/inquiries", data=data,
                        environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 303


def test_other_forms_keep_session_csrf(csrf_app):
    """Only the two anonymous forms without ambient authority (the inquiry, the tour
    request) are exempt: every other form still needs the session's token."""
    client = csrf_app.test_client()
    assert client.post("/login", data={"email": "x@example.org", "password": "x"}
                       ).status_code == 400
    # The tour page sets no cookie either; its form refuses another site's post, and
    # carries a one-time token, so it is never stored.
    client = csrf_app.test_client()
    tour_page = client.get("/tours")
    assert tour_page.status_code == 200
    assert 'name="csrf_token"' not in tour_page.text and "Set-Cookie" not in tour_page.headers
    assert tour_page.cache_control.no_store
    assert client.post("/tours", data={"name": "x"},
                       headers={"Origin": "https://elsewhere.example"}).status_code == 400


def test_sign_in_page_has_csrf_and_no_store(csrf_app):
    make_user(email="dana@example.org")
    db.session.commit()
    client = csrf_app.test_client()
    page = client.get("/login")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token
    assert page.cache_control.no_store and page.cache_control.private
    assert client.post("/login", data={"email": "dana@example.org",
                                       "password": PASSWORD}).status_code == 400
    signed_in = client.post("/login", data={"email": "dana@example.org", "password": PASSWORD,
                                            "csrf_token": token.group(1)})
    assert signed_in.status_code == 303
    assert signed_in.cache_control.no_store
    home = client.get("/")
    assert home.status_code == 200
    assert home.cache_control.no_store and home.cache_control.private
    assert 'name="csrf_token"' in home.text  # the sign-out form


def test_signed_in_visit_to_press_is_not_stored(as_staff):
    make_page()
    db.session.commit()
    response = as_staff.get("/press")
    assert response.status_code == 200
    assert response.cache_control.no_store and response.cache_control.private
    assert not response.cache_control.public
