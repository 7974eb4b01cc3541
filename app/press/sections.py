"""The contact page's media inquiries section (for journalists)."""

from __future__ import annotations

from app.people.sections import register_contact_section
from app.press import services


def inquiries(contact, user) -> dict | None:
    """The inquiries this contact sent us (hidden when there are none). Staff may read the
    media log, so everyone signed in sees them."""
    rows = services.inquiries_from(contact.id)
    return {"inquiries": rows} if rows else None


def register() -> None:
    register_contact_section(20, "press/_section_inquiries.html", inquiries)
