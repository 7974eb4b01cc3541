"""The map's dashboard panel: places whose notes say an issue is open."""

from __future__ import annotations

from app.dashboard.panels import register_panel
from app.places import services


def open_issues(user) -> dict | None:
    """Places with an open issue that this user may see (hidden when there are none)."""
    rows, total = services.places_with_open_issues(user, limit=5)
    if not total:
        return None
    return {"places": rows, "count": total}


def register() -> None:
    register_panel(45, "places/_dashboard.html", open_issues)
