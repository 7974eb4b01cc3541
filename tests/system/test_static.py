"""Our own static files are well-formed (a lost brace silently drops every rule after it)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_css_braces_balance():
    for path in STATIC.rglob("*.css"):
        depth = 0
        for ch in path.read_text():
            depth += (ch == "{") - (ch == "}")
            assert depth >= 0, path
        assert depth == 0, path


def test_pages_link_files_by_their_fingerprint_kept_a_year(client, as_liaison):
    """Every static and vendored file a page links carries a hash of its bytes and is kept a
    year (immutable), signed in or not, with no cookie on it; the same file asked without
    it, or with an old one (a page open since before an upgrade), is revalidated as before."""
    pages = (("visitor", client.get("/press").text), ("liaison", as_liaison.get("/").text))
    for who, page in pages:
        linked = re.findall(r'(?:href|src)="(/(?:static|vendor)/[^"]+)"', page)
        assert any("htmx.min.js" in url for url in linked) or who == "visitor", linked
        assert any("app.css" in url for url in linked), linked
        for url in linked:
            version = url.partition("?v=")[2]
            assert re.fullmatch(r"[0-9a-f]{10}", version), url
            kept = (as_liaison if who == "liaison" else client).get(url.replace("&amp;", "&"))
            assert kept.status_code == 200, url
            assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
            assert "Set-Cookie" not in kept.headers and "Cookie" not in kept.vary, url
    css = (STATIC / "css" / "app.css").read_bytes()
    fingerprint = hashlib.sha256(css).hexdigest()[:10]
    assert f"/static/css/app.css?v={fingerprint}" in client.get("/press").text
    for url in ("/static/css/app.css", "/static/css/app.css?v=0123456789"):
        assert as_liaison.get(url).headers["Cache-Control"] == "no-cache"
    assert as_liaison.get("/vendor/htmx/htmx.min.js").headers["Cache-Control"] == \
        "public, max-age=604800"
    assert client.get("/static/../app/config.py?v=0123456789").status_code == 404


def test_only_the_files_themselves_are_public(client, as_liaison, app):
    """An error page about a file (a missing one, a bad name) is a page like any other:
    signed in, it shows the user and their form token, so it is private and never stored.
    A revalidated file (304) keeps its year; /favicon.ico's permanent redirect names no
    fingerprint (a browser keeps a 301 for good); names outside the folders get none."""
    for url in ("/static/nope.css?v=0123456789", "/vendor/htmx/nope.js",
                "/static/..%2f..%2fapp%2fconfig.py?v=0123456789", "/static/css/app.css?v=%00"):
        page = as_liaison.get(url)
        assert page.status_code in (400, 404), url
        kept = page.headers.get("Cache-Control", "")
        assert "no-store" in kept and "private" in kept, url
    linked = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', client.get("/press").text)[1]
    etag = client.get(linked).headers["ETag"]
    again = as_liaison.get(linked, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Set-Cookie" not in again.headers
    assert client.get("/favicon.ico").headers["Location"] == "/static/favicon.svg"
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="/etc/passwd") == "/static//etc/passwd"
        assert url_for("static", filename="../app/config.py") == "/static/../app/config.py"
        assert url_for("static", filename="x" * 5000).endswith("x")  # no 500 for a long name
