"""Signed-in event views: calendar, event pages, the invite preview, attendance, feeds."""

from __future__ import annotations

import calendar as pycal
from datetime import date, datetime, timedelta

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.access import roles
from app.auth.models import Role
from app.database import utcnow
from app.events import checkin, feeds, invitations, registrations, reminders, services
from app.events.blueprint import bp
from app.events.forms import EventForm, FollowupForm, InviteFilterForm, SettingsForm
from app.events.models import Attendance, Event, EventKind, EventStatus, Invitation
from app.events.public import calendar_response
from app.extensions import db
from app.people.groups import group_choices
from app.people.models import Organization, Sphere, Stance
from app.people.queries import user_choices
from app.settings import services as settings
from app.settings.clock import org_zone
from app.settings.clock import today as org_today
from app.system.pagination import page_number
from app.system.urls import external_url
from app.system.words import plural
from app.web import render, see_other, trigger, wants_fragment


def _month_arg(value: str | None) -> date:
    today = org_today()
    try:
        return datetime.strptime(value or "", "%Y-%m").date().replace(day=1)
    except ValueError:
        return today.replace(day=1)


@bp.route("/")
def index():
    """The calendar: an agenda of what's coming, or a month grid (?view=month&month=YYYY-MM)."""
    zone = org_zone()
    view = "month" if request.args.get("view") == "month" else "agenda"
    today = org_today()
    ctx: dict = {"view": view, "today": today}
    if view == "month":
        first = _month_arg(request.args.get("month"))
        weeks = pycal.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
        start = datetime.combine(weeks[0][0], datetime.min.time(), zone)
        end = datetime.combine(weeks[-1][-1] + timedelta(days=1), datetime.min.time(), zone)
        events = db.session.scalars(
            select(Event).where(Event.starts_at < end, Event.ends_at > start)
            .order_by(Event.starts_at)
        ).all()
        by_day: dict[date, list[Event]] = {}
        for ev in events:
            by_day.setdefault(ev.starts_at.astimezone(zone).date(), []).append(ev)
        prev_month = (first - timedelta(days=1)).replace(day=1)
        next_month = (first + timedelta(days=32)).replace(day=1)
        ctx.update(first=first, weeks=weeks, by_day=by_day, prev_month=prev_month,
                   next_month=next_month)
    else:
        page = page_number()
        past = request.args.get("when") == "past"
        query = select(Event)
        now = utcnow()
        if past:
            query = query.where(Event.ends_at < now).order_by(Event.starts_at.desc())
        else:
            query = query.where(Event.ends_at >= now).order_by(Event.starts_at)
        size = 50
        events = db.session.scalars(query.limit(size + 1).offset((page - 1) * size)).all()
        ctx.update(events=events[:size], page=page, more=len(events) > size, past=past)
    return render("events/index.html", block="calendar", **ctx)


def _host_choices(form: EventForm) -> None:
    """Staff who can host (contacts who speak are picked by search)."""
    form.hosts.choices = user_choices()


def _form_data(form: EventForm) -> dict:
    capacity = form.capacity.data
    return {
        "title": form.title.data.strip(),
        "kind": EventKind(form.kind.data),
        "starts_at": form.starts.moment,
        "ends_at": form.ends.moment,
        "location": (form.location.data or "").strip(),
        "address": (form.address.data or "").strip(),
        "address_invitees_only": form.address_invitees_only.data,
        "description": (form.description.data or "").replace("\r\n", "\n").strip(),
        "accessibility": form.accessibility.data or "",
        "capacity": capacity,
        "is_public": form.is_public.data,
        "registration_open": form.registration_open.data,
        "status": EventStatus(form.status.data),
    }


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.liaison)
def new():
    """Plan a new event."""
    form = EventForm()
    if request.method == "GET":
        form.timezone.data = settings.timezone_name()
        form.hosts.data = [current_user.id]
    _host_choices(form)
    if form.validate_on_submit():
        event = services.save_event(None, _form_data(form), hosts=form.hosts.data or [],
                                    speakers=form.speakers.data or [],
                                    by=current_user._get_current_object())
        db.session.commit()
        return see_other(url_for("events.show", event_id=event.id), "Event created.")
    return render("events/form.html", form=form, event=None,
                  status=422 if form.is_submitted() else 200)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@roles(Role.liaison)
def edit(event_id: int):
    """Change an event; invitees get an update when something they care about changed."""
    event = db.get_or_404(Event, event_id)
    if event.cancelled:
        return see_other(url_for("events.show", event_id=event.id),
                         "A cancelled event can't be changed.", "error")
    form = EventForm()
    if request.method == "GET":
        zone = org_zone()
        # Not obj=event: the form's hosts/speakers fields are ids, not the relationship.
        skip = {"hosts", "speakers", "csrf_token"}
        form = EventForm(formdata=None, data={
            name: getattr(event, name) for name in form._fields
            if name not in skip and hasattr(event, name)
        })
        form.starts.show(event.starts_at, zone)
        form.ends.show(event.ends_at, zone)
        form.timezone.data = zone.key
        form.kind.data, form.status.data = event.kind.value, event.status.value
        hosts = services.hosts_of(event)
        form.hosts.data = [h.user_id for h in hosts if h.user_id]
        form.speakers.data = [h.contact_id for h in hosts if h.contact_id]
    _host_choices(form)
    if form.validate_on_submit():
        services.save_event(event, _form_data(form), hosts=form.hosts.data or [],
                            speakers=form.speakers.data or [],
                            by=current_user._get_current_object())
        # More places (or registration reopened): the waitlist hears first.
        registrations.lock_event(event)
        registrations.refresh_waitlist(event)
        db.session.commit()
        return see_other(url_for("events.show", event_id=event.id), _saved(event))
    return render("events/form.html", form=form, event=event,
                  status=422 if form.is_submitted() else 200)


def _saved(event: Event) -> str:
    """What saving an event did, for the liaison: who hears, and whether answers stand."""
    change = event.change
    if change is None:
        return "Event saved."
    if change.ask_again:
        return (f"Event saved. Because {change.reason}, everyone invited is asked again; "
                "what they had answered is kept beside their name.")
    return "Event saved. Everyone who hasn't declined gets the update; their answers stand."


@bp.route("/<int:event_id>")
def show(event_id: int):
    """One event: details, hosts, answers against capacity, attendance and follow-ups."""
    event = db.get_or_404(Event, event_id)
    now = utcnow()
    started = event.starts_at <= now
    return render(
        "events/show.html", block="invitees", event=event, hosts=services.hosts_of(event),
        invitations=invitations.invitations_of(event), counts=invitations.answer_counts(event),
        started=started, when=services.when_text(event),
        registrations=registrations.registrations_of(event),
        places=registrations.availability([event], now)[event.id],
        attendance=checkin.count(event), check_in_open=checkin.check_in_open(event, now),
        sections=services.event_sections(event, current_user._get_current_object()),
        followup_form=FollowupForm(due_on=org_today()
                                   + timedelta(days=3)),
        Attendance=Attendance,
    )


@bp.route("/<int:event_id>/cancel", methods=["POST"])
@roles(Role.liaison)
def cancel(event_id: int):
    """Cancel an event and tell every invitee's calendar."""
    event = db.get_or_404(Event, event_id)
    services.cancel_event(event)
    db.session.commit()
    return see_other(url_for("events.show", event_id=event.id),
                     "Event cancelled; invitees' calendars will be updated.")


@bp.route("/<int:event_id>.ics")
def download(event_id: int):
    """The event as a calendar file (no invitees in it)."""
    event = db.get_or_404(Event, event_id)
    modified = feeds.last_modified(("events",), windowed=False)
    response = calendar_response(feeds.event_ics(event), modified)
    response.headers["Content-Disposition"] = f'attachment; filename="event-{event.id}.ics"'
    return response


def _filter_form(event: Event) -> InviteFilterForm:
    form = InviteFilterForm(request.args)
    form.stance.choices = [("", "Any stance")] + [(s.value, s.label) for s in Stance]
    form.sphere.choices = [("", "Any sphere")] + [(s.value, s.label) for s in Sphere]
    orgs = db.session.execute(select(Organization.id, Organization.name)
                              .where(Organization.archived_at.is_(None))
                              .order_by(Organization.name).limit(500)).all()
    form.organization.choices = [("", "Any organization")] + [(str(o.id), o.name) for o in orgs]
    form.group.choices = [("", "Anyone"), *group_choices()]
    return form


@bp.route("/<int:event_id>/invite", methods=["GET", "POST"])
@roles(Role.liaison)
def invite(event_id: int):
    """Pick invitees by filter or by name, preview who gets what (and who won't, and why),
    then send."""
    event = db.get_or_404(Event, event_id)
    form = _filter_form(event)
    if request.method == "POST":
        ids = [int(x) for x in request.form.getlist("contact_id")
               if x.isdecimal() and len(x) < 10][:1000]
        if not ids:
            return see_other(url_for("events.invite", event_id=event.id, **request.args),
                             "Choose at least one person to invite.", "error")
        try:
            count, left_out = invitations.invite(event, ids, current_user._get_current_object())
        except services.EventError as exc:
            return see_other(url_for("events.show", event_id=event.id), str(exc), "error")
        db.session.commit()
        message = f"Invited {plural(count, 'person', 'people')}."
        if not count and left_out and all(c.reason == invitations.ALREADY for c in left_out):
            # A second click on "Send" (or a colleague's send a moment earlier).
            message = "Everyone chosen was already invited: nobody was invited twice."
        elif left_out:
            message += f" {len(left_out)} left out (see the reasons in the preview)."
        return see_other(url_for("events.show", event_id=event.id), message)
    found = invitations.candidates(event, form.data, current_user._get_current_object()
                                   ) if form.validate() else []
    sample = None
    eligible = [c for c in found if c.eligible]
    if eligible:
        sample = {"to": eligible[0].contact.name, "when": services.when_text(event)}
    return render("events/invite.html", block="preview", event=event, form=form,
                  found=found, eligible=eligible, sample=sample,
                  filtered=any(request.args.get(k) for k in invitations.FILTERS))


@bp.route("/<int:event_id>/invitations/<int:invitation_id>/attendance", methods=["POST"])
@roles(Role.liaison)
def attendance(event_id: int, invitation_id: int):
    """Record whether an invitee came."""
    inv = db.session.scalar(select(Invitation).where(
        Invitation.id == invitation_id, Invitation.event_id == event_id)
        .options(selectinload(Invitation.event)))
    if inv is None:
        abort(404)
    try:
        invitations.record_attendance(inv, Attendance(request.form.get("attendance", "")))
    except ValueError as exc:
        msg = "Choose attended or didn't come."
        if isinstance(exc, services.EventError):
            msg = str(exc)
        return see_other(url_for("events.show", event_id=event_id), msg, "error")
    event = inv.event
    db.session.commit()
    if wants_fragment():
        response = render("events/_attendance.html", inv=inv, event=event,
                          Attendance=Attendance)
        return trigger(response, "events-changed", toast="Attendance saved.")
    return see_other(url_for("events.show", event_id=event_id), "Attendance saved.")


@bp.route("/<int:event_id>/followups", methods=["POST"])
@roles(Role.liaison)
def followups(event_id: int):
    """Create a follow-up commitment for each attendee."""
    event = db.get_or_404(Event, event_id)
    form = FollowupForm()
    if not form.validate_on_submit():
        return see_other(url_for("events.show", event_id=event.id),
                         "Say what to follow up with and when.", "error")
    try:
        n = invitations.create_followups(event, current_user._get_current_object(),
                                         what=form.what.data.strip(), due_on=form.due_on.data)
    except services.EventError as exc:
        return see_other(url_for("events.show", event_id=event.id), str(exc), "error")
    db.session.commit()
    return see_other(url_for("events.show", event_id=event.id),
                     f"Created {plural(n, 'follow-up commitment')}.")


@bp.route("/calendar")
def my_calendar():
    """The signed-in user's calendar subscriptions: their private feed and the public one."""
    user = current_user._get_current_object()
    token = feeds.feed_token(user)
    feed_url = external_url("events_public.private_feed", token=token)
    public_url = external_url("events_public.public_feed")
    return render("events/calendar.html", feed_url=feed_url, public_url=public_url,
                  webcal=lambda u: "webcal://" + u.split("://", 1)[1])


@bp.route("/calendar/regenerate", methods=["POST"])
def regenerate_feed():
    """Retire the private feed link and make a new one."""
    feeds.regenerate_feed_token(current_user._get_current_object())
    db.session.commit()
    return see_other(url_for("events.my_calendar"),
                     "New link made. Subscribe again with it; the old one no longer works.")


@bp.route("/settings", methods=["GET", "POST"])
@roles(Role.liaison)
def event_settings():
    """How many days ahead reminders go out, which changes ask invitees again, how long a
    waitlist offer stays open and when registrants' details are removed."""
    form = SettingsForm()
    if request.method == "GET":
        form.reminder_days.data = reminders.reminder_days()
        form.reask_minutes.data = services.reask_minutes()
        form.reask_place.data = services.reask_on_place()
        form.offer_hours.data = registrations.offer_hours()
        form.purge_days.data = registrations.purge_days()
    if form.validate_on_submit():
        settings.put(reminders.REMINDER_DAYS_KEY, form.reminder_days.data)
        settings.put(services.REASK_MINUTES_KEY, form.reask_minutes.data)
        settings.put(services.REASK_PLACE_KEY, form.reask_place.data)
        settings.put(registrations.OFFER_HOURS_KEY, form.offer_hours.data)
        settings.put(registrations.PURGE_DAYS_KEY, form.purge_days.data)
        db.session.commit()
        return see_other(url_for("events.index"), "Event settings saved.")
    return render("events/settings.html", form=form,
                  status=422 if form.is_submitted() else 200)

