"""Accounts, signing in (throttled by app/auth/throttle.py), passwords and re-authentication,
readable one-time passwords, and the one-time setup code."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select

from app.audit.services import record
from app.auth import passwords, throttle
from app.auth.models import Role, User
from app.database import utcnow
from app.extensions import db
from app.people import phones
from app.settings import services as settings

log = logging.getLogger("liaison.setup")

SETUP_CODE_KEY = "setup_code_sha256"


class PasswordRejected(ValueError):
    """The password does not meet the policy; str(exc) says why, for the person."""


normalise_email = throttle.normalise_email


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


# Words that read wrong in a harm reduction program (or anywhere), left out of one-time
# passwords that someone reads to a colleague over the phone.
_UNSAID = frozenset([
    "acid", "agony", "aids", "arson", "bully", "chump", "clean", "coke", "coma", "crank",
    "crazy", "cult", "dose", "drown", "evict", "evil", "fetal", "filth", "fool", "geek",
    "gore", "grave", "grope", "hate", "islam", "junky", "mardi", "nerd", "pagan", "panic",
    "panty", "polio", "prude", "rabid", "riot", "santa", "scam", "score", "sect", "slain",
    "slob", "slum", "speed", "stash", "theft", "thong", "trump", "tweak", "user", "virus",
    "widow", "wimp", "womb",
])


@cache
def _words() -> tuple[str, ...]:
    """The EFF's short word list (1,296 common words of 3 to 5 letters, chosen to be easy to
    say and spell, shipped by xkcdpass), less the few above."""
    from xkcdpass import xkcd_password

    words = xkcd_password.generate_wordlist(
        wordfile=xkcd_password.locate_wordfile("eff-short"), min_length=3, max_length=5)
    return tuple(sorted({w for w in words if w.isascii() and w.isalpha()} - _UNSAID))


def temporary_password() -> str:
    """A one-time password an admin reads to a colleague: four common words and four digits,
    like `tulip-anchor-river-maple-9421` (about 54 random bits); changed at first sign-in."""
    words = _words()
    return "-".join([*(secrets.choice(words) for _ in range(4)),
                     f"{secrets.randbelow(10_000):04d}"])


# --- signing in -------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInTry:
    """A sign-in try, counted as failed until its password proves right (`settle_sign_in`)."""

    email: str
    ip: str
    user_id: int | None
    password_hash: str | None  # what the password is checked against (None: no such account)
    failure_id: int


def start_sign_in(email: str, ip: str) -> SignInTry:
    """Count a sign-in try as failed before its password is checked. The caller asked
    `throttle.check` in this transaction and commits it before checking the password with
    `passwords.verify(attempt.password_hash, …)`: argon2 is slow on purpose, and on SQLite a
    sign-in's transaction holds the database's write lock (BEGIN IMMEDIATE), so many wrong
    passwords at once would keep every other writer waiting past its busy timeout. Counted
    first, tries at once still see each other: the throttle stays exact."""
    user = find_user(email)
    return SignInTry(email=email, ip=ip, user_id=user.id if user else None,
                     password_hash=user.password_hash if user else None,
                     failure_id=throttle.counted(ip, email))


def settle_sign_in(attempt: SignInTry, password: str, right: bool) -> User | None:
    """The active user the try signs in (its count withdrawn), or None (it stays counted,
    audited, and the owner told when their account keeps failing). In a new transaction,
    after the check: an account changed meanwhile (deactivated, a new password) fails."""
    user = db.session.get(User, attempt.user_id) if attempt.user_id is not None else None
    if not (right and user is not None and user.active
            and user.password_hash == attempt.password_hash):
        throttle.failed(attempt.ip, attempt.email, user, counted=True)
        return None
    throttle.withdrawn(attempt.failure_id)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if not user.two_factor_enabled:
        # With a second step, the slate is wiped only once that passes too: a password that
        # is right must not buy more guesses at the code.
        throttle.succeeded(attempt.ip, attempt.email)
    return user


def signed_in(user: User) -> None:
    """Note a completed sign-in (after the second step, when there is one)."""
    user.last_sign_in_at = utcnow()
    record("auth.signed_in", f"{user.name} signed in", user, actor=user)


def confirm_password(user: User, password: str, ip: str, what: str) -> bool:
    """Re-authentication (changing the password, turning two-step sign-in off, new recovery
    codes): True if `password` is the user's; a wrong one counts toward the same throttle as
    signing in. The caller asked `throttle.check` first."""
    if passwords.verify(user.password_hash, password):
        return True
    throttle.failed(ip, user.email, user, what)
    return False


def change_password(user: User, new_password: str, *, actor: User | None = None) -> None:
    """Set a new password, sign the user out of every other session and retire the links
    that stand in for the account (their private calendar feed)."""
    why = passwords.problem(new_password, email=user.email, name=user.name)
    if why:
        raise PasswordRejected(why)
    user.password_hash = passwords.hash_password(new_password)
    user.must_change_password = actor is not None and actor.id != user.id
    user.session_version += 1
    user.link_version += 1
    user.reset_token_hash = user.reset_expires_at = None  # a reset link dies with the password
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
        user.link_version += 1  # e.g. a deactivated colleague's calendar link stops working
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


def complete_setup(*, email: str, name: str, password: str,
                   organization: dict[str, str] | None = None) -> User:
    """Create the first admin, name the organization (name, timezone, public_address,
    media_line; phone numbers are then read in the time zone's country) and retire the
    setup code."""
    user = create_user(email=email, name=name, role=Role.admin, password=password)
    if organization:
        settings.save_organization(
            name=organization["name"], timezone=organization["timezone"],
            region=phones.region_for_zone(organization["timezone"]),
            public_address=organization.get("public_address") or "",
            media_line=organization.get("media_line") or "")
    settings.delete(SETUP_CODE_KEY)
    record("setup.completed", f"First admin {user.name} created", user, actor=user)
    return user
