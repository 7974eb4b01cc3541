"""Public events: /public-events (what's coming up), one event's page with its calendar file
and registration form, and a registrant's own page behind an unguessable link.

The listing and the event pages are built like /press (app/press/public.py): no session, no
user lookup, no cookie; one body for every visitor (the registration form carries a shared,
signed, period token instead of a per-visitor CSRF token), one ETag computed from exactly
what the page shows (checked before rendering: a match is a 304), and `Cache-Control:
public, max-age=60`. What a page shows about places is only "open", "a few left" or "full",
never a count, so one registration (or a screened one that holds no place) can't be seen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Response, abort, make_response, render_template, request, url_for
from sqlalchemy import select

from app.auth.access import public
from app.database import utcnow
from app.events import feeds, registrations, services
from app.events.blueprint import public_bp as bp
from app.events.feeds import vevent
from app.events.forms import RegistrationChangeForm, RegistrationForm
from app.events.models import Event, Registration, RegistrationStatus
from app.events.public import calendar_response
from app.extensions import csrf, db
from app.security import same_site_request
from app.settings import services as settings
from app.settings.clock import local
from app.system import ical
from app.system.public_forms import PeriodToken
from app.system.shared_bodies import shared_response
from app.system.slugs import is_slug
from app.system.urls import base_url, external_url
from app.system.words import plural
from app.web import render, see_other

MAX_AGE = 60
LIMIT = 100  # upcoming public events on the page; the feed has them all
FORM_TOKEN = PeriodToken("events.registration", salt="events.registration-token")
EXPIRED = ("This page was open too long, or the form could not be checked. Your details are "
           "still here: please send it again.")
BUSY = ("We have received many registrations from your network or address lately. Please "
        "try again later.")
STATES = {"open": "Places available", "few": "A few places left",
          "full": "Full: join the waitlist"}


def _event_or_404(slug: str) -> Event:
    if not is_slug(slug):
        abort(404)
    event = db.session.scalar(select(Event).where(Event.slug == slug, Event.is_public.is_(True)))
    if event is None:
        abort(404)
    return event


# --- what the pages say ------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return local(moment).isoformat(timespec="minutes")


def json_ld(event: Event) -> dict:
    """schema.org Event, from exactly what the page shows (the address only if public)."""
    place: dict = {"@type": "Place", "name": event.location or settings.org_name()}
    if event.address and not event.address_invitees_only:
        place["address"] = event.address
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": _iso(event.starts_at),
        "endDate": _iso(event.ends_at),
        "eventStatus": "https://schema.org/" + ("EventCancelled" if event.cancelled
                                                else "EventScheduled"),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
        "url": external_url("events_public.event", slug=event.slug),
        "organizer": {"@type": "Organization", "name": settings.org_name(),
                      "url": external_url("events_public.events")},
    }
    if event.description:
        data["description"] = event.description
    return data


def _cached(parts: list[object], build: Callable[[], str]) -> Response:
    """One body and ETag for everybody (app/system/shared_bodies.py)."""
    return shared_response("public_events", [settings.identity(), base_url(), *parts], build,
                           f"public, max-age={MAX_AGE}")


def _version(event: Event, state: str | None) -> str:
    return f"{event.id}:{event.updated_at.timestamp()}:{state}"


# --- the pages ----------------------------------------------------------------------------------


@bp.route("/public-events")
@public
def events():
    """Upcoming public events: open houses, celebrations, fundraisers; their time in the
    organization's zone, place, and whether places are left."""
    now = utcnow()
    rows = list(db.session.scalars(
        select(Event).where(Event.is_public.is_(True), Event.ends_at >= now)
        .order_by(Event.starts_at, Event.id).limit(LIMIT)))
    avail = registrations.availability([e for e in rows if e.registration_open], now)
    states = {e.id: avail[e.id].state if e.id in avail and registrations.is_open(e, now)
              else None for e in rows}
    parts = ["index", len(rows)] + [_version(e, states[e.id]) for e in rows]

    def build() -> str:
        return render_template("events/public_index.html", events=rows, states=states,
                               labels=STATES, when={e.id: services.when_text(e) for e in rows},
                               jsonld=[json_ld(e) for e in rows])

    return _cached(parts, build)


def _state(event: Event, now: datetime) -> str | None:
    """"open", "few" or "full" while the event takes registrations, else None."""
    if not registrations.is_open(event, now):
        return None
    return registrations.availability([event], now)[event.id].state


def _event_page(event: Event, form: RegistrationForm, *, notice: str | None = None,
                now: datetime | None = None, state: str | None = None) -> str:
    now = now or utcnow()
    is_open = registrations.is_open(event, now)
    if is_open and state is None:
        state = _state(event, now)
    return render_template("events/public_event.html", event=event, form=form,
                           form_token=FORM_TOKEN.current(), when=services.when_text(event),
                           jsonld=json_ld(event), is_open=is_open, state=state,
                           labels=STATES, notice=notice, ended=event.ends_at < now,
                           started=event.starts_at <= now)


@bp.route("/public-events/<slug>", methods=["GET"])
@public
def event(slug: str):
    """One public event: when (in the organization's zone), where, what, accessibility
    notes, a calendar file, and the registration form when it takes registrations."""
    ev = _event_or_404(slug)
    now = utcnow()
    state = _state(ev, now)
    parts = ["event", _version(ev, state), ev.starts_at <= now, ev.ends_at < now,
             FORM_TOKEN.issued_at()]
    return _cached(parts, lambda: _event_page(ev, RegistrationForm(formdata=None), now=now,
                                              state=state))


@bp.route("/public-events/<slug>.ics")
@public
def event_ics(slug: str):
    """The event as a calendar file: public fields only, linking back to its page."""
    ev = _event_or_404(slug)
    item = vevent(ev, public=True)
    item.url = external_url("events_public.event", slug=ev.slug)
    modified = feeds.last_modified(feeds.PUBLIC_FEED_TABLES, windowed=False)
    response = calendar_response(ical.calendar([item], method="PUBLISH"), modified)
    response.headers["Content-Disposition"] = f'attachment; filename="{ev.slug}.ics"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _refused(ev: Event, form: RegistrationForm, status: int, notice: str | None = None):
    response = make_response(_event_page(ev, form, notice=notice), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/public-events/<slug>", methods=["POST"])
@csrf.exempt
@public
def register(slug: str):
    """A registration from the public page. Exempt from the session CSRF check, as the
    media inquiry is (app/press/public.py says why): it uses no session and creates only an
    anonymous registration. Instead: a same-site Origin/Referer check, the page's signed
    token, the honeypot, and per-IP and per-email rate limits kept in the database. Every
    accepted submission, screened, blocked or not, gets the same redirect and the same
    first email; the honeypot gets the redirect and nothing else."""
    ev = _event_or_404(slug)
    if not same_site_request():
        abort(400)
    form = RegistrationForm()
    if form.website.data:  # a bot filled the field people never see
        return see_other(url_for("events_public.registered", event=ev.slug))
    if not FORM_TOKEN.ok(form.form_token.data):
        form.validate()  # show any other problem at the same time
        return _refused(ev, form, 422, EXPIRED)
    if not form.validate():
        return _refused(ev, form, 422)
    now = utcnow()
    if not registrations.is_open(ev, now):
        return _refused(ev, form, 409, "Registration for this event has closed.")
    if ev.capacity is not None and form.group_size.data > ev.capacity:
        form.group_size.errors.append(
            f"This event has room for {plural(ev.capacity, 'person', 'people')} in all.")
        return _refused(ev, form, 422)
    if registrations.over_rate_limit(request.remote_addr, form.email.data):
        db.session.commit()  # the count of this attempt stands
        return _refused(ev, form, 429, BUSY)
    try:
        with db.session.begin_nested():  # the rate limit's count stands if this is refused
            registrations.register(ev, registrations.RegistrationRequest(
                name=form.name.data, email=form.email.data, phone=form.phone.data,
                affiliation=form.affiliation.data, group_size=form.group_size.data,
                accessibility=form.accessibility.data,
                contact_consent=form.contact_consent.data,
            ), now)
    except services.EventError as exc:  # closed in the meantime (cancelled, say)
        db.session.commit()
        return _refused(ev, form, 409, str(exc))
    db.session.commit()
    return see_other(url_for("events_public.registered", event=ev.slug))


@bp.route("/public-events/registered")
@public
def registered():
    """The one answer every accepted registration gets: check your email (?event= names
    the event, for its title and a way back)."""
    slug = request.args.get("event", "")
    ev = None
    if is_slug(slug):
        ev = db.session.scalar(select(Event).where(Event.slug == slug,
                                                   Event.is_public.is_(True)))
    parts = ["registered", ev.id if ev else "", ev.updated_at.timestamp() if ev else ""]
    return _cached(parts, lambda: render_template("events/public_registered.html", event=ev))


# --- the registrant's own page ------------------------------------------------------------------


def _registration_or_404(token: str) -> Registration:
    reg = registrations.registration_for_token(token)
    if reg is None:
        abort(404)
    return reg


def _private(response: Response) -> Response:
    """Pages behind a private link are nobody else's: not cached, not indexed, and the
    link never leaks in a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _change_form(reg: Registration) -> RegistrationChangeForm:
    if request.method == "POST":
        return RegistrationChangeForm()
    return RegistrationChangeForm(formdata=None, data={
        "name": reg.name, "phone": reg.phone, "affiliation": reg.affiliation,
        "group_size": reg.group_size, "accessibility": reg.accessibility,
        "contact_consent": reg.contact_consent})


def _registration_page(reg: Registration, token: str, form: RegistrationChangeForm,
                       status: int = 200, error: str | None = None) -> Response:
    now = utcnow()
    event = reg.event
    # The private address: once a confirmed registration may have it and its email has gone
    # (it goes after a random delay: the page must not tell a screened registrant sooner).
    address = (event.address if event.hides_address and not reg.held and not reg.blocked
               and reg.status == RegistrationStatus.registered and reg.address_sent_at
               and reg.address_sent_at <= now else None)
    return _private(render(
        "events/registration.html", reg=reg, event=event, token=token, form=form,
        status=status, error=error, when=services.when_text(event), address=address,
        position=registrations.waitlist_position(reg),
        changeable=reg.active and not event.cancelled and event.starts_at > now,
        offer_open=(reg.status == RegistrationStatus.offered and reg.offer_expires_at
                    and reg.offer_expires_at > now)))


@bp.route("/public-events/registration/<token>", methods=["GET", "POST"])
@public
def registration(token: str):
    """The registrant's page: their registration, waitlist place or offered place, and a
    form to change their details (a POST; mail scanners follow links)."""
    reg = _registration_or_404(token)
    form = _change_form(reg)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _registration_page(reg, token, form, 422)
        if reg.event.capacity is not None and form.group_size.data > reg.event.capacity:
            form.group_size.errors.append(f"This event has room for {reg.event.capacity} "
                                          "people in all.")
            return _registration_page(reg, token, form, 422)
        try:
            registrations.change(
                reg, name=form.name.data, phone=form.phone.data,
                affiliation=form.affiliation.data, group_size=form.group_size.data,
                accessibility=form.accessibility.data,
                contact_consent=form.contact_consent.data)
        except services.EventError as exc:
            db.session.rollback()
            reg = _registration_or_404(token)
            return _registration_page(reg, token, form, 409, str(exc))
        db.session.commit()
        return see_other(url_for("events_public.registration", token=token),
                         "Your changes are saved.")
    return _registration_page(reg, token, form)


def _act(token: str, action: Callable[[Registration], None], done: str):
    """Run one of the registrant's steps and go back to their page: committed with `done`,
    or refused with the reason. A lapsed offer is the exception: the lapse (and the offer
    to the next in line) is committed, then the registrant reads why."""
    reg = _registration_or_404(token)
    back = url_for("events_public.registration", token=token)
    try:
        action(reg)
    except registrations.OfferExpired as exc:
        db.session.commit()
        return see_other(back, str(exc), "error")
    except services.EventError as exc:
        db.session.rollback()
        return see_other(back, str(exc), "error")
    db.session.commit()
    return see_other(back, done)


@bp.route("/public-events/registration/<token>/cancel", methods=["GET", "POST"])
@public
def cancel_registration(token: str):
    """GET asks "cancel your registration?"; POST cancels it."""
    if request.method == "POST":
        return _act(token, registrations.cancel,
                    "Your registration is cancelled. We sent you an email to confirm.")
    reg = _registration_or_404(token)
    return _private(render("events/registration_cancel.html", reg=reg, event=reg.event,
                           token=token, when=services.when_text(reg.event)))


@bp.route("/public-events/registration/<token>/accept", methods=["POST"])
@public
def accept_offer(token: str):
    """Take the place offered from the waitlist (only by this POST: mail scanners follow
    links)."""
    return _act(token, registrations.accept_offer,
                "Your place is confirmed. We sent you an email with the details.")


@bp.route("/public-events/registration/<token>/decline-offer", methods=["POST"])
@public
def decline_offer(token: str):
    """Turn down the offered place; it goes to the next person in line."""
    return _act(token, registrations.decline_offer,
                "Thank you for letting us know. The place goes to the next person.")
