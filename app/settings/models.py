"""Organization-wide settings stored as small JSON values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Setting(db.Model):
    """One named setting (e.g. "keep_in_touch", "setup_code")."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class ProgramValue(db.Model):
    """One of the program's values (edited on the Settings page). Partners' alignment is
    assessed against each; a retired value keeps its assessments but is not asked again."""

    __tablename__ = "program_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)
