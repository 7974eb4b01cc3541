"""Access log lines never carry search terms or link tokens."""

from __future__ import annotations

import logging

from app.system.access_log import redact


def test_redact_request_lines():
    assert redact("GET /people/?q=walter+briggs HTTP/1.1") == "GET /people/?… HTTP/1.1"
    assert redact("POST /rsvp/Zx9_kq2LmPp0aa8bb7cc6dd HTTP/1.1") == "POST /rsvp/… HTTP/1.1"
    assert (redact("GET /calendar/feed/AbCdEfGhIjKlMnOpQrStUv.ics HTTP/1.1")
            == "GET /calendar/feed/… HTTP/1.1")
    assert redact("GET /press HTTP/1.1") == "GET /press HTTP/1.1"


def test_live_server_log_is_redacted(app, live_server, caplog):
    import urllib.request

    caplog.set_level(logging.INFO, logger="werkzeug")
    urllib.request.urlopen(live_server + "/healthz?who=ZZSECRET")  # noqa: S310
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "werkzeug")
    assert "/healthz?…" in logged and "ZZSECRET" not in logged


def test_one_structured_line_per_request_and_nothing_personal(client, as_liaison, caplog):
    """Method, route pattern, status, duration and user id; no search words, ids from the
    path, tokens, names or note text (issue 12)."""
    from tests.factories import make_contact

    contact = make_contact(first_name="Zelda", last_name="Quibble")
    caplog.set_level(logging.INFO, logger="liaison.requests")
    as_liaison.get("/people/?q=Quibble+ZZSEARCH")
    as_liaison.get(f"/people/{contact.id}")
    client.get("/rsvp/Zx9_kq2LmPp0aa8bb7cc6ddZZTOKEN")
    lines = [r.getMessage() for r in caplog.records if r.name == "liaison.requests"]
    assert len(lines) == 3
    assert lines[0].startswith("method=GET route=/people/ status=200 ms=")
    assert lines[0].endswith(f"user={as_liaison.user.id}")
    assert lines[1].startswith("method=GET route=/people/<int:contact_id> status=200")
    assert lines[2].startswith("method=GET route=/rsvp/<token> ") and lines[2].endswith("user=-")
    logged = "\n".join(lines)
    for private in ("ZZSEARCH", "Quibble", "Zelda", "ZZTOKEN", f"/people/{contact.id}"):
        assert private not in logged
