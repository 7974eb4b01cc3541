"""Accounts, sign-in with throttling, and the one-time setup code."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from app.audit.services import record
from app.auth import passwords
from app.auth.models import Role, SignInFailure, User
from app.database import utcnow
from app.extensions import db
from app.settings import services as settings
from app.system.words import plural

log = logging.getLogger("liaison.setup")

SETUP_CODE_KEY = "setup_code_sha256"


class PasswordRejected(ValueError):
    """The password does not meet the policy; str(exc) says why, for the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def has_users() -> bool:
    return db.session.scalar(select(func.count()).select_from(User)) > 0


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    must_change_password: bool = False,
    actor: User | None = None,
) -> User:
    """Add an account; the password must pass the policy."""
    why = passwords.problem(password, email=email, name=name)
    if why:
        raise PasswordRejected(why)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=Role(role),
        password_hash=passwords.hash_password(password),
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    record("user.created", f"Added {user.name} as {user.role.label}", user, actor=actor)
    return user


def temporary_password() -> str:
    """A one-time password an admin hands to a new colleague (changed at first sign-in)."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


# --- signing in -------------------------------------------------------------------------


def _account_key(email: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, normalise_email(email).encode(), hashlib.sha256).hexdigest()


def is_throttled(ip: str, email: str) -> bool:
    """True once there have been too many recent failures from this IP or for this account."""
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["SIGNIN_WINDOW_MINUTES"])
    failures = db.session.scalar(
        select(func.count())
        .select_from(SignInFailure)
        .where(SignInFailure.at >= since)
        .where(or_(SignInFailure.ip == ip, SignInFailure.account == _account_key(email)))
    )
    return failures >= cfg["SIGNIN_MAX_FAILURES"]


def expire_sign_in_failures(now: datetime | None = None) -> str:
    """Delete failed sign-ins older than the throttle window: they no longer count."""
    since = (now or utcnow()) - timedelta(
        minutes=current_app.config["SIGNIN_WINDOW_MINUTES"])
    gone = db.session.execute(delete(SignInFailure).where(SignInFailure.at < since)).rowcount
    db.session.flush()
    return f"Deleted {plural(gone, 'old failed sign-in')}."


def authenticate(email: str, password: str, ip: str) -> User | None:
    """The active user with these credentials, or None (recording the failure)."""
    user = find_user(email)
    ok = passwords.verify(user.password_hash if user else None, password)
    if ok and user is not None and user.active:
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
        user.last_sign_in_at = utcnow()
        account = _account_key(email)
        db.session.execute(delete(SignInFailure).where(SignInFailure.account == account))
        record("auth.signed_in", f"{user.name} signed in", user, actor=user)
        return user
    note_failure(ip, email, user)
    return None


def note_failure(ip: str, email: str, user: User | None = None) -> None:
    """Count a failed attempt (sign-in or setup code) toward the throttle, and audit it."""
    db.session.add(SignInFailure(at=utcnow(), ip=ip, account=_account_key(email)))
    target = f"account of {user.name}" if user else "an unknown account"
    if email == "setup":
        target = "the setup page"
    record("auth.sign_in_failed", f"Failed sign-in for {target}", user, actor=None)


def change_password(user: User, new_password: str, *, actor: User | None = None) -> None:
    """Set a new password and sign the user out of every other session."""
    why = passwords.problem(new_password, email=user.email, name=user.name)
    if why:
        raise PasswordRejected(why)
    user.password_hash = passwords.hash_password(new_password)
    user.must_change_password = actor is not None and actor.id != user.id
    user.session_version += 1
    record("user.password_changed", f"Password changed for {user.name}", user, actor=actor or user)


def update_user(user: User, *, name: str, role: Role, active: bool, actor: User) -> None:
    """Change a colleague's name, role or access; role and access changes end their sessions."""
    changes = []
    if user.name != name.strip():
        changes.append("name")
        user.name = name.strip()
    if user.role != role:
        changes.append(f"role {user.role.value} → {role.value}")
        user.role = role
    if user.active != active:
        changes.append("reactivated" if active else "deactivated")
        user.active = active
    if any(c != "name" for c in changes):
        user.session_version += 1
    if changes:
        record("user.updated", f"{user.name}: {', '.join(changes)}", user, actor=actor)


def sign_out_everywhere(user: User) -> None:
    """Invalidate every session of `user` (used at sign-out)."""
    user.session_version += 1


def last_active_admin(user: User) -> bool:
    """True if `user` is the only active admin (who must not be demoted or deactivated)."""
    if user.role != Role.admin or not user.active:
        return False
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.admin, User.active.is_(True), User.id != user.id)
    )
    return others == 0


# --- first run ----------------------------------------------------------------------------


def _digest(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def issue_setup_code() -> str:
    """Make a new one-time setup code, print it on the server console and return it."""
    raw = secrets.token_hex(6).upper()
    code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    settings.put(SETUP_CODE_KEY, _digest(code))
    log.warning("Liaison setup code: %s  (enter it at /setup to create the first admin)", code)
    return code


def ensure_setup_code() -> bool:
    """Issue a setup code unless one is waiting; True if a new one was printed."""
    if settings.get(SETUP_CODE_KEY):
        return False
    issue_setup_code()
    return True


def check_setup_code(code: str) -> bool:
    stored = settings.get(SETUP_CODE_KEY)
    return bool(stored) and hmac.compare_digest(stored, _digest(code))


def complete_setup(*, email: str, name: str, password: str) -> User:
    """Create the first admin and retire the setup code."""
    user = create_user(email=email, name=name, role=Role.admin, password=password)
    settings.delete(SETUP_CODE_KEY)
    record("setup.completed", f"First admin {user.name} created", user, actor=user)
    return user
