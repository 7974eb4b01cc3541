"""Issue 14.7: one-time passwords (a new colleague's, an admin's reset) read aloud easily,
carry enough entropy, and signing in with one goes straight to choosing a password without
typing it again."""

from __future__ import annotations

import math
import re

from sqlalchemy import select

from app.auth import services
from app.auth.models import User
from app.extensions import db
from tests.factories import make_user
from tests.security.conftest import at, login

SHAPE = re.compile(r"^([a-z]{3,5})-([a-z]{3,5})-([a-z]{3,5})-([a-z]{3,5})-(\d{4})$")
NEW = "my own words for the door 6"


def test_one_time_passwords_are_words_and_digits_with_enough_entropy():
    words = services._words()
    assert len(words) > 1200 and all(w.isalpha() and w.islower() for w in words)
    assert not {"dose", "user", "clean", "junky", "crazy"} & set(words)
    bits = 4 * math.log2(len(words)) + math.log2(10_000)
    assert bits > 50
    samples = {services.temporary_password() for _ in range(200)}
    assert len(samples) == 200
    for sample in samples:
        match = SHAPE.match(sample)
        assert match, sample
        assert all(word in words for word in match.groups()[:4])


def test_a_new_colleague_signs_in_once_and_chooses_a_password(app, as_admin):
    created = as_admin.post("/admin/users/new", data={"name": "Robin Hale",
                                                      "email": "robin@example.org",
                                                      "role": "staff"})
    assert created.status_code == 200
    temporary = re.search(r'<p class="secret"><code>([^<]+)</code>', created.text).group(1)
    assert SHAPE.match(temporary)
    assert "Read it as words and numbers" in created.text
    client = at(app, "198.51.100.1")
    assert login(client, "robin@example.org", temporary).status_code == 303
    landing = client.get("/")
    assert landing.status_code == 302 and landing.headers["Location"] == "/account/password"
    page = client.get("/account/password")
    assert "Choose your password" in page.text
    assert 'name="current_password"' not in page.text  # not asked again
    done = client.post("/account/password", data={"new_password": NEW, "confirm": NEW})
    assert done.status_code == 303
    assert client.get("/").status_code == 200
    db.session.commit()
    user = db.session.scalar(select(User).where(User.email == "robin@example.org"))
    assert not user.must_change_password
    # Now changing it asks for the current one.
    assert 'name="current_password"' in client.get("/account/password").text
    assert client.post("/account/password", data={"new_password": NEW + "!",
                                                  "confirm": NEW + "!"}).status_code == 422


def test_an_admin_reset_works_the_same_way(app, as_admin):
    user = make_user(email="lee@example.org", name="Lee Park")
    db.session.commit()
    reset = as_admin.post(f"/admin/users/{user.id}/reset-password")
    temporary = re.search(r'<p class="secret"><code>([^<]+)</code>', reset.text).group(1)
    assert SHAPE.match(temporary)
    client = at(app, "198.51.100.2")
    assert login(client, "lee@example.org", temporary).status_code == 303
    assert client.post("/account/password", data={"new_password": NEW, "confirm": NEW}
                       ).status_code == 303
    assert login(at(app, "198.51.100.3"), "lee@example.org", temporary).status_code == 422
