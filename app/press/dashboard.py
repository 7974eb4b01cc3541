"""The press panel on the dashboard: open inquiry deadlines and a stale media page."""

from __future__ import annotations

from app.database import utcnow
from app.system.panels import register_panel


def _panel(user) -> dict | None:
    from app.press import services

    inquiries = services.open_inquiries(limit=8)
    row = services.page()
    stale = user.can("liaison") and services.is_stale(row)
    if not inquiries and not stale:
        return None
    return {"inquiries": inquiries, "stale": stale, "page": row, "now": utcnow()}


def register() -> None:
    register_panel(20, "press/_dashboard.html", _panel)
