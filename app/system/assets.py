"""Our static files and the vendored front-end files, fingerprinted.

A page links each file with a short hash of its bytes (`/static/css/app.css?v=1a2b3c4d5e`),
so a browser keeps the file a year without asking again, and a release that changes it
changes its URL: nobody runs new pages on old scripts. Asked without the hash, or with one
that is no longer the file's (a page from before an upgrade, still open), the file is served
as before: revalidated on every use (ours) or kept a week (the vendored ones). On a phone
that is three round trips fewer for every page, public ones included.
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

ENDPOINTS = frozenset({"static", "system.vendor"})
YEAR = 365 * 24 * 3600

# Front-end libraries come from PyPI packages installed with the app; nothing is committed
# and nothing loads from a CDN. name -> (package, folder inside it)
VENDOR = {
    "htmx": ("js_lib_htmx", ("static", "htmx")),
    "leaflet": ("xstatic.pkg.leaflet", ("data",)),
}


def vendor_folder(name: str) -> Path | None:
    """Where the installed front-end package `name` keeps its files (served at
    /vendor/<name>/), or None."""
    if name not in VENDOR:
        return None
    package, parts = VENDOR[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)), *parts)


def _file(endpoint: str, values: dict) -> Path | None:
    """The file a URL of `endpoint` with `values` serves, or None."""
    filename = values.get("filename")
    if not isinstance(filename, str):
        return None
    if endpoint == "static":
        folder = current_app.static_folder
    else:
        folder = vendor_folder(values.get("name", ""))
    joined = safe_join(str(folder), filename) if folder else None
    if joined is None:
        return None
    try:
        return Path(joined) if Path(joined).is_file() else None
    except (OSError, ValueError):  # a name too long, or with a NUL
        return None


@lru_cache(maxsize=256)
def _digest(path: Path, modified_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def fingerprint(path: Path) -> str:
    """A short hash of the file's bytes (read again only when the file changes)."""
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def is_file(response: Response) -> bool:
    """Whether `response` is one of these files (not an error page about one, which is a
    page like any other: for a signed-in user, private and with their session)."""
    return request.endpoint in ENDPOINTS and response.status_code in (200, 206, 304)


def add_fingerprint(endpoint: str | None, values: dict) -> None:
    """url_defaults: every URL of a static or vendored file carries its fingerprint."""
    if endpoint in ENDPOINTS and "v" not in values:
        path = _file(endpoint, values)
        if path is not None:
            values["v"] = fingerprint(path)


def cache_fingerprinted(response: Response) -> Response:
    """after_request: a file asked with its current fingerprint is kept for a year (a 304
    too: it refreshes what a cache keeps)."""
    if is_file(response) and "v" in request.args:
        path = _file(request.endpoint, request.view_args or {})
        if path is not None and request.args["v"] == fingerprint(path):
            response.cache_control.public = True
            response.cache_control.no_cache = None
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(add_fingerprint)
    app.after_request(cache_fingerprinted)
