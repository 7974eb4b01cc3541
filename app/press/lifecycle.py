"""Press's answers to the people lifecycle: media inquiries linked to a journalist's contact
move on a merge, are counted for a delete or merge, and keep an imported contact from an
undo."""

from __future__ import annotations

from app.people import lifecycle
from app.press.models import Inquiry


def connect() -> None:
    """Connect press's receivers (from init_app; connecting twice is harmless)."""
    lifecycle.follow_column(Inquiry.contact_id, "media inquiry", "media inquiries")
