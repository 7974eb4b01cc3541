"""Test data: make_<thing>(**overrides) adds a row (flushed, not committed)."""

from __future__ import annotations

import itertools
from functools import cache

from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.extensions import db

PASSWORD = "correct horse battery staple 42"
_seq = itertools.count(1)


@cache
def _password_hash() -> str:
    # argon2 at production cost is slow on purpose; hash the shared test password once.
    return hash_password(PASSWORD)


def make_user(**overrides) -> User:
    n = next(_seq)
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


def make_organization(**overrides):
    from app.people.contacts import save_organization
    from app.people.models import OrgType

    n = next(_seq)
    values = {"name": f"Organization {n}", "type": OrgType.social_service}
    values.update(overrides)
    return save_organization(None, values, None)


def make_contact(**overrides):
    from app.people.contacts import ContactData, create_contact

    n = next(_seq)
    values = {"first_name": "Person", "last_name": f"Number{n}"}
    values.update(overrides)
    return create_contact(ContactData(**values), None)


def make_note(contacts=(), organizations=(), **overrides):
    from datetime import date

    from app.notes.services import log_note
    from app.people.models import Channel

    values = {"occurred_on": date(2026, 1, 15), "channel": Channel.meeting,
              "summary": "Coffee to talk about the program", "body": "", "sensitive": False}
    values.update(overrides)
    author = values.pop("author", None)
    return log_note(values, [c.id for c in contacts], [o.id for o in organizations], author)


def make_commitment(**overrides):
    from datetime import date

    from app.notes.services import create_commitment

    values = {"what": "Send the overdose data summary", "due_on": date(2026, 2, 1)}
    values.update(overrides)
    return create_commitment(values, None)
