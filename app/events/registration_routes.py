"""The liaison's side of registrations: one registration (screening, approve or decline, make
a contact), check-in at the door (one tap per person, on a phone), the printable sign-in
sheet and the CSV export."""

from __future__ import annotations

from flask import Response, abort, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.audit.services import record
from app.auth.access import roles
from app.auth.models import Role
from app.database import writes
from app.events import checkin, registrations, services
from app.events.blueprint import bp
from app.events.forms import DeclineRegistrationForm
from app.events.models import Event, Registration
from app.extensions import db
from app.people.contacts import find_or_add_contact
from app.people.csvio import write_rows
from app.web import render, see_other, trigger, wants_fragment


def _registration_or_404(event_id: int, registration_id: int) -> Registration:
    reg = db.session.scalar(select(Registration).where(Registration.id == registration_id,
                                                       Registration.event_id == event_id))
    if reg is None:
        abort(404)
    reg.event = db.session.get(Event, event_id)
    return reg


def _back(reg: Registration) -> str:
    return url_for("events.registration", event_id=reg.event_id, registration_id=reg.id)


def _act(reg: Registration, action, done: str):
    """Run one decision as the signed-in liaison: committed with `done`, or refused with
    the reason; back to the registration either way."""
    try:
        action(reg, current_user._get_current_object())
    except services.EventError as exc:
        db.session.rollback()
        return see_other(_back(reg), str(exc), "error")
    db.session.commit()
    return see_other(_back(reg), done)


@bp.route("/<int:event_id>/registrations/<int:registration_id>")
@roles(Role.liaison)
def registration(event_id: int, registration_id: int):
    """One registration: the registrant's details, screening matches, what can be done."""
    reg = _registration_or_404(event_id, registration_id)
    return render("events/registration_show.html", reg=reg, event=reg.event,
                  when=services.when_text(reg.event), decline_form=DeclineRegistrationForm(),
                  contact=registrations.contact_details(reg),
                  position=registrations.waitlist_position(reg))


@bp.route("/<int:event_id>/registrations/<int:registration_id>/approve", methods=["POST"])
@roles(Role.liaison)
def approve_registration(event_id: int, registration_id: int):
    """Approve a held registration (the registrant gets the private address if any)."""
    reg = _registration_or_404(event_id, registration_id)
    return _act(reg, registrations.approve,
                "Approved. From now on this registration is like any other.")


@bp.route("/<int:event_id>/registrations/<int:registration_id>/decline", methods=["POST"])
@roles(Role.liaison)
def decline_registration(event_id: int, registration_id: int):
    """Decline a registration, with an optional message; its place goes to the waitlist."""
    reg = _registration_or_404(event_id, registration_id)
    form = DeclineRegistrationForm()
    if not form.validate():
        return render("events/registration_show.html", reg=reg, event=reg.event,
                      when=services.when_text(reg.event), decline_form=form,
                      contact=registrations.contact_details(reg),
                      position=registrations.waitlist_position(reg), status=422)
    return _act(reg, lambda r, by: registrations.decline(r, by, form.message.data),
                "Declined. The registrant gets a short email.")


@bp.route("/<int:event_id>/registrations/<int:registration_id>/contact", methods=["POST"])
@roles(Role.liaison)
def registration_contact(event_id: int, registration_id: int):
    """Turn a registrant who agreed to stay in touch into a contact (or link the contact
    who already has their email), as tour bookers become contacts."""
    reg = _registration_or_404(event_id, registration_id)
    if reg.contact_id is not None:
        return see_other(_back(reg), "Already in your contacts.")
    details = registrations.contact_details(reg)
    if details is None:
        return see_other(_back(reg), "This registrant didn't agree to be kept as a contact.",
                         "error")
    user = current_user._get_current_object()
    contact, created = find_or_add_contact(
        details["name"], details["email"], user, phone=details["phone"],
        organization=details["organization"], source=details["source"],
        reason=f"Agreed to hear about future events when registering for {reg.event.title}")
    registrations.link_contact(reg, contact.id, created, user)
    db.session.commit()
    message = (f"Added {contact.name} to your contacts." if created
               else f"{contact.name} was already a contact; linked them to this registration.")
    return see_other(_back(reg), message)


# --- at the door -----------------------------------------------------------------------------


@bp.route("/<int:event_id>/check-in")
def check_in_list(event_id: int):
    """Everyone expected, by name, with one tap to check each in (phone-friendly; ?q=
    narrows by name, as a plain GET form without JavaScript)."""
    event = db.get_or_404(Event, event_id)
    q = request.args.get("q", "")[:100]
    return render("events/check_in.html", block="people", event=event, q=q,
                  people=checkin.attendees(event, q), count=checkin.count(event),
                  is_open=checkin.check_in_open(event), when=services.when_text(event))


@bp.route("/<int:event_id>/check-in/<kind>/<int:item_id>", methods=["POST"])
def check_in(event_id: int, kind: str, item_id: int):
    """Check someone in (or undo it): the new line and count for htmx, or back to the list."""
    event = db.get_or_404(Event, event_id)
    item = checkin.find(event, kind, item_id)
    if item is None:
        abort(404)
    came = request.form.get("came", "1") != "0"
    back = url_for("events.check_in_list", event_id=event.id, q=request.form.get("q") or None)
    try:
        checkin.check_in(event, item, came)
    except services.EventError as exc:
        db.session.rollback()
        if wants_fragment():
            return render("errors/_alert.html", status=409, title="Not done", detail=str(exc))
        return see_other(back, str(exc), "error")
    db.session.commit()
    person = checkin.attendee(item)
    toast = f"{person.name} checked in." if came else f"Undid {person.name}'s check-in."
    if wants_fragment():
        response = render("events/_check_in_row.html", person=person, event=event,
                          count=checkin.count(event), oob=True, is_open=True)
        return trigger(response, "events-changed", toast=toast)
    return see_other(f"{back}#{person.dom_id}", toast)


@bp.route("/<int:event_id>/sign-in-sheet")
def sign_in_sheet(event_id: int):
    """A printable sign-in sheet: everyone expected, with room to sign, and blank lines for
    people who come without registering."""
    event = db.get_or_404(Event, event_id)
    return render("events/sign_in_sheet.html", event=event, people=checkin.attendees(event),
                  when=services.when_text(event), blank=range(12))


EXPORT_COLUMNS = ["name", "email", "phone", "organization", "group_size", "status",
                  "waiting_for_decision", "accessibility_needs", "may_contact",
                  "registered_at", "checked_in"]


@bp.route("/<int:event_id>/registrations.csv")
@roles(Role.liaison)
@writes
def export_registrations(event_id: int):
    """The event's registrations as CSV (admin and liaison only; recorded in the audit
    trail; every cell safe from spreadsheet formulas)."""
    event = db.get_or_404(Event, event_id)
    rows: list[list[object]] = [EXPORT_COLUMNS]
    for r in registrations.registrations_of(event):
        rows.append([r.name, r.email, r.phone or "", r.affiliation or "", r.group_size,
                     r.status.label, "yes" if r.held and r.active else "",
                     r.accessibility or "", "yes" if r.contact_consent else "",
                     r.created_at.isoformat(timespec="minutes"),
                     r.checked_in_at.isoformat(timespec="minutes") if r.checked_in_at else ""])
    record("event.registrations_export",
           f"Exported {len(rows) - 1} registrations of {event.title} as CSV", event)
    db.session.commit()
    response = Response("".join(write_rows(rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="registrations-{event.slug}.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response
