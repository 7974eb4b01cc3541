"""The map's settings (tile server, its attribution, the optional geocoder) and the
Content-Security-Policy that lets the configured tile server's images into map pages only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Response

from app.audit.services import record
from app.security import CSP
from app.settings import services as settings

SETTINGS_KEY = "map"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
# A host as it may appear in a CSP source: letters, digits, dots, dashes, an optional port,
# and a leading "{s}." (Leaflet's subdomains), which becomes "*." in the policy.
_HOST = re.compile(r"^(\{s\}\.)?[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?$")


@dataclass(frozen=True)
class MapOptions:
    tiles_url: str = OSM_TILES
    attribution: str = OSM_ATTRIBUTION
    geocoder_url: str = ""  # none by default: an address sent to a third party is disclosed


def load() -> MapOptions:
    """The stored settings (the defaults until an admin saves some)."""
    stored = settings.get(SETTINGS_KEY) or {}
    tiles = stored.get("tiles_url") or OSM_TILES
    return MapOptions(
        tiles_url=tiles,
        attribution=stored.get("attribution") or (OSM_ATTRIBUTION if tiles == OSM_TILES else ""),
        geocoder_url=stored.get("geocoder_url") or "",
    )


def save(options: MapOptions) -> None:
    """Store the settings (flushes) and record the change."""
    record("places.settings", "Changed the map's settings (tile server, attribution, "
                              "geocoder)")
    settings.put(SETTINGS_KEY, {"tiles_url": options.tiles_url,
                                "attribution": options.attribution,
                                "geocoder_url": options.geocoder_url})


def tiles_problem(url: str) -> str | None:
    """Why `url` can't be a tile URL template, or None if it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        return "Use an https:// address (http:// only for a server on this network)."
    if not all(token in url for token in ("{z}", "{x}", "{y}")):
        return "The address needs {z}, {x} and {y} where the tile's zoom and position go."
    host = (parts.netloc or "").lower()
    if "@" in host or not _HOST.match(host):
        return "The server's name may hold letters, digits, dots, dashes and {s}. only."
    if any(ch in url for ch in " ;,'\"\\<>") or any(ord(ch) < 33 for ch in url):
        return "The address may not contain spaces, quotes, commas or semicolons."
    return None


def url_problem(url: str) -> str | None:
    """Why `url` can't be a geocoder address, or None if it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "Use an address like https://nominatim.example.org/search."
    if parts.query or parts.fragment or "@" in parts.netloc:
        return "Give the search address alone, without ? or # parts."
    if any(ord(ch) < 33 for ch in url):
        return "The address may not contain spaces."
    return None


def tile_source(url: str) -> str | None:
    """The CSP source for a tile URL template ("https://tile.openstreetmap.org",
    "https://*.tile.example.org"), or None when the template is not acceptable."""
    if tiles_problem(url):
        return None
    parts = urlsplit(url)
    host = parts.netloc.lower().replace("{s}.", "*.")
    return f"{parts.scheme}://{host}"


def map_csp(url: str) -> str:
    """The site's CSP with the tile server's images allowed. Tiles are <img> elements, so
    only img-src widens; connect-src stays 'self' (the map's data is ours)."""
    source = tile_source(url)
    if source is None:
        return CSP
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {source}", 1)


def allow_tiles(response: Response, options: MapOptions) -> Response:
    """Set a map page's CSP (the security baseline leaves a CSP a view set alone)."""
    response.headers["Content-Security-Policy"] = map_csp(options.tiles_url)
    return response
