"""Test data, one module per domain: make_<thing>(**overrides) adds a row (flushed, not
committed), make_<things>(rows) adds many in bulk INSERTs that write the same rows. All are
re-exported here: `from tests.factories import make_contact`, `factories.make_note(...)`."""

from tests.factories.auth import PASSWORD, make_user
from tests.factories.coalitions import make_coalition, make_coalitions
from tests.factories.events import make_event, make_invitee
from tests.factories.notes import make_commitment, make_commitments, make_note, make_notes
from tests.factories.people import make_contact, make_contacts, make_organization
from tests.factories.places import make_area, make_map, make_place, make_site
from tests.factories.press import (
    deadline_at_noon,
    make_coverage,
    make_inquiry,
    make_page,
    make_spokesperson,
    make_statement,
)
from tests.factories.tours import make_bookings

__all__ = [
    "PASSWORD",
    "deadline_at_noon",
    "make_area",
    "make_bookings",
    "make_coalition",
    "make_coalitions",
    "make_commitment",
    "make_commitments",
    "make_contact",
    "make_contacts",
    "make_coverage",
    "make_event",
    "make_inquiry",
    "make_invitee",
    "make_map",
    "make_note",
    "make_notes",
    "make_organization",
    "make_page",
    "make_place",
    "make_site",
    "make_spokesperson",
    "make_statement",
    "make_user",
]
