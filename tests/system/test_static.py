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
