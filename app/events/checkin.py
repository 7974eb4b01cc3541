"""Attendance at the door: one list of everyone expected (invitees and registrants), one-tap
check-in for each, and one count of who came.

Invitees who said yes or maybe (or haven't answered) and registrants holding a place are
expected; a registrant counts for their whole group. A registrant the screening list blocks
is on the list too, marked "see the liaison" (never why), since they believe they are
registered and may come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from app.audit.services import record
from app.database import utcnow
from app.events.models import (
    Answer,
    Attendance,
    Event,
    Invitation,
    Registration,
    RegistrationStatus,
)
from app.events.registrations import CHECK_IN_OPENS
from app.events.services import EventError
from app.extensions import db

KINDS = ("registration", "invitation")


@dataclass(frozen=True)
class Attendee:
    """One line of the check-in list and the sign-in sheet."""

    kind: str  # "registration" or "invitation"
    id: int
    name: str
    affiliation: str
    people: int  # the group it stands for
    answer: str  # "Registered", "Invited: yes", …
    attended: bool
    see_liaison: bool
    accessibility: str

    @property
    def dom_id(self) -> str:
        return f"checkin-{self.kind}-{self.id}"


@dataclass(frozen=True)
class AttendanceCount:
    """Expected and checked-in people (groups counted in full), invitees and registrants
    together."""

    expected: int
    came: int
    came_invitees: int
    came_registrants: int


def _search(column, q: str):
    escaped = q.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def attendees(event: Event, q: str = "") -> list[Attendee]:
    """Everyone expected at the event (and anyone already checked in), by name; `q`
    narrows by name. Two statements whatever their number."""
    q = " ".join(q.split())[:100]
    regs = select(Registration).where(
        Registration.event_id == event.id, Registration.anonymized_at.is_(None),
        (Registration.status == RegistrationStatus.registered)
        | (Registration.attendance == Attendance.attended))
    invs = select(Invitation).where(
        Invitation.event_id == event.id,
        (Invitation.answer != Answer.no) | (Invitation.attendance == Attendance.attended))
    if q:
        regs, invs = regs.where(_search(Registration.name, q)), invs.where(
            _search(Invitation.name, q))
    out = [attendee(r) for r in db.session.scalars(regs)]
    out += [attendee(i) for i in db.session.scalars(invs)]
    return sorted(out, key=lambda a: (a.name.casefold(), a.kind, a.id))


def count(event: Event) -> AttendanceCount:
    """The attendance count, in one statement."""
    came = Attendance.attended
    reg_expected = (select(func.coalesce(func.sum(Registration.group_size), 0))
                    .where(Registration.event_id == event.id, Registration.blocked.is_(False),
                           Registration.status == RegistrationStatus.registered)
                    .scalar_subquery())
    reg_came = (select(func.coalesce(func.sum(Registration.group_size), 0))
                .where(Registration.event_id == event.id, Registration.attendance == came)
                .scalar_subquery())
    inv = (select(func.coalesce(func.sum(case((Invitation.answer == Answer.yes, 1), else_=0)), 0),
                  func.coalesce(func.sum(case((Invitation.attendance == came, 1), else_=0)), 0))
           .where(Invitation.event_id == event.id).subquery())
    row = db.session.execute(select(reg_expected, reg_came, inv.c[0], inv.c[1])).one()
    expected_regs, came_regs, yes, came_invs = (int(v or 0) for v in row)
    return AttendanceCount(expected=expected_regs + yes, came=came_regs + came_invs,
                           came_invitees=came_invs, came_registrants=came_regs)


def check_in_open(event: Event, now: datetime | None = None) -> bool:
    """Check-in opens CHECK_IN_OPENS before the start (people come early) and stays open."""
    return (now or utcnow()) >= event.starts_at - CHECK_IN_OPENS


def find(event: Event, kind: str, item_id: int) -> Registration | Invitation | None:
    """The registration or invitation of this event named by (kind, id)."""
    if kind not in KINDS:
        return None
    model = Registration if kind == "registration" else Invitation
    return db.session.scalar(select(model).where(model.id == item_id,
                                                 model.event_id == event.id))


def check_in(event: Event, item: Registration | Invitation, came: bool,
             now: datetime | None = None) -> None:
    """Mark someone (and their group) as here, or undo it."""
    now = now or utcnow()
    if not check_in_open(event, now):
        raise EventError("Check-in opens three hours before the event starts.")
    if isinstance(item, Registration) and item.anonymized_at is not None:
        raise EventError("This registration's details were removed.")
    item.attendance = Attendance.attended if came else Attendance.unknown
    if isinstance(item, Registration):
        item.checked_in_at = now if came else None
    db.session.flush()
    what = "registration" if isinstance(item, Registration) else "invitation"
    record("event.check_in", f"{'Checked in' if came else 'Undid check-in of'} {what} "
           f"#{item.id} at {event.title}", event)


def attendee(item: Registration | Invitation) -> Attendee:
    """The check-in line for one registration or invitation."""
    if isinstance(item, Registration):
        return Attendee("registration", item.id, item.name, item.affiliation or "",
                        item.group_size, "Registered", item.attended, item.blocked,
                        item.accessibility or "")
    return Attendee("invitation", item.id, item.name, "", 1,
                    f"Invited: {item.answer.label.lower()}",
                    item.attendance == Attendance.attended, False, "")
