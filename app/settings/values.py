"""The program's values: an ordered list admins keep on the Settings page, which partners'
alignment is assessed against. Verbs flush, never commit."""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit.services import record
from app.extensions import db
from app.settings.models import ProgramValue

# The field guidance's values, which the list starts as (migration 0011 writes the same).
GUIDANCE_VALUES = (
    "Compassion",
    "Non-judgment of people and their behavior",
    "Reducing shame, bias and stigma",
    "Science and peer-reviewed evidence",
    "Recognizing trauma and cultural barriers (racism, sexism, classism)",
    "Cultural humility",
    "Equity",
    "Service",
    "Personal autonomy",
    "Meaningful empowerment",
    "Transparency",
    "Shared responsibility",
)


class ValuesError(ValueError):
    """A change to the list that can't be made (the message says why)."""


def all_values() -> list[ProgramValue]:
    """Every value in order, retired ones included (for the Settings page)."""
    return list(db.session.scalars(
        select(ProgramValue).order_by(ProgramValue.active.desc(), ProgramValue.position,
                                      ProgramValue.id)))


def active_values() -> list[ProgramValue]:
    """The values partners are assessed against, in order."""
    return list(db.session.scalars(
        select(ProgramValue).where(ProgramValue.active.is_(True))
        .order_by(ProgramValue.position, ProgramValue.id)))


def seed_guidance_values() -> int:
    """Start an empty list as the guidance's twelve (for databases not made by the
    migrations, and the demo); returns how many were added."""
    if db.session.scalar(select(func.count()).select_from(ProgramValue)):
        return 0
    db.session.add_all(ProgramValue(name=name, position=(i + 1) * 10, active=True)
                       for i, name in enumerate(GUIDANCE_VALUES))
    db.session.flush()
    return len(GUIDANCE_VALUES)


def _taken(name: str, except_id: int | None = None) -> bool:
    query = select(ProgramValue.id).where(func.lower(ProgramValue.name) == name.lower())
    if except_id is not None:
        query = query.where(ProgramValue.id != except_id)
    return db.session.scalar(query.limit(1)) is not None


def add_value(name: str, actor) -> ProgramValue:
    """Add a value at the end of the list."""
    if _taken(name):
        raise ValuesError("That value is already on the list.")
    last = db.session.scalar(select(func.max(ProgramValue.position))) or 0
    value = ProgramValue(name=name, position=last + 10, active=True)
    db.session.add(value)
    db.session.flush()
    record("settings.value_add", f"Added the program value “{name}”", value, actor)
    return value


def rename_value(value: ProgramValue, name: str, actor) -> None:
    """Reword a value; its assessments stay with it."""
    if name == value.name:
        return
    if _taken(name, value.id):
        raise ValuesError("That value is already on the list.")
    old, value.name = value.name, name
    db.session.flush()
    record("settings.value_rename", f"Renamed the program value “{old}” to “{name}”", value,
           actor)


def set_active(value: ProgramValue, active: bool, actor) -> None:
    """Retire a value (its assessments are kept, new ones aren't asked for) or bring it
    back."""
    if value.active == active:
        return
    value.active = active
    db.session.flush()
    record("settings.value_retire" if not active else "settings.value_restore",
           f"{'Retired' if not active else 'Restored'} the program value “{value.name}”",
           value, actor)


def move_value(value: ProgramValue, step: int, actor) -> None:
    """Move a value one place up (step -1) or down (+1) among the active ones."""
    order = active_values()
    if value not in order:
        return
    at = order.index(value)
    to = at + (1 if step > 0 else -1)
    if not 0 <= to < len(order):
        return
    order[at], order[to] = order[to], order[at]
    for i, v in enumerate(order):
        v.position = (i + 1) * 10
    db.session.flush()
    record("settings.value_move", f"Moved the program value “{value.name}” "
           f"{'down' if step > 0 else 'up'}", value, actor)
