"""The dashboard's panel registry (in the base: any domain registers, the dashboard reads).

Each domain contributes a panel: `register_panel(order, template, loader)` where `loader(user)`
returns the panel's context (or None to hide it) and `template` is a partial such as
"notes/_dashboard.html". The dashboard knows nothing else about the domains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    order: int
    template: str
    loader: Callable[[object], dict | None]


PANELS: list[Panel] = []


def register_panel(order: int, template: str, loader: Callable[[object], dict | None]) -> None:
    """Add a panel (lower `order` shows first); registering the same template again replaces
    it (apps are created many times in tests)."""
    PANELS[:] = [p for p in PANELS if p.template != template]
    PANELS.append(Panel(order, template, loader))
    PANELS.sort(key=lambda p: p.order)
