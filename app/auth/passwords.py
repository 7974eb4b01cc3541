"""Password hashing (argon2id at OWASP's parameters) and the password policy."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)

# Verified against when an account is unknown, so both answers take the same time.
_DUMMY_HASH = hasher.hash("not-a-real-password-just-for-timing")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Constant-ish time check; an unknown account still pays for one argon2 run."""
    try:
        return hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher.check_needs_rehash(password_hash)


@cache
def _common() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line)


def problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why `password` is not acceptable, or None. Length and a deny list; no composition rules."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few unrelated words work well."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common() or len(set(lowered)) < 4:
        return "That password is too common or too easy to guess. Try a few unrelated words."
    if email and lowered in {email.lower(), email.lower().split("@")[0]}:
        return "Don't use your email address as your password."
    if name and lowered.replace(" ", "") == name.lower().replace(" ", ""):
        return "Don't use your name as your password."
    return None
