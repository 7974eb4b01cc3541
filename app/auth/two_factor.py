"""Two-step sign-in: time-based codes from an authenticator app (TOTP, RFC 6238, with
pyotp), ten single-use recovery codes, and the admin setting that requires it for admins and
liaisons."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, func, select, update

from app.audit.services import record
from app.auth.models import RecoveryCode, Role, User
from app.database import utcnow
from app.extensions import db
from app.settings import services as settings

REQUIRED_KEY = "two_factor_required"
REQUIRED_ROLES = (Role.admin, Role.liaison)
RECOVERY_CODES = 10
# Crockford's base32: no I, L, O or U, so a code reads aloud and types back without doubt.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_STEP = 30  # seconds per code


# --- the organization's rule ------------------------------------------------------------------


def required() -> bool:
    """Whether admins and liaisons must use two-step sign-in (an admin's setting)."""
    return bool(settings.get(REQUIRED_KEY, False))


def set_required(value: bool, actor: User) -> None:
    """Turn the requirement on or off (audited)."""
    if value == required():
        return
    settings.put(REQUIRED_KEY, bool(value))
    record("settings.two_factor", "Required two-step sign-in for admins and liaisons" if value
           else "Stopped requiring two-step sign-in", None, actor)


def required_for(user: User) -> bool:
    """Whether `user`'s role must use two-step sign-in."""
    return user.role in REQUIRED_ROLES and required()


def must_enroll(user: User) -> bool:
    """Whether `user` must set up two-step sign-in before doing anything else."""
    return required_for(user) and not user.two_factor_enabled


# --- setting it up ---------------------------------------------------------------------------


def start_enrollment(user: User) -> None:
    """Make a new secret for `user` to scan; it takes effect once they confirm a code."""
    user.totp_pending_secret = pyotp.random_base32()
    db.session.flush()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=settings.org_name())


def qr_data_uri(user: User, secret: str) -> str:
    """The QR code of the provisioning link, drawn here as an SVG data URI (no request leaves
    the page, and the Content-Security-Policy allows data: images)."""
    qr = segno.make(provisioning_uri(user, secret), error="m")
    return qr.svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def confirm_enrollment(user: User, code: str) -> list[str] | None:
    """Turn two-step sign-in on if `code` matches the pending secret; returns the new
    recovery codes (shown once), or None when the code is wrong."""
    secret = user.totp_pending_secret
    if not secret:
        return None
    step = _matching_step(secret, code, after=None)
    if step is None:
        return None
    user.totp_secret, user.totp_pending_secret = secret, None
    user.totp_enabled_at, user.totp_last_step = utcnow(), step
    codes = new_recovery_codes(user)
    record("auth.two_factor_on", f"{user.name} turned on two-step sign-in", user, actor=user)
    return codes


def turn_off(user: User, actor: User) -> None:
    """Remove the second step (and its recovery codes); audited. Used by the owner (after
    their password) and by an admin resetting a colleague who lost their phone."""
    user.totp_secret = user.totp_pending_secret = None
    user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    if actor.id == user.id:
        record("auth.two_factor_off", f"{user.name} turned off two-step sign-in", user, actor)
    else:
        user.session_version += 1  # whoever holds their sessions must sign in again
        record("auth.two_factor_reset", f"Reset two-step sign-in for {user.name}", user, actor)
    db.session.flush()


# --- codes -----------------------------------------------------------------------------------


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step (now, or one either side for clock drift) whose code is `code`, if it
    is later than `after` (a code works once)."""
    digits = "".join(ch for ch in code if not ch.isspace())
    if not (len(digits) == 6 and digits.isascii() and digits.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // _STEP
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(totp.at(step * _STEP), digits) and (after is None or step > after):
            return step
    return None


def verify(user: User, code: str) -> str | None:
    """Check a sign-in code: "app" for an authenticator code, "recovery" for a recovery code
    (now used up), None for neither. An authenticator code works once."""
    if not user.totp_secret:
        return None
    step = _matching_step(user.totp_secret, code, after=user.totp_last_step)
    if step is not None:
        # Conditional, so two requests racing with the same code can't both win.
        won = db.session.execute(
            update(User).where(User.id == user.id)
            .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False)
        ).rowcount
        if won == 1:
            user.totp_last_step = step
            return "app"
        return None
    normalised = normalise_recovery_code(code)
    if normalised is None:
        return None
    used = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
               RecoveryCode.code_hash == _hash(normalised))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if used:
        record("auth.recovery_code_used", f"{user.name} signed in with a recovery code", user,
               actor=user)
        return "recovery"
    return None


def normalise_recovery_code(code: str) -> str | None:
    """A typed recovery code in its stored shape (upper case, no spaces or dashes; O read as
    0 and I/L as 1, as Crockford's base32 does), or None if it cannot be one."""
    text = "".join(ch for ch in (code or "").upper() if ch not in " -\t")
    text = text.translate(str.maketrans("OIL", "011"))
    if len(text) != 12 or any(ch not in _ALPHABET for ch in text):
        return None
    return text


def _hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace `user`'s recovery codes with ten new ones; returns them (shown once: only
    their hashes are kept)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(12)) for _ in range(RECOVERY_CODES)]
    db.session.add_all([RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes])
    db.session.flush()
    return [f"{c[:4]}-{c[4:8]}-{c[8:]}" for c in codes]


def replace_recovery_codes(user: User) -> list[str]:
    """New recovery codes at the owner's request (the old ones stop working); audited."""
    codes = new_recovery_codes(user)
    record("auth.recovery_codes", f"{user.name} made new recovery codes", user, actor=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0
