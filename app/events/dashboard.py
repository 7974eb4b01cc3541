"""The dashboard's "coming up" panel."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.database import utcnow
from app.events.models import Event
from app.extensions import db
from app.system.panels import register_panel


def upcoming(user) -> dict | None:
    """Events in the next two weeks (hidden when there are none)."""
    now = utcnow()
    events = db.session.scalars(
        select(Event).where(Event.ends_at >= now, Event.starts_at < now + timedelta(days=14))
        .order_by(Event.starts_at).limit(8)
    ).all()
    return {"events": events} if events else None


def register() -> None:
    register_panel(30, "events/_dashboard.html", upcoming)
