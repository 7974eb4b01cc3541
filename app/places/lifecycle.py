"""The map's answers to the people lifecycle: a place linked to a contact or an
organization moves with it on a merge, is counted for a delete or merge ("2 places on the
map"), and keeps an imported contact or organization from an undo."""

from __future__ import annotations

from app.people import lifecycle
from app.places.models import Place


def connect() -> None:
    """Connect the map's receivers (from init_app; connecting twice is harmless)."""
    lifecycle.follow_column(Place.contact_id, "place on the map", "places on the map")
    lifecycle.follow_column(Place.organization_id, "place on the map", "places on the map")
