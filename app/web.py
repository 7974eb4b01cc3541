"""Rendering helpers: full page or fragment, redirects and toasts for htmx and plain requests.

This is the one module that knows about htmx-flask and jinja2-fragments.
"""

from __future__ import annotations

import json

from flask import Flask, Response, abort, flash, make_response, redirect, render_template
from htmx_flask import request
from jinja2_fragments.flask import render_block
from werkzeug.routing import IntegerConverter

from app.database import DISPATCHING
from app.security import safe_next

ID_MAX = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL


class IntegerIdConverter(IntegerConverter):
    """`<int:...>` in every route is a row id: a number past ID_MAX is a 404, not an
    "out of range" error inside the query (SQLite cannot even bind one past 2**63)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def refuse_nul() -> None:
    """before_request: 400 for a NUL byte in the URL's arguments or query string. No page
    sends one, and PostgreSQL refuses it in any text parameter (a 500 otherwise)."""
    values = [*(request.view_args or {}).values()]
    for key, items in request.args.lists():
        values += [key, *items]
    if any("\x00" in v for v in values if isinstance(v, str)):
        abort(400)


def serving() -> None:
    """before_request, the first: this request is one the app serves, not a test's request
    context around a call (app.database checks that GET views writing say so)."""
    request.environ[DISPATCHING] = True


def init_app(app: Flask) -> None:
    """Before any blueprint: routes built afterwards use IntegerIdConverter for `<int:...>`."""
    app.url_map.converters["int"] = IntegerIdConverter
    app.before_request(serving)
    app.before_request(refuse_nul)


def from_htmx() -> bool:
    """True for any htmx request, boosted or not: it follows HX-Redirect, not a 302."""
    return bool(request.htmx)


def wants_fragment() -> bool:
    """True for a non-boosted htmx request, which swaps part of a page rather than all of it."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **ctx) -> Response:
    """Render the whole page, or only `block` of it when htmx asked for a fragment.

    A block rendered alone sees the context and the globals, never what its template sets or
    imports at the top: which is why templates import no macros (every macro partial's
    macros are globals, app.templating.register_macros).
    """
    if block and wants_fragment():
        body = render_block(template, block, **ctx)
    else:
        body = render_template(template, **ctx)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def see_other(location: str, message: str | None = None, category: str = "success") -> Response:
    """Redirect after a successful POST (303), with an optional flash message."""
    if message:
        flash(message, category)
    return redirect(location, code=303)


def back_to(default: str) -> str:
    """Where a form goes after saving: the `next` it carries (a path on this site, checked
    as sign-in checks its own), or `default`. Pages link to a form with `next` set to
    themselves, so saving a commitment from a contact lands back on the contact."""
    return safe_next(request.values.get("next")) or default


def trigger(response: Response, event: str, toast: str | None = None) -> Response:
    """Add an HX-Trigger event (e.g. "people-changed"), and a toast message for the user."""
    events: dict[str, object] = {}
    existing = response.headers.get("HX-Trigger")
    if existing:
        events.update(json.loads(existing) if existing.startswith("{") else {existing: None})
    events[event] = None
    if toast:
        events["toast"] = {"message": toast}
    response.headers["HX-Trigger"] = json.dumps(events)
    return response
