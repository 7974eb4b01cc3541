"""Looking an address up with a Nominatim-compatible geocoder, only when an admin has
configured one (there is none by default: the address is sent to that service)."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode

TIMEOUT_SECONDS = 5
MAX_BYTES = 256 * 1024
USER_AGENT = "Liaison community map (self-hosted CRM)"


class GeocodeError(Exception):
    """The lookup failed; the message says so to the person who asked."""


@dataclass(frozen=True)
class Found:
    lat: float
    lng: float
    label: str


def lookup(base_url: str, address: str, *, limit: int = 5,
           timeout: float | None = None) -> list[Found]:
    """Candidates for `address` from the geocoder at `base_url` (Nominatim's /search API:
    `?q=…&format=jsonv2&limit=…`, answering a JSON list of {lat, lon, display_name})."""
    if not base_url:
        raise GeocodeError("No geocoder is set up; click the map or type the coordinates.")
    if not base_url.startswith(("https://", "http://")):
        raise GeocodeError("The geocoder's address must start with https://.")
    query = urlencode({"q": address, "format": "jsonv2", "limit": limit})
    request = urllib.request.Request(  # noqa: S310 (an http(s) address an admin set)
        f"{base_url}?{query}", headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(  # noqa: S310
                request, timeout=timeout or TIMEOUT_SECONDS) as response:
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise GeocodeError(f"The geocoder answered {error.code}; try again later, or click "
                           "the map.") from None
    except TimeoutError:
        raise GeocodeError("The geocoder did not answer in time; click the map or type the "
                           "coordinates.") from None
    except (urllib.error.URLError, OSError, ValueError):
        raise GeocodeError("The geocoder could not be reached; click the map or type the "
                           "coordinates.") from None
    if len(body) > MAX_BYTES:
        raise GeocodeError("The geocoder's answer was too large to read.")
    try:
        rows = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise GeocodeError("The geocoder's answer could not be read.") from None
    if not isinstance(rows, list):
        raise GeocodeError("The geocoder's answer could not be read.")
    found = []
    for row in rows[:limit]:
        if not isinstance(row, dict):
            continue
        try:
            lat, lng = float(row["lat"]), float(row["lon"])
        except (KeyError, TypeError, ValueError):
            continue
        if not (math.isfinite(lat) and math.isfinite(lng)
                and -90 <= lat <= 90 and -180 <= lng <= 180):
            continue
        label = " ".join(str(row.get("display_name") or "").split())[:300]
        found.append(Found(lat, lng, label))
    if not found:
        raise GeocodeError("The geocoder found no such address; check it, or click the map.")
    return found
