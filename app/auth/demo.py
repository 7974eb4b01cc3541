"""Demo colleagues: the program's liaison and staff (accounts that cannot sign in until an
admin resets their password)."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.extensions import db

TEAM = [
    ("Dana Reyes", "dana.reyes@riverbend-hr.example", Role.liaison),
    ("Marcus Lee", "marcus.lee@riverbend-hr.example", Role.staff),
    ("Priya Natarajan", "priya.natarajan@riverbend-hr.example", Role.staff),
    ("Sam Okafor", "sam.okafor@riverbend-hr.example", Role.liaison),
]


def already_loaded() -> bool:
    return db.session.scalar(select(User.id).where(User.email == TEAM[0][1])) is not None


def seed() -> None:
    """The demo team. Their passwords are random and never shown: nobody can sign in as
    them until an admin resets it, so demo data never opens a door."""
    unusable = hash_password(secrets.token_urlsafe(32))
    for name, email, role in TEAM:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            db.session.add(User(name=name, email=email, role=role, password_hash=unusable))


def scale(n: int) -> dict[str, int]:
    """Benchmarks need owners for the contacts they build."""
    if not already_loaded():
        seed()
        db.session.flush()
    return {"users": len(TEAM)}


def team() -> list[User]:
    """The demo colleagues, for other domains' demo data to assign as owners and authors."""
    return list(db.session.scalars(select(User).where(User.email.in_([e for _, e, _ in TEAM]))))
