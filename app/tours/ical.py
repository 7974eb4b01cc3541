"""The calendar file sent with a tour request (tentative, no address yet) and with a
confirmed tour (METHOD:PUBLISH, the booking's stable UID, times in the organization's
zone), written with the app's one ICS builder (app/system/ical.py)."""

from __future__ import annotations

from app.database import utcnow
from app.settings import services as settings
from app.system import ical
from app.system.words import plural


def booking_calendar(booking, *, uid: str, address: str, guidelines: str,
                     manage_url: str | None, cancelled: bool = False,
                     tentative: bool = False) -> str:
    """One VEVENT for the booking: STATUS:TENTATIVE while it is a request, CONFIRMED once
    confirmed; METHOD:CANCEL with STATUS:CANCELLED once it's called off."""
    org = settings.org_name()
    lines = [f"Your tour of {org} for {plural(booking.group_size, 'person', 'people')}."]
    if tentative and not cancelled:
        lines += ["Requested: we'll email you once it's confirmed, with the address."]
    if guidelines and not cancelled:
        lines += ["", "Visitor guidelines:", guidelines]
    if manage_url:
        lines += ["", f"Change or cancel: {manage_url}"]
    event = ical.VEvent(
        uid=uid,
        start=booking.slot.starts_at,
        end=booking.slot.ends_at,
        summary=f"Tour of {org}" + (" (requested)" if tentative and not cancelled else ""),
        dtstamp=utcnow(),
        sequence=booking.sequence,
        description="\n".join(lines),
        location=" ".join(address.split()) if address and not cancelled else "",
        status="CANCELLED" if cancelled else "TENTATIVE" if tentative else "CONFIRMED",
    )
    return ical.calendar([event], method="CANCEL" if cancelled else "PUBLISH")
