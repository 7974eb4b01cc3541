"""The map's dashboard panel: places whose notes say an issue is open.

The panel loads itself after the page (htmx, `hx-trigger="load"`) from /map/open-issues, so
the dashboard spends no query on it: the dashboard asks every domain at once and sits at
its budget of twelve statements. Without JavaScript the panel is a link to those places.
"""

from __future__ import annotations

from app.system.panels import register_panel


def open_issues(user) -> dict:
    """The panel's placeholder (always shown; what it holds comes with the fragment)."""
    return {}


def register() -> None:
    register_panel(45, "places/_dashboard.html", open_issues)
