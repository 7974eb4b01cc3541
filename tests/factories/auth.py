"""Auth test data: users, all signing in with the one shared test password."""

from __future__ import annotations

from functools import cache

from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.extensions import db
from tests.factories.sequence import next_n

PASSWORD = "correct horse battery staple 42"


@cache
def _password_hash() -> str:
    # argon2 at production cost is slow on purpose; hash the shared test password once.
    return hash_password(PASSWORD)


def make_user(**overrides) -> User:
    n = next_n()
    values = {
        "email": f"user{n}@example.org",
        "name": f"Test User {n}",
        "role": Role.staff,
        "password_hash": _password_hash(),
    }
    values.update(overrides)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    return user
