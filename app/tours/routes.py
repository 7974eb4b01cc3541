"""The liaison's side of tours: requests, the slot calendar, decisions, attendance,
settings and the screening list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask import request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.database import utcnow
from app.extensions import db
from app.people.contacts import find_or_add_contact
from app.security import same_site_path
from app.settings import clock
from app.settings.clock import org_zone
from app.system import jobs, visitors
from app.system.pagination import paginate_capped
from app.tours import services
from app.tours.blueprint import bp
from app.tours.forms import DeclineForm, ScreenForm, SettingsForm
from app.tours.models import (
    PENDING_FOR,
    ScreenAction,
    ScreenKind,
    Status,
    TourBooking,
    TourScreen,
    TourSlot,
)
from app.tours.schedule import (
    WEEKDAYS,
    TourSettings,
    example_range,
    parse_ranges,
    show_range,
    slots,
)
from app.web import render, see_other, trigger, wants_fragment

PER_PAGE = 50


@bp.route("/")
def index():
    """Requests waiting for a decision, then upcoming tours, then the past (paged)."""
    view = request.args.get("show", "requests")
    query = select(TourBooking).join(TourBooking.slot).options(joinedload(TourBooking.slot))
    now = utcnow()
    if view == "upcoming":
        query = query.where(TourBooking.status == Status.confirmed, TourSlot.ends_at >= now)
        query = query.order_by(TourSlot.starts_at, TourBooking.id)
    elif view == "past":
        query = query.where(TourSlot.ends_at < now, TourBooking.status != Status.pending)
        query = query.order_by(TourSlot.starts_at.desc(), TourBooking.id)
    else:
        view = "requests"
        query = query.where(TourBooking.status == Status.requested)
        query = query.order_by(TourSlot.starts_at, TourBooking.id)
    page = paginate_capped(query.with_only_columns(TourBooking.id).order_by(None), PER_PAGE)
    bookings = db.session.scalars(query.limit(page.limit).offset(page.offset)).all()
    return render("tours/index.html", block="results", bookings=bookings, view=view,
                  page=page.number, pages=page.pages, total=page.total, capped=page.capped,
                  decline_form=DeclineForm())


@bp.route("/calendar")
def calendar():
    """Offered slots for two weeks with the bookings in each."""
    s = services.tour_settings()
    today = clock.today()
    try:
        start = date.fromisoformat(request.args.get("from", ""))
    except ValueError:
        start = today
    # Ten years either way: a date at the calendar's ends would overflow the arithmetic.
    start = min(max(start, today - timedelta(days=3650)), today + timedelta(days=3650))
    end = start + timedelta(days=13)
    offered = slots(s, org_zone(), start, end)
    first = offered[0].starts_at if offered else utcnow()
    last = offered[-1].starts_at if offered else utcnow()
    rows = db.session.scalars(
        select(TourBooking).join(TourBooking.slot).options(joinedload(TourBooking.slot))
        .where(TourSlot.starts_at >= first, TourSlot.starts_at <= last,
               TourBooking.status != Status.pending)  # not a visitor yet: no email confirmed
        .order_by(TourBooking.id)
    ).all()
    by_start: dict = {}
    for b in rows:
        by_start.setdefault(b.slot.starts_at, []).append(b)
    return render("tours/calendar.html", slots=offered, by_start=by_start, settings=s,
                  start=start, earlier=start - timedelta(days=14),
                  later=start + timedelta(days=14))


@bp.route("/bookings/<int:booking_id>")
def show(booking_id: int):
    """One booking: the booker's details, screening matches, its history and what can be
    done."""
    b = db.get_or_404(TourBooking, booking_id)
    now = utcnow()
    return render("tours/show.html", booking=b, decline_form=DeclineForm(),
                  contact=services.booker_contact_details(b), now=now,
                  history=services.history(b), lapsed=b.lapsed(now),
                  lapses_at=b.created_at + PENDING_FOR)


def _decided(b: TourBooking, toast: str):
    """After a one-click action: the row for htmx, or back to where the liaison was."""
    if wants_fragment():
        response = render("tours/_row_response.html", booking=b, decline_form=DeclineForm())
        return trigger(response, "tours-changed", toast=toast)
    return see_other(same_site_path(request.referrer)
                     or url_for("tours.show", booking_id=b.id), toast)


def _refused(exc: Exception):
    db.session.rollback()
    if wants_fragment():
        return render("errors/_alert.html", status=409, title="Not done", detail=str(exc))
    return see_other(same_site_path(request.referrer)
                     or url_for("tours.index"), str(exc), "error")


def _act(booking_id: int, action, done: str | Callable[[TourBooking], str]):
    """Run one lifecycle step on a booking: commit and answer, or explain the refusal."""
    b = db.get_or_404(TourBooking, booking_id)
    try:
        action(b)
    except services.NotAllowed as exc:
        return _refused(exc)
    db.session.commit()
    return _decided(b, done(b) if callable(done) else done)


@bp.route("/bookings/<int:booking_id>/confirm", methods=["POST"])
def confirm(booking_id: int):
    """Confirm a request; the visitor gets the calendar file, address and guidelines."""
    return _act(booking_id, services.confirm,
                "Confirmed. The visitor gets an email with the details.")


@bp.route("/bookings/<int:booking_id>/decline", methods=["POST"])
def decline(booking_id: int):
    """Decline a request, with an optional message."""
    form = DeclineForm()
    if not form.validate():
        return _refused(ValueError("; ".join(e for errs in form.errors.values() for e in errs)))
    return _act(booking_id, lambda b: services.decline(b, form.message.data),
                "Declined. The visitor gets an email.")


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
def cancel(booking_id: int):
    """Cancel a booking on the program's side."""
    return _act(booking_id, lambda b: services.cancel(b, by_booker=False),
                "Cancelled. The visitor gets an email.")


@bp.route("/bookings/<int:booking_id>/attendance", methods=["POST"])
def attendance(booking_id: int):
    """Record whether the group came."""
    came = request.form.get("attended") == "yes"
    return _act(booking_id, lambda b: services.record_attendance(b, came),
                lambda b: f"Marked {b.status.label.lower()}.")


@bp.route("/bookings/<int:booking_id>/contact", methods=["POST"])
def make_contact(booking_id: int):
    """Turn a booker who agreed to stay in touch into a contact (or link the contact who
    already has their email)."""
    b = db.get_or_404(TourBooking, booking_id)
    details = services.booker_contact_details(b)
    if b.contact_id is not None:
        return see_other(url_for("tours.show", booking_id=b.id), "Already in your contacts.")
    if details is None:
        return see_other(url_for("tours.show", booking_id=b.id),
                         "This visitor didn't agree to be kept as a contact.", "error")
    contact, created = find_or_add_contact(
        details["name"], details["email"], current_user, phone=details["phone"],
        organization=details["organization"], source=details["source"],
        reason="Agreed to stay in touch when booking a tour")
    services.link_contact(b, contact.id, created)
    db.session.commit()
    message = (f"Added {contact.name} to your contacts." if created
               else f"{contact.name} was already a contact; linked them to this booking.")
    return see_other(url_for("tours.show", booking_id=b.id), message)


# --- settings -----------------------------------------------------------------------------


def _form_from(s: TourSettings) -> SettingsForm:
    data = {k: getattr(s, k) for k in ("buffer_before", "buffer_after", "slot_minutes",
                                       "capacity", "notice_hours", "horizon_days",
                                       "approval_required", "guidelines", "address",
                                       "purge_days", "visitor_seats_per_slot",
                                       "visitor_seats_per_week")}
    data["changes_at_once"] = visitors.at_once()
    data["blackout_dates"] = "\n".join(d.isoformat() for d in s.blackout_dates)
    for day in range(7):
        data[f"service_{day}"] = ", ".join(show_range(r) for r in s.service_hours.get(day, ()))
        data[f"window_{day}"] = ", ".join(show_range(r) for r in s.tour_windows.get(day, ()))
    return SettingsForm(data=data)


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Service hours, tour windows, approval, per-visitor limits, how visitors' changes
    reach the liaison and the rest; refuses any slot inside service hours."""
    current = services.tour_settings()
    form = SettingsForm() if request.method == "POST" else _form_from(current)
    problems: list[str] = []
    if form.validate_on_submit():
        new = TourSettings(
            service_hours={d: parse_ranges(form[f"service_{d}"].data) for d in range(7)},
            tour_windows={d: parse_ranges(form[f"window_{d}"].data) for d in range(7)},
            buffer_before=form.buffer_before.data, buffer_after=form.buffer_after.data,
            slot_minutes=form.slot_minutes.data, capacity=form.capacity.data,
            notice_hours=form.notice_hours.data, horizon_days=form.horizon_days.data,
            blackout_dates=tuple(sorted({date.fromisoformat(x)
                                         for x in (form.blackout_dates.data or "").split()})),
            approval_required=form.approval_required.data,
            guidelines=form.guidelines.data, address=form.address.data or "",
            purge_days=form.purge_days.data,
            visitor_seats_per_slot=form.visitor_seats_per_slot.data,
            visitor_seats_per_week=form.visitor_seats_per_week.data,
        )
        problems = services.save_settings(new)
        if not problems:
            visitors.set_at_once(form.changes_at_once.data)
            db.session.commit()
            return see_other(url_for("tours.settings"), "Tour settings saved.")
        for day in range(7):
            if any(p.startswith(WEEKDAYS[day] + " ") for p in problems):
                form[f"window_{day}"].errors = [
                    "These tour times overlap service hours or the buffer around them."]
    status = 422 if request.method == "POST" else 200
    return render("tours/settings.html", form=form, problems=problems, status=status,
                  weekdays=WEEKDAYS, clean_up=jobs.status("purge"), example_range=example_range(),
                  late_range=show_range((22 * 60, 2 * 60)))


# --- screening list -----------------------------------------------------------------------


@bp.route("/screening", methods=["GET", "POST"])
def screening():
    """Emails, domains, names and organizations to hold for approval or to block."""
    form = ScreenForm()
    if form.validate_on_submit():
        services.add_screen(ScreenKind(form.kind.data), form.value.data,
                            ScreenAction(form.action.data))
        db.session.commit()
        return see_other(url_for("tours.screening"), "Added to the screening list.")
    rows = db.session.scalars(select(TourScreen).order_by(TourScreen.kind, TourScreen.value)).all()
    status = 422 if request.method == "POST" else 200
    return render("tours/screening.html", form=form, rows=rows, status=status)


@bp.route("/screening/<int:screen_id>/delete", methods=["POST"])
def screening_delete(screen_id: int):
    """Take an entry off the screening list."""
    row = db.get_or_404(TourScreen, screen_id)
    services.remove_screen(row)
    db.session.commit()
    return see_other(url_for("tours.screening"), "Removed from the screening list.")
