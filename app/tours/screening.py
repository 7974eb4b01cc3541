"""Screening tour bookings: who should wait for the liaison, and who gets no tour at all.

`screen_booking(booking)` asks every matcher registered with `app.people.screening` (the
base's registry) and returns their matches. The tours domain adds one of its own, its
screening list (`TourScreen`); the people domain's matches contacts and organizations whose
stance is challenger or skeptic.

The booker is never told: a held booking reads "request received", like any other, and a
blocked one gets that same page and no tour.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from app.extensions import db
from app.people.screening import Booker, Match, screen
from app.tours.models import ScreenAction, ScreenKind, TourScreen


def screen_booking(booking) -> list[Match]:
    """Every match any matcher finds for this booking's booker."""
    return screen(Booker.of(booking))


def screening_list(booker: Booker) -> list[Match]:
    """Matches from the tours screening list kept by staff (emails, domains, names, orgs)."""
    wanted = {
        ScreenKind.email: booker.email,
        ScreenKind.domain: booker.domain,
        ScreenKind.name: booker.name,
        ScreenKind.organization: booker.organization,
    }
    conditions = [(TourScreen.kind == kind) & (TourScreen.value == value)
                  for kind, value in wanted.items() if value]
    if not conditions:
        return []
    rows = db.session.scalars(select(TourScreen).where(or_(*conditions))).all()
    return [
        Match(
            source="screening list",
            field=row.kind.value,
            reason=f"{row.kind.value} is on the screening list ({row.action.value})",
            block=row.action == ScreenAction.block,
        )
        for row in rows
    ]
