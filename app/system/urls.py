"""Absolute links for what leaves the app (mail, calendar files and feeds, vCards, JSON-LD).

They are built from configuration only, never from a request's Host header (which the
sender chooses, and which a CLI job or the mail worker does not have): PUBLIC_BASE_URL
when it is set; otherwise the address the app serves on (SERVER_NAME, or the host and
port `flask serve` listens on); otherwise `flask serve`'s default address.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import current_app

# Set by `flask serve` (and the tests' live server) to the address it listens on.
SERVED_AT = "LIAISON_SERVED_AT"
DEFAULT_BASE = "http://localhost:5000"


def base_url() -> str:
    """scheme://host[:port][/prefix] that every absolute link starts with (no final /)."""
    cfg = current_app.config
    base = cfg.get("PUBLIC_BASE_URL") or ""
    if not base and cfg.get("SERVER_NAME"):
        root = (cfg.get("APPLICATION_ROOT") or "/").rstrip("/")
        base = f"{cfg.get('PREFERRED_URL_SCHEME') or 'http'}://{cfg['SERVER_NAME']}{root}"
    return (base or cfg.get(SERVED_AT) or DEFAULT_BASE).rstrip("/")


def host() -> str:
    """The host name of the base URL (no port): the domain of calendar UIDs."""
    return urlsplit(base_url()).hostname or "localhost"


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` (as url_for takes it, with full endpoint names),
    the same in a request, a CLI command or a worker."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def base_url_problem(value: str) -> str | None:
    """Why `value` can't be the public base URL (None when it can): it must be an absolute
    http(s) URL naming a host, with no query, fragment or credentials."""
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 (raises on a port that isn't a number)
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must start with https:// (or http://) and name a host"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "must not hold a query, a fragment or credentials"
    return None


def host_of(url: str) -> str:
    """The host name of a URL, lower case, without port or IPv6 brackets."""
    return (urlsplit(url).hostname or "").lower()


def origin_of(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of a URL, the port filled in for http and https; None when the
    URL names no host (e.g. the Origin "null")."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


def _loopback(host_name: str) -> bool:
    if host_name == "localhost" or host_name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host_name).is_loopback
    except ValueError:
        return False


def is_ours(url: str | None) -> bool:
    """Whether `url` (an Origin or Referer a browser sent) is on the app's own public
    address: the same scheme, host and port as base_url(), or another name the operator
    listed in TRUSTED_HOSTS (an internal name staff use).
    A development server on a loopback address is also reached as localhost, 127.0.0.1 or
    [::1] on any port, which no other site can send."""
    theirs = origin_of(url or "")
    if theirs is None:
        return False
    ours = origin_of(base_url())
    if theirs == ours:
        return True
    if ours and _loopback(ours[1]) and _loopback(theirs[1]):
        return True
    if ours and theirs[1] == ours[1]:
        return False  # our host on another scheme or port: another origin
    extra = current_app.config.get("TRUSTED_HOSTS") or ()
    return theirs[1] in {h.lower() for h in extra if not h.startswith(".")}


def serving_at(host_name: str, port: int) -> str:
    """The base URL of a server listening on host:port (a wildcard address is reached as
    localhost)."""
    if host_name in ("", "0.0.0.0", "::"):  # noqa: S104 (naming it, not binding it)
        host_name = "localhost"
    if ":" in host_name:
        host_name = f"[{host_name}]"
    return f"http://{host_name}:{port}"
