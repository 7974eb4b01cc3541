"""What goes in each staff member's morning digest: each domain registers a section.

A section loader is `fn(user, today) -> DigestSection | None`: a title and its lines of plain
text for this user today (None, or no lines, when it has nothing to say). Register it from
the domain's `init_app` with `register_digest_section(order, name, loader)`; lower `order`
comes first, and registering a name again replaces the earlier loader (apps are created many
times in tests). Events sends the digest (`flask digest send`, app/events/reminders.py):
one message per user with at least one section, once a day. A loader decides what `user`
may see, as feed sources and page sections do.

Today: events (commitments due, events this week) and coalitions (renewals and deadlines
within 30 days, for whom they fall to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.auth.models import User


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: list[str]


DigestLoader = Callable[[User, date], DigestSection | None]
SECTIONS: dict[str, tuple[int, DigestLoader]] = {}


def register_digest_section(order: int, name: str, loader: DigestLoader) -> None:
    """Add (or replace) the digest section called `name`."""
    SECTIONS[name] = (order, loader)


def digest_sections(user: User, today: date) -> list[DigestSection]:
    """Every section with something to say to `user` today, in order."""
    found = []
    for _order, loader in sorted(SECTIONS.values(), key=lambda entry: entry[0]):
        section = loader(user, today)
        if section is not None and section.lines:
            found.append(section)
    return found
