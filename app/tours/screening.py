"""Screening tour bookings: who should wait for the liaison, and who gets no tour at all.

`screen_booking(booking)` asks every registered matcher and returns their matches. A matcher
is any callable `(Booker) -> Iterable[Match]`; register one with `register_matcher()`. The
tours domain ships one (its own screening list, `TourScreen`); the people domain adds a
second that matches contacts and organizations whose stance is challenger or skeptic
(registered from that domain's package, so tours never imports people).

The booker is never told: a held booking reads "request received", like any other, and a
blocked one gets that same page and no tour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import or_, select

from app.extensions import db
from app.tours.models import ScreenAction, ScreenKind, TourScreen


@dataclass(frozen=True)
class Booker:
    """What a matcher may compare, normalised (lower case, trimmed)."""

    email: str
    name: str
    organization: str

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]

    @classmethod
    def of(cls, booking) -> Booker:
        return cls(
            email=normalise(booking.email),
            name=normalise(booking.name),
            organization=normalise(booking.affiliation or ""),
        )


@dataclass(frozen=True)
class Match:
    """Why a booking was screened. `reason` is for the liaison's eyes only."""

    source: str  # "screening list", "contact", "organization"
    field: str  # which booker detail matched: email, domain, name, organization
    reason: str  # e.g. "email matches the screening list (hold)"
    block: bool = False  # True: no tour at all

    def as_dict(self) -> dict:
        return asdict(self)


Matcher = Callable[[Booker], Iterable[Match]]
MATCHERS: list[Matcher] = []


def register_matcher(matcher: Matcher) -> Matcher:
    """Add a matcher (usable as a decorator); registering twice is harmless."""
    if matcher not in MATCHERS:
        MATCHERS.append(matcher)
    return matcher


def normalise(value: str) -> str:
    return " ".join((value or "").split()).casefold()


def screen_booking(booking) -> list[Match]:
    """Every match any matcher finds for this booking's booker."""
    booker = Booker.of(booking)
    matches: list[Match] = []
    for matcher in MATCHERS:
        matches.extend(matcher(booker))
    return matches


@register_matcher
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
