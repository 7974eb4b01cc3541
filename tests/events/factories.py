"""Kept so imports written before tests/factories/ still work: use tests.factories instead."""

from tests.factories.events import make_event
from tests.factories.events import make_invitee as make_contact

__all__ = ["make_contact", "make_event"]
