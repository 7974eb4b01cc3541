"""Looking an address up. These tests run the lookup against a small local HTTP server on
127.0.0.1 that speaks Nominatim's /search JSON (no request leaves this machine): found,
not found, a server error, a garbled answer, a slow one, and none configured. Every failure
answers 422 with a message beside the address, never a 500; participant areas are never
looked up at all."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.places import geocode, options
from app.places.models import Place


class Nominatim(BaseHTTPRequestHandler):
    """Answers /search like Nominatim (format=jsonv2) from the server's `script`."""

    def do_GET(self):
        server = self.server
        query = parse_qs(urlsplit(self.path).query)
        server.seen.append({"path": urlsplit(self.path).path, **{k: v[0] for k, v in query.items()},
                            "agent": self.headers.get("User-Agent", "")})
        status, body, delay = server.script(query.get("q", [""])[0])
        time.sleep(delay)
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim(app):
    """A local Nominatim-compatible server, configured as the map's geocoder."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Nominatim)
    server.seen = []
    server.script = lambda q: (200, [], 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/search"
    options.save(options.MapOptions(geocoder_url=url))
    db.session.commit()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


FOUND = [{"place_id": 1, "lat": "40.0126631", "lon": "-86.4001216", "display_name":
          "455, Mill Street, Riverbend, Ash County, 46000, United States", "type": "house"},
         {"place_id": 2, "lat": "41.0", "lon": "-87.0", "display_name": "Mill Street, Elsewhere"}]


def _lookup(client, **overrides):
    form = {"name": "Millrace Elementary", "category": "school", "lat": "", "lng": "",
            "address": "455 Mill Street, Riverbend", "organization_id": "",
            "contact_id": "", "lookup": "Look up the address"}
    form.update(overrides)
    return client.post("/map/places/new", data=form)


def _address_error(response) -> str:
    match = re.search(r'<p class="field-error" id="address-error">(.*?)</p>', response.text, re.S)
    return match.group(1) if match else ""


def test_an_address_found_fills_the_coordinates(app, as_staff, nominatim):
    nominatim.script = lambda q: (200, FOUND, 0)
    page = as_staff.get("/map/places/new")
    assert "Look up the address" in page.text and "sends it to the geocoder" in page.text
    response = _lookup(as_staff)
    assert response.status_code == 200
    assert 'value="40.012663"' in response.text and 'value="-86.400122"' in response.text
    assert "Found: 455, Mill Street, Riverbend" in response.text
    (asked,) = nominatim.seen
    assert asked["path"] == "/search" and asked["q"] == "455 Mill Street, Riverbend"
    assert asked["format"] == "jsonv2" and asked["agent"].startswith("Liaison")
    assert db.session.scalar(select(func.count()).select_from(Place)) == 0  # looked up only
    # Then saving keeps what was found.
    form = {"name": "Millrace Elementary", "category": "school", "lat": "40.012663",
            "lng": "-86.400122", "address": "455 Mill Street, Riverbend",
            "organization_id": "", "contact_id": ""}
    assert as_staff.post("/map/places/new", data=form).status_code == 303


@pytest.mark.parametrize(("answer", "message"), [
    ((200, [], 0), "found no such address"),
    ((200, [{"lat": "x", "lon": "y"}, {"lat": "95", "lon": "0"}], 0), "found no such address"),
    ((500, {"error": "boom"}, 0), "answered 500"),
    ((429, {"error": "slow down"}, 0), "answered 429"),
    ((200, b"<html>not json</html>", 0), "could not be read"),
    ((200, {"lat": "1"}, 0), "could not be read"),
    ((200, b"[" + b" " * (300 * 1024) + b"]", 0), "too large"),
    ((200, FOUND, 1.5), "did not answer in time"),
])
def test_a_failed_lookup_is_422_with_a_message(app, as_staff, nominatim, monkeypatch, answer,
                                              message):
    if answer[2]:  # a short wait only for the slow answer: on a busy machine an instant
        monkeypatch.setattr(geocode, "TIMEOUT_SECONDS", 0.5)  # one can take half a second
    nominatim.script = lambda q: answer
    response = _lookup(as_staff)
    assert response.status_code == 422
    assert message in _address_error(response)


def test_an_unreachable_geocoder_is_422(app, as_staff):
    options.save(options.MapOptions(geocoder_url="http://127.0.0.1:9/search"))  # nothing there
    db.session.commit()
    response = _lookup(as_staff)
    assert response.status_code == 422 and "could not be reached" in _address_error(response)


def test_no_geocoder_by_default(app, as_staff):
    page = as_staff.get("/map/places/new")
    assert "Look up the address" not in page.text
    response = _lookup(as_staff)
    assert response.status_code == 422 and "No geocoder is set up" in _address_error(response)


def test_nothing_to_look_up(app, as_staff, nominatim):
    response = _lookup(as_staff, address="  ")
    assert response.status_code == 422 and "Type the address" in _address_error(response)
    assert nominatim.seen == []


def test_participant_areas_are_never_sent_to_a_geocoder(app, as_liaison, nominatim):
    nominatim.script = lambda q: (200, FOUND, 0)
    response = _lookup(as_liaison, category="participant_area", name="Under the bridge",
                       address="Under the Route 9 bridge")
    assert response.status_code == 422
    assert "never sent to a geocoder" in _address_error(response)
    assert nominatim.seen == []
