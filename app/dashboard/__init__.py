"""The page after sign-in: what needs attention today.

Each domain contributes a panel: `register_panel(order, template, loader)` where `loader(user)`
returns the panel's context (or None to hide it) and `template` is a partial such as
"notes/_dashboard.html". The dashboard knows nothing else about the domains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint

bp = Blueprint("dashboard", __name__)


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    loader: Callable[[object], dict | None]


PANELS: list[Panel] = []


def register_panel(order: int, template: str, loader: Callable[[object], dict | None]) -> None:
    """Add a panel (lower `order` shows first); call once at import of the domain package."""
    if all(p.template != template for p in PANELS):
        PANELS.append(Panel(order, template, loader))
        PANELS.sort(key=lambda p: p.order)


from app.dashboard import routes  # noqa: E402,F401
