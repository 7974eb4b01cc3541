"""Groups of contacts that domains built on people define ("the people at a coalition's
member organizations"), offered as one more filter wherever contacts are filtered: the
People list's query and the invite builder take `group=<kind>:<id>`.

`register_contact_group(kind, label, choices, members)`: `choices()` lists the groups of
that kind as (id, name); `members(id)` is a one-column SELECT of their contact ids. Register
from the domain's `init_app` (the same kind again replaces the earlier one). People knows
nothing else about the domains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select


@dataclass(frozen=True)
class GroupKind:
    kind: str
    label: str
    choices: Callable[[], list[tuple[int, str]]]
    members: Callable[[int], Select]


KINDS: dict[str, GroupKind] = {}


def register_contact_group(kind: str, label: str, choices: Callable[[], list[tuple[int, str]]],
                           members: Callable[[int], Select]) -> None:
    """Offer a kind of contact group (e.g. "coalition") as a filter."""
    KINDS[kind] = GroupKind(kind, label, choices, members)


def group_choices() -> list[tuple[str, str]]:
    """Every group, as (value, label) for a select: ("coalition:3", "Coalition: RHRC")."""
    return [(f"{k.kind}:{i}", f"{k.label}: {name}") for k in KINDS.values()
            for i, name in k.choices()]


def group_condition(value: str | None, id_column) -> ColumnElement[bool] | None:
    """`id_column` IN the group's contacts, for a value such as "coalition:3"; None for a
    blank or unknown one (ignored, as the list's other filters ignore theirs)."""
    kind, _, key = (value or "").partition(":")
    if kind not in KINDS or not (key.isascii() and key.isdigit() and len(key) < 10):
        return None
    return id_column.in_(KINDS[kind].members(int(key)))
