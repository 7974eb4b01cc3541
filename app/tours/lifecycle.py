"""Tours' answers to the people lifecycle: bookings linked to a visitor's contact move on a
merge, are counted for a delete or merge, and keep an imported contact from an undo."""

from __future__ import annotations

from app.people import lifecycle
from app.tours.models import TourBooking


def connect() -> None:
    """Connect tours' receivers (from init_app; connecting twice is harmless)."""
    lifecycle.follow_column(TourBooking.contact_id, "tour booking")
