"""Password storage and policy, and changing one's own password."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.low_level import Type

from app.auth import passwords
from app.extensions import db
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_user


def test_hashes_are_argon2id_at_owasp_parameters():
    hashed = passwords.hash_password("a perfectly fine passphrase")
    params = PasswordHasher().check_needs_rehash  # noqa: F841  (just proving the lib parses it)
    assert hashed.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in hashed
    assert passwords.hasher.type is Type.ID


def test_policy():
    assert passwords.problem("short") is not None
    assert passwords.problem("password1234") is not None  # on the common list
    assert passwords.problem("aaaaaaaaaaaaaaa") is not None
    assert passwords.problem("dana@example.org", email="dana@example.org") is not None
    assert passwords.problem("river stones and blue kettles") is None
    assert passwords.problem("alllowercasenodigits") is None  # no composition rules


def test_change_password(app):
    user = make_user()
    db.session.commit()
    client = app.test_client()
    sign_in(client, user)
    bad = client.post("/account/password", data={
        "current_password": "wrong one entirely", "new_password": "x", "confirm": "y"})
    assert bad.status_code == 422
    assert b"At least 12 characters" in bad.data or b"Use at least 12" in bad.data
    ok = client.post("/account/password", data={
        "current_password": PASSWORD,
        "new_password": "river stones and blue kettles",
        "confirm": "river stones and blue kettles",
    })
    assert ok.status_code == 303
    assert client.get("/").status_code == 200  # this session continues
    db.session.refresh(user)
    assert passwords.verify(user.password_hash, "river stones and blue kettles")
    assert user.session_version == 2


def test_must_change_password_blocks_other_pages(app):
    user = make_user(must_change_password=True)
    db.session.commit()
    client = app.test_client()
    sign_in(client, user)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
