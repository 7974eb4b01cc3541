"""Issue 13.4: password reset by email. The link's token is single-use, expires and is kept
only as a hash; asking never reveals whether an email has an account (same status, page
and redirect, mail only to real accounts); a reset signs out every other session."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.mail.services import deliver_due
from tests.conftest import sign_in
from tests.factories import PASSWORD
from tests.security.conftest import at, body, login, outbox

NEW = "river otter lantern 2931"


def ask(client, email: str):
    return client.post("/login/forgot", data={"email": email})


def link_in(message) -> str:
    return re.search(r"http://\S+/login/reset/(\S+)", body(message)).group(0)


def path_of(url: str) -> str:
    return url.split("localhost:5000", 1)[1] if "localhost:5000" in url else url


def test_the_answer_is_the_same_for_every_address(app, dana):
    dana_page, nobody_page = ask(at(app, "198.51.100.1"), dana.email), \
        ask(at(app, "198.51.100.2"), "nobody@example.org")
    assert dana_page.status_code == nobody_page.status_code == 303
    assert dana_page.headers["Location"] == nobody_page.headers["Location"] == \
        "/login/forgot/sent"
    sent = at(app, "198.51.100.1").get("/login/forgot/sent").text
    assert "If that address belongs to an account" in sent
    # Mail went to the account only.
    (message,) = outbox("auth.password_reset")
    assert [a.addr_spec for a in message["To"].addresses] == [dana.email]


def test_inactive_accounts_get_no_mail(app, dana):
    dana.active = False
    db.session.commit()
    assert ask(at(app, "198.51.100.1"), dana.email).status_code == 303
    assert outbox("auth.password_reset") == []


def test_the_emailed_link_sets_a_new_password_once(app, dana, mailbox):
    other_device = at(app, "198.51.100.3")
    sign_in(other_device, dana)
    assert ask(at(app, "198.51.100.1"), dana.email.upper()).status_code == 303
    assert deliver_due()["sent"] == 1
    (message,) = mailbox.wait_for(1)
    url = link_in(message)
    token = url.rsplit("/", 1)[1]
    db.session.commit()
    user = db.session.get(User, dana.id)
    # Only the token's SHA-256 is kept.
    assert user.reset_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(db.session.execute(select(User.__table__)).all())
    client = at(app, "198.51.100.1")
    # Opening the link (as a mail scanner would) changes nothing.
    page = client.get(path_of(url))
    assert page.status_code == 200 and dana.email in page.text
    db.session.commit()
    assert db.session.get(User, dana.id).reset_token_hash is not None
    # A password the policy refuses is a 422 beside the field; nothing is spent.
    weak = client.post(path_of(url), data={"new_password": "short", "confirm": "short"})
    assert weak.status_code == 422 and "at least 12" in weak.text
    done = client.post(path_of(url), data={"new_password": NEW, "confirm": NEW})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    # Spent: the link no longer works.
    assert client.get(path_of(url)).status_code == 404
    assert client.post(path_of(url), data={"new_password": NEW + "x",
                                           "confirm": NEW + "x"}).status_code == 404
    # Every other session ended; the old password is gone, the new one works.
    assert other_device.get("/").status_code == 302
    assert login(at(app, "198.51.100.4"), dana.email, PASSWORD).status_code == 422
    assert login(at(app, "198.51.100.5"), dana.email, NEW).status_code == 303
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"auth.reset_requested", "auth.password_reset"} <= actions
    # The owner hears that it happened.
    assert len(outbox("auth.password_changed")) == 1


def test_links_expire_and_only_the_latest_works(app, dana):
    client = at(app, "198.51.100.1")
    ask(client, dana.email)
    ask(client, dana.email)
    first, second = (path_of(link_in(m)) for m in outbox("auth.password_reset"))
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    db.session.get(User, dana.id).reset_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = client.get(second)
    assert expired.status_code == 404 and "no longer works" in expired.text


def test_asking_again_and_again_floods_nobody(app, dana):
    for n in range(6):
        assert ask(at(app, f"198.51.100.{n}"), dana.email).status_code == 303
    assert len(outbox("auth.password_reset")) == 3  # per account, per hour
    flood = at(app, "203.0.113.9")
    statuses = [ask(flood, f"x{n}@example.org").status_code for n in range(11)]
    assert statuses[:10] == [303] * 10 and statuses[10] == 429


def test_an_admin_reset_or_self_change_also_spends_the_link(app, dana, as_admin):
    ask(at(app, "198.51.100.1"), dana.email)
    (message,) = outbox("auth.password_reset")
    assert as_admin.post(f"/admin/users/{dana.id}/reset-password").status_code == 200
    assert at(app, "198.51.100.1").get(path_of(link_in(message))).status_code == 404


@pytest.mark.parametrize("token", ["x", "é" * 40, "%00", "a" * 500, "../../etc/passwd",
                                   "<script>alert(1)</script>"])
def test_malformed_links_are_404(app, dana, token):
    client = at(app, "198.51.100.1")
    assert client.get(f"/login/reset/{token}").status_code in (400, 404)  # NUL: 400
    assert client.post(f"/login/reset/{token}", data={"new_password": NEW,
                                                      "confirm": NEW}).status_code in (400, 404)


def test_forgot_form_validates(app):
    client = at(app, "198.51.100.1")
    bad = client.post("/login/forgot", data={"email": "not an email"})
    assert bad.status_code == 422 and "Enter an email address like" in bad.text
    assert client.post("/login/forgot", data={}).status_code == 422
