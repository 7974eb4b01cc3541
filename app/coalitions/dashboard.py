"""The coalitions panel on the dashboard: renewals and deadlines due within 30 days, and
any that have passed.

The panel loads itself (htmx, on load) from /coalitions/due: the dashboard is one page of
every domain's panels within a budget of 12 statements, which the others fill. Without
JavaScript it is a link to the same list."""

from __future__ import annotations

from app.system.panels import register_panel


def load(user) -> dict:
    """Everyone signed in sees it (staff can read memberships); no query here."""
    return {}


def register() -> None:
    register_panel(25, "coalitions/_dashboard.html", load)
