"""One response body per key, built once per process and served to everyone the key covers,
with an ETag made of the key: a matching If-None-Match (strong or weak) is a 304 without
building anything. For pages many people read and few change: the media page, the public
events pages, and the community map's data for each of its two audiences.

The key must name everything the body shows (a change stamp from app.system.changes, the
audience, the organization's identity...): a body is never invalidated, only outgrown."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from flask import Response, current_app, make_response, request

# Bodies kept per store and process; past this the store starts over (keys that stop being
# asked for are old versions).
KEEP = 64


def shared_response(store: str, parts: Iterable[object], build: Callable[[], str | bytes],
                    cache_control: str, mimetype: str | None = None) -> Response:
    """The body for `parts` from the process's `store` (built by `build` if missing), or a
    304 when the client has it; ETag and Cache-Control set either way."""
    etag = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        cache = current_app.extensions.setdefault(f"shared_bodies:{store}", {})
        body = cache.get(etag)
        if body is None:
            body = build()
            if len(cache) >= KEEP:
                cache.clear()
            cache[etag] = body
        response = make_response(body)
        if mimetype:
            response.mimetype = mimetype
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    return response


def forget(store: str) -> None:
    """Drop a store's bodies (tests that change what a key can't see, such as the code)."""
    current_app.extensions.pop(f"shared_bodies:{store}", None)
