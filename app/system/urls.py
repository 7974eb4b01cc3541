"""Absolute links for what leaves the app (mail, calendar files and feeds, vCards, JSON-LD).

They are built from configuration only, never from a request's Host header (which the
sender chooses, and which a CLI job or the mail worker does not have): PUBLIC_BASE_URL
when it is set; otherwise the address the app serves on (SERVER_NAME, or the host and
port `flask serve` listens on); otherwise `flask serve`'s default address.
"""

from __future__ import annotations

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


def serving_at(host_name: str, port: int) -> str:
    """The base URL of a server listening on host:port (a wildcard address is reached as
    localhost)."""
    if host_name in ("", "0.0.0.0", "::"):  # noqa: S104 (naming it, not binding it)
        host_name = "localhost"
    if ":" in host_name:
        host_name = f"[{host_name}]"
    return f"http://{host_name}:{port}"
