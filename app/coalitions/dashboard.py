"""The coalitions panel on the dashboard: renewals and deadlines due within 30 days, and
any that have passed."""

from __future__ import annotations

from app.clock import today
from app.coalitions import queries
from app.dashboard.panels import register_panel


def load(user) -> dict | None:
    """What is due (everyone's: staff can read memberships), soonest first; hidden when
    nothing is."""
    day = today()
    items = queries.due_items(day, limit=8)
    if not items:
        return None
    return {"due": items, "today": day}


def register() -> None:
    register_panel(25, "coalitions/_dashboard.html", load)
