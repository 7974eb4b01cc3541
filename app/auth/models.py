"""Staff accounts and the sign-in failures that throttle guessing."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, str_enum, utcnow
from app.extensions import db


class Role(enum.StrEnum):
    """What a staff member may do; see PRODUCT.md."""

    admin = "admin"
    liaison = "liaison"
    staff = "staff"

    @property
    def label(self) -> str:
        return {"admin": "Admin", "liaison": "Liaison", "staff": "Staff"}[self.value]


class User(UserMixin, db.Model):
    """A person who signs in. Sessions name the user *and* a version, so bumping
    `session_version` signs the user out everywhere."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(
        str_enum(Role, 16), default=Role.staff
    )
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def audit_label(self) -> str:
        """The name the audit trail keeps for this row (app.audit.services.record)."""
        return self.name

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def can(self, *roles: Role | str) -> bool:
        """True if this user holds one of `roles`; admin holds them all."""
        return self.role == Role.admin or self.role in {Role(r) for r in roles}

    @property
    def sees_sensitive(self) -> bool:
        return self.role in (Role.admin, Role.liaison)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class SignInFailure(db.Model):
    """One failed sign-in. Counted per IP and per account to throttle guessing; the
    email is stored only as a keyed hash, since people type passwords into it."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_ip_at", "ip", "at"),
        Index("ix_sign_in_failures_account_at", "account", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(String(64))
