"""The security baseline on every response, CSRF, error pages and /healthz."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import base_config
from tests.factories import make_user


def assert_baseline(response):
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


@pytest.mark.parametrize("path", ["/login", "/setup", "/healthz", "/nope", "/static/css/app.css"])
def test_headers_on_public_responses(client, path):
    assert_baseline(client.get(path))


def test_signed_in_pages_are_not_stored(as_staff):
    response = as_staff.get("/")
    assert_baseline(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_templates_have_no_inline_script_or_style(app):
    import re
    from pathlib import Path

    inline_script = r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>"
    bad = re.compile(inline_script + r"|\son[a-z]+=|\sstyle=")
    root = Path(app.root_path).parent / "templates"
    offenders = [str(p) for p in root.rglob("*.html") if bad.search(p.read_text())]
    assert offenders == []


@pytest.fixture
def csrf_client(app):
    # Built on the `app` fixture, so PostgreSQL is emptied first like every other test's.
    app.config["WTF_CSRF_ENABLED"] = True
    make_user(email="dana@example.org")
    from app.extensions import db

    db.session.commit()
    return app.test_client()


def test_post_without_csrf_token_is_400(csrf_client):
    response = csrf_client.post("/login", data={"email": "dana@example.org", "password": "x"})
    assert response.status_code == 400
    assert "Something was wrong with that request" in response.text
    assert "Traceback" not in response.text


def test_htmx_post_without_token_gets_an_alert_fragment(csrf_client):
    response = csrf_client.post("/login", data={}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    assert "<html" not in response.text


def test_csrf_token_in_header_is_accepted(csrf_client):
    page = csrf_client.get("/login").text
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    response = csrf_client.post("/login", data={"email": "dana@example.org", "password": "x"},
                                headers={"X-CSRFToken": token})
    assert response.status_code == 422  # got past CSRF to the form


def test_404_full_page_and_fragment(client):
    full = client.get("/no-such-page")
    assert full.status_code == 404 and "<html" in full.text and "Page not found" in full.text
    fragment = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert fragment.status_code == 404 and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


def test_500_never_shows_a_traceback(app):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    boom._public = True
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret internal detail" not in response.text and "Traceback" not in response.text


def test_413_for_huge_bodies(app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = app.test_client().post("/setup", data={"email": "x" * 4096})
    assert response.status_code == 413
    assert "too large" in response.text


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_is_unreachable(tmp_path):
    app = create_app(base_config(tmp_path, "postgresql+psycopg://nobody:x@127.0.0.1:1/none"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_htmx_is_served_from_our_origin(client):
    page = client.get("/setup").text
    assert "/vendor/htmx/htmx.min.js" in page
    assert "https://" not in page.split("<body")[0]  # nothing from a CDN
    script = client.get("/vendor/htmx/htmx.min.js")
    assert script.status_code == 200 and b"htmx" in script.data
    assert client.get("/vendor/htmx/../../../etc/passwd").status_code == 404
    assert client.get("/vendor/nope/x.js").status_code == 404
