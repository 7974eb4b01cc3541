"""The calendar file sent with a confirmed tour (METHOD:PUBLISH, UTC times, a stable UID)."""

from __future__ import annotations

from email.utils import parseaddr

from flask import current_app
from icalendar import Calendar, Event

from app.database import utcnow
from app.settings import services as settings


def uid(booking) -> str:
    """Stable for the life of the booking, so an updated file replaces the earlier one."""
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2]
    return f"tour-booking-{booking.id}@{domain or 'liaison.local'}"


def booking_calendar(booking, *, address: str, guidelines: str, manage_url: str | None,
                     cancelled: bool = False) -> str:
    """One VEVENT for the booking; METHOD:CANCEL with STATUS:CANCELLED once it's called off."""
    org = settings.org_name()
    cal = Calendar()
    cal.add("prodid", "-//Liaison//Tours//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", uid(booking))
    event.add("dtstamp", utcnow())
    event.add("dtstart", booking.slot.starts_at)
    event.add("dtend", booking.slot.ends_at)
    event.add("sequence", booking.sequence)
    event.add("summary", f"Tour of {org}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if address and not cancelled:
        event.add("location", " ".join(address.split()))
    lines = [f"Your tour of {org} for {booking.group_size} "
             f"{'person' if booking.group_size == 1 else 'people'}."]
    if guidelines and not cancelled:
        lines += ["", "Visitor guidelines:", guidelines]
    if manage_url:
        lines += ["", f"Change or cancel: {manage_url}"]
    event.add("description", "\n".join(lines))
    cal.add_component(event)
    return cal.to_ical().decode()
