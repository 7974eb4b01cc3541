"""Staff accounts, their second factor and password-reset links, and the sign-in failures
that throttle guessing."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
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
    `session_version` signs the user out everywhere; links derived from the account (the
    private calendar feed) name `link_version`, bumped when the account's access changes."""

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_reset_token_hash", "reset_token_hash", unique=True),)

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
    # Bumped on password reset, role change, deactivation and reactivation: every link that
    # stands in for the account (a private calendar feed) is derived from it and so retires.
    link_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Two-step sign-in (TOTP, RFC 6238): the base32 secret once confirmed, a secret being
    # set up, and the last time step used (a code works once).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None]
    # A password-reset link: only its SHA-256 is kept; one at a time, used once.
    reset_token_hash: Mapped[str | None] = mapped_column(String(64))
    reset_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the owner was last told about repeated failed sign-ins (once per window).
    failure_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret is not None

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


class RecoveryCode(db.Model):
    """One of a user's ten single-use codes for signing in without their authenticator.
    Only a SHA-256 of the code is kept (the codes carry 60 random bits)."""

    __tablename__ = "recovery_codes"
    __table_args__ = (Index("ix_recovery_codes_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
