"""Anonymous event views: the RSVP page and the calendar feeds."""

from __future__ import annotations

from flask import Response, abort, request, url_for

from app.auth.access import public
from app.database import utcnow
from app.events import feeds, invitations, services
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
                      counts=invitations.answer_counts(event) if event.capacity else None)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _calendar_response(body: str) -> Response:
    tag = feeds.etag(body)
    # contains_weak: a proxy that gzips the feed (nginx) sends the tag back as W/"…".
    not_modified = request.if_none_match.contains_weak(tag)
    response = Response(status=304) if not_modified else Response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@public_bp.route("/calendar/public.ics")
@public
def public_feed():
    """Public events and open houses: public fields only."""
    body, _ = feeds.cached_public_feed()
    response = _calendar_response(body)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@public_bp.route("/calendar/feed/<token>.ics")
@public
def private_feed(token: str):
    """A staff member's private feed; the unguessable token is the key."""
    user = feeds.user_for_feed_token(token)
    if user is None:
        abort(404)
    response = _calendar_response(feeds.private_feed(user))
    response.headers["X-Robots-Tag"] = "noindex"
    return response
