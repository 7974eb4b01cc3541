"""Rendering helpers: full page or fragment, redirects and toasts for htmx and plain requests.

This is the one module that knows about htmx-flask and jinja2-fragments.
"""

from __future__ import annotations

import json

from flask import Response, flash, make_response, redirect, render_template
from htmx_flask import request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """True for a non-boosted htmx request, which swaps part of a page rather than all of it."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **ctx) -> Response:
    """Render the whole page, or only `block` of it when htmx asked for a fragment.

    A block rendered alone does not run the template's top-level `{% from … import … %}`:
    import the macros a fragment block uses inside the block itself.
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
