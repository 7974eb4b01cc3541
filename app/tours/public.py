"""Public tour pages: the booking form, and a booker's own page behind an unguessable link."""

from __future__ import annotations

import time
from datetime import date, timedelta
from itertools import groupby

from flask import Response, abort, current_app, make_response, render_template, request, url_for

from app.auth.access import public
from app.database import utcnow
from app.extensions import csrf, db
from app.security import same_site_request, session_in_play
from app.settings import clock
from app.system import changes
from app.tours import services
from app.tours.blueprint import public_bp as bp
from app.tours.forms import (
    BookingForm,
    RescheduleForm,
    form_started_token,
    read_started_token,
)
from app.tours.models import PENDING_FOR, Status, TourBooking
from app.tours.schedule import Slot, TourSettings, parse_key
from app.web import from_htmx, render, see_other

PAGE_DAYS = 7


def _window(start_param: str | None, s: TourSettings) -> dict:
    """The dates one page of slots covers, and where the earlier/later links go."""
    first_day = clock.today()
    last_day = first_day + timedelta(days=s.horizon_days)
    try:
        start = date.fromisoformat(start_param or "")
    except ValueError:
        start = first_day
    start = min(max(start, first_day), last_day)
    end = min(start + timedelta(days=PAGE_DAYS - 1), last_day)
    earlier = max(start - timedelta(days=PAGE_DAYS), first_day) if start > first_day else None
    later = end + timedelta(days=1) if end < last_day else None
    return {"start": start, "end": end, "earlier": earlier, "later": later}


def _days(window: dict, s: TourSettings) -> list[tuple[date, list]]:
    opens = services.open_slots(window["start"], window["end"], s)
    return [(day, list(group))
            for day, group in groupby(opens, key=lambda o: clock.local_date(o.slot.starts_at))]


def _slot_page(form: BookingForm, s: TourSettings, start_param: str | None, status: int = 200,
               nearest=None, block: str | None = None, fresh_token: bool = False):
    window = _window(start_param, s)
    if fresh_token or not read_started_token(form.started.data):
        form.started.data = form_started_token()
    return render("tours/public.html", block=block, status=status, form=form, settings=s,
                  window=window, days=_days(window, s), nearest=nearest or [],
                  max_group=services.max_group(s))


# What the open times on the page are read from: a change to any of them (a booking, a
# confirmation, a cancellation, the tour settings, the organization's zone) stamps it.
SLOT_TABLES = ("settings", "tour_bookings", "tour_slots")
# Stands for the form's one-time token in a cached page; each visitor gets their own.
_STARTED_HOLE = "\x00tour-form-started\x00"


def _cached_page(start_param: str | None) -> str:
    """The page as a visitor without a session sees it, with a placeholder for the form
    token: built once per process while nothing it shows changes. The key holds what the
    page is made of — the window asked for, when the tables behind the open times last
    changed (a booking through another worker shows within a second, through this one at
    once), and the minute (minimum notice and the horizon move with the clock)."""
    key = (start_param or "", changes.recent_change(SLOT_TABLES), int(time.time() // 60))
    cache = current_app.extensions.setdefault("tours_page_cache", {})
    body = cache.get(key)
    if body is None:
        s = services.tour_settings()
        form = BookingForm()
        form.started.data = _STARTED_HOLE
        window = _window(start_param, s)
        body = render_template("tours/public.html", form=form, settings=s, window=window,
                               days=_days(window, s), nearest=[],
                               max_group=services.max_group(s))
        if len(cache) >= 32:
            cache.clear()
        cache[key] = body
    return body


@bp.route("", methods=["GET"])
@public
def index():
    """What a tour is, the open times by day, and the booking form. Visitors without a
    session (nearly all of them: the page sets no cookie) get a page built once and shared
    while nothing on it changes, with a form token of their own."""
    start_param = request.args.get("from")
    if not session_in_play() and not from_htmx():
        body = _cached_page(start_param).replace(_STARTED_HOLE, form_started_token())
        response = make_response(body)
        response.vary.add("HX-Request")
        return response
    s = services.tour_settings()
    form = BookingForm()
    form.started.data = form_started_token()
    return _slot_page(form, s, start_param, block="slots")


@bp.route("", methods=["POST"])
@csrf.exempt
@public
def submit():
    """A visitor's tour request. Every outcome depends only on what was sent, the room left
    and this address's own requests — never on screening — so screened, blocked and
    ordinary bookers get the same answer and the same email ("please confirm").

    Exempt from the session CSRF check, so that the page needs no session (and sets no
    cookie): like the media inquiry (app/press/public.py), this view has no ambient
    authority to abuse — it never reads the session or the user. A same-site Origin/Referer
    check, the signed one-time form token, the honeypot and the per-address limits cover
    what the session token would."""
    if not same_site_request():
        abort(400)
    s = services.tour_settings()
    form = BookingForm()
    chosen = parse_key(form.slot.data or "")
    start_param = clock.local_date(chosen).isoformat() if chosen else None
    if not form.validate_on_submit():
        return _slot_page(form, s, start_param, status=422)
    received = url_for("tours_public.requested", at=form.slot.data,
                       people=form.group_size.data)
    if form.website.data:
        # A bot filled the field people never see: the ordinary answer, and nothing else.
        return see_other(received)
    started = read_started_token(form.started.data)
    if started is None:
        form.slot.errors.append("This page was open too long. Please check your choice "
                                "and send it again.")
        return _slot_page(form, s, start_param, status=422)
    elapsed, nonce = started
    if elapsed < current_app.config.get("TOURS_MIN_FILL_SECONDS", 3):
        form.slot.errors.append("That was very quick. Please check your details, "
                                "then send the form again.")
        return _slot_page(form, s, start_param, status=422)
    biggest = services.max_group(s)
    if form.group_size.data > biggest:
        form.group_size.errors.append(
            f"Tours take up to {biggest} people per booking. For a bigger group, please tell "
            "us in the questions box and book for fewer people; we'll get in touch.")
        return _slot_page(form, s, start_param, status=422)
    if not services.spend_form_token(nonce):
        db.session.commit()
        form.slot.errors.append("This form was already sent. If you meant to send another "
                                "request, check your details and send it again.")
        return _slot_page(form, s, start_param, status=422, fresh_token=True)
    if services.over_rate_limit(request.remote_addr, form.email.data):
        db.session.commit()
        return render("tours/busy.html", status=429)
    req = services.BookingRequest(
        slot_key=form.slot.data, name=form.name.data, email=form.email.data,
        phone=form.phone.data, affiliation=form.affiliation.data,
        group_size=form.group_size.data, reason=form.reason.data,
        accessibility=form.accessibility.data, contact_consent=form.contact_consent.data,
        ip=request.remote_addr,
    )
    try:
        # A savepoint: when the request can't be taken, it rolls back but the rate-limit
        # count and the spent form token stay.
        with db.session.begin_nested():
            services.request_tour(req)
    except services.SlotFull as full:
        db.session.commit()
        form.slot.errors.append(full.message)
        form.slot.data = None
        return _slot_page(form, s, start_param, status=409, nearest=full.nearest,
                          fresh_token=True)
    except services.OverLimit as over:
        db.session.commit()
        form.group_size.errors.append(over.message)
        return _slot_page(form, s, start_param, status=409, fresh_token=True)
    db.session.commit()
    return see_other(received)


@bp.route("/requested")
@public
def requested():
    """The one answer every accepted submission gets (screened, blocked and repeat alike):
    the time asked for, and "confirm your email". The time comes from the query string, so
    the page holds nothing a visitor didn't choose themselves."""
    start = parse_key(request.args.get("at", ""))
    slot = None
    if start is not None and abs(start - utcnow()) < timedelta(days=400):
        s = services.tour_settings()
        slot = Slot(start, start + timedelta(minutes=s.slot_minutes))
    try:
        people = int(request.args.get("people", ""))
    except ValueError:
        people = None
    if people is not None and not 0 < people <= 200:
        people = None
    return render("tours/requested.html", slot=slot, people=people,
                  pending_minutes=int(PENDING_FOR.total_seconds() // 60))


# --- the booker's own page ------------------------------------------------------------------


def _booking_or_404(token: str) -> TourBooking:
    booking = services.booking_for_token(token)
    if booking is None:
        abort(404)
    return booking


def _private(response):
    """Pages behind a manage link are nobody else's: not cached, not indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _booking_page(b: TourBooking, token: str, status: int = 200, error: str | None = None,
                  nearest=None):
    s = services.tour_settings()
    return _private(render("tours/booking.html", status=status, booking=b, token=token,
                           settings=s, lapsed=b.lapsed(utcnow()), error=error,
                           nearest=nearest or [],
                           pending_minutes=int(PENDING_FOR.total_seconds() // 60)))


@bp.route("/booking/<token>")
@public
def booking(token: str):
    """The booker's own page: confirm their email (a button: mail scanners follow links),
    then see the booking, its calendar file, and change or cancel it."""
    return _booking_page(_booking_or_404(token), token)


@bp.route("/booking/<token>/confirm-email", methods=["POST"])
@public
def confirm_email(token: str):
    """The visitor confirms their email: the request now holds its places."""
    b = _booking_or_404(token)
    try:
        changed = services.confirm_email(b)
    except services.SlotFull as full:
        db.session.rollback()
        return _booking_page(b, token, 409, full.message, full.nearest)
    except (services.OverLimit, services.NotAllowed) as exc:
        db.session.rollback()
        return _booking_page(b, token, 409, getattr(exc, "message", str(exc)))
    db.session.commit()
    return see_other(url_for("tours_public.booking", token=token),
                     "Thank you: your email is confirmed and your request is in. We sent you "
                     "an email with the details." if changed else
                     "Your email was already confirmed.", "success" if changed else "info")


@bp.route("/booking/<token>/tour.ics")
@public
def calendar(token: str):
    """The booking's calendar file as it stands (tentative while requested)."""
    b = _booking_or_404(token)
    body = services.booking_calendar(b)
    if body is None:
        abort(404)
    response = _private(Response(body, mimetype="text/calendar"))
    response.headers["Content-Disposition"] = 'attachment; filename="tour.ics"'
    return response


@bp.route("/booking/<token>/reschedule")
@public
def reschedule(token: str):
    """Choose another open time (the choice is confirmed on the next page)."""
    b = _booking_or_404(token)
    s = services.tour_settings()
    form = RescheduleForm(request.args, meta={"csrf": False})
    window = _window(request.args.get("from"), s)
    days = [(day, [o for o in opens if o.slot.starts_at != b.slot.starts_at
                   and o.seats_left >= b.group_size])
            for day, opens in _days(window, s)]
    return _private(render("tours/reschedule.html", block="slots", booking=b, token=token,
                           form=form, window=window, days=[d for d in days if d[1]]))


@bp.route("/booking/<token>/reschedule/confirm", methods=["GET", "POST"])
@public
def reschedule_confirm(token: str):
    """GET asks "move your tour to …?"; POST moves it."""
    b = _booking_or_404(token)
    key = request.values.get("slot", "")
    slot = services.find_slot(key)
    error, nearest, status = None, [], 200
    if slot is None:
        error, status = "That time is no longer offered. Please choose another time.", 409
        nearest = services.nearest_open(parse_key(key) or b.slot.starts_at, b.group_size,
                                        exclude=b.slot.starts_at)
    elif request.method == "POST":
        was_pending = b.status == Status.pending
        try:
            services.reschedule(b, key)
        except services.SlotFull as full:
            db.session.rollback()
            error, nearest, status = full.message, full.nearest, 409
        except (services.OverLimit, services.NotAllowed) as exc:
            db.session.rollback()
            error, status = getattr(exc, "message", str(exc)), 409
        else:
            db.session.commit()
            return see_other(url_for("tours_public.booking", token=token),
                             "Your request now asks for this time. Please confirm it below."
                             if was_pending else
                             "We received your new tour time and sent you an email about it.")
    return _private(render("tours/reschedule_confirm.html", status=status, booking=b,
                           token=token, slot=slot, error=error, nearest=nearest))


@bp.route("/booking/<token>/cancel", methods=["GET", "POST"])
@public
def cancel(token: str):
    """GET asks "cancel your tour?"; POST cancels it."""
    b = _booking_or_404(token)
    if request.method == "POST":
        was_pending = b.status == Status.pending
        try:
            services.cancel(b, by_booker=True)
        except services.NotAllowed:
            db.session.rollback()
            return see_other(url_for("tours_public.booking", token=token),
                             "This tour was already cancelled or has ended.", "info")
        db.session.commit()
        return see_other(url_for("tours_public.booking", token=token),
                         "Your request is withdrawn." if was_pending else
                         "Your tour is cancelled. We sent you an email to confirm.")
    return _private(render("tours/cancel.html", booking=b, token=token))
