"""Reading and writing settings."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.settings.models import Setting


def get(key: str, default: Any = None) -> Any:
    """The stored value of `key`, or `default`."""
    row = db.session.get(Setting, key)
    return default if row is None else row.value


def put(key: str, value: Any) -> None:
    """Store `value` under `key` (flushes, never commits)."""
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()


def delete(key: str) -> None:
    """Forget `key`."""
    row = db.session.get(Setting, key)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
