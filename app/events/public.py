"""Anonymous event views: the RSVP page and the calendar feeds."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, request, url_for

from app.auth.access import public
from app.database import utcnow
from app.events import feeds, invitations, registrations, services
from app.events.blueprint import public_bp
from app.events.forms import RsvpForm
from app.events.models import Answer
from app.extensions import db
from app.web import render, see_other


def _rsvp_or_404(token: str):
    inv = invitations.invitation_for_token(token)
    if inv is None:
        abort(404)
    return inv


@public_bp.route("/rsvp/<token>", methods=["GET", "POST"])
@public
def rsvp(token: str):
    """An invitee's page: the event and yes / maybe / no. Only the POST answers, because
    mail scanners follow links."""
    inv = _rsvp_or_404(token)
    event = inv.event
    form = RsvpForm()
    error = None
    if form.validate_on_submit():
        try:
            invitations.respond(inv, Answer(form.answer.data))
        except services.EventError as exc:
            error = str(exc)
        else:
            db.session.commit()
            return see_other(url_for("events_public.rsvp", token=token),
                             f"Thank you. Your answer: {inv.answer.label}.")
    status = 422 if form.is_submitted() else 200
    response = render("events/rsvp.html", inv=inv, event=event, form=form, error=error,
                      when=services.when_text(event), status=status,
                      open=not event.cancelled and event.starts_at > utcnow(),
                      taken=(registrations.places_taken(event)
                             if event.capacity is not None else None))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def calendar_response(body: str, modified: datetime | None) -> Response:
    """A calendar file that answers conditional requests: a strong ETag (the body's hash)
    and, when known, Last-Modified. If-None-Match is compared weakly, since a proxy that
    gzips the feed (nginx) sends the tag back as W/"…"; only without it does
    If-Modified-Since count (RFC 9110, 13.2.2)."""
    tag = feeds.etag(body)
    if request.if_none_match:
        fresh = request.if_none_match.contains_weak(tag)
    else:
        since = request.if_modified_since
        fresh = modified is not None and since is not None and modified <= since
    response = Response(status=304) if fresh else Response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.set_etag(tag)
    if modified is not None:
        response.last_modified = modified
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@public_bp.route("/calendar/public.ics")
@public
def public_feed():
    """Public events and open houses: public fields only."""
    modified = feeds.last_modified(feeds.PUBLIC_FEED_TABLES)
    body, _ = feeds.cached_public_feed()
    response = calendar_response(body, modified)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@public_bp.route("/calendar/feed/<token>.ics")
@public
def private_feed(token: str):
    """A staff member's private feed; the unguessable token is the key."""
    user = feeds.user_for_feed_token(token)
    if user is None:
        abort(404)
    # Any table: the feed's sources belong to every domain (app.system.feeds).
    modified = feeds.last_modified(None)
    response = calendar_response(feeds.private_feed(user), modified)
    response.headers["X-Robots-Tag"] = "noindex"
    return response
