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
