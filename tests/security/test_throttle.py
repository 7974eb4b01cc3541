"""Issue 13.3: guessing is throttled per (account, address) and per address; an account that
fails from everywhere only slows the addresses that failed and tells its owner, and never
refuses the right password from an address that hasn't failed. Changing the password and
the two-step code share the same throttle, which lives in the database."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from app.auth import throttle
from app.auth.models import SignInFailure, User
from app.extensions import db
from app.mail.services import deliver_due
from tests.conftest import make_test_app, sign_in
from tests.factories import PASSWORD
from tests.security.conftest import at, body, login, outbox

WRONG = "not the right password at all"


def age_failures(seconds: int) -> None:
    """Move every recorded failure `seconds` into the past (time passing, for the throttle)."""
    db.session.commit()
    for failure in db.session.scalars(select(SignInFailure)):
        failure.at -= timedelta(seconds=seconds)
    db.session.commit()


def test_an_address_that_keeps_failing_is_refused_for_that_account(app, dana):
    attacker = at(app, "203.0.113.5")
    for _ in range(5):
        assert login(attacker, dana.email, WRONG).status_code == 422
        age_failures(120)  # past any slowdown: only the count matters here
    refused = login(attacker, dana.email, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Choose a new password by email" in refused.text
    # The owner, elsewhere, is not held back.
    assert login(at(app, "198.51.100.7"), dana.email, PASSWORD).status_code == 303


def test_an_address_that_fails_across_many_accounts_is_refused(app, dana):
    attacker = at(app, "203.0.113.6")
    for n in range(app.config["SIGNIN_ADDRESS_MAX_FAILURES"]):
        login(attacker, f"someone{n}@example.org", WRONG)
    assert login(attacker, dana.email, PASSWORD).status_code == 429
    assert login(at(app, "198.51.100.7"), dana.email, PASSWORD).status_code == 303


def test_failures_from_everywhere_never_lock_the_owner_out(app, dana):
    """Many addresses guessing: each is slowed once it failed, the owner's is not."""
    for n in range(12):
        assert login(at(app, f"203.0.113.{n}"), dana.email, WRONG).status_code == 422
    # Fresh addresses (the owner at home, at work) sign in at once.
    assert login(at(app, "198.51.100.7"), dana.email, PASSWORD).status_code == 303
    assert login(at(app, "198.51.100.8"), dana.email, PASSWORD).status_code == 303
    # An address that failed waits, even with the right password, and is told how long.
    slowed = login(at(app, "203.0.113.3"), dana.email, PASSWORD)
    assert slowed.status_code == 429
    wait = int(slowed.headers["Retry-After"])
    assert 1 <= wait <= throttle.MAX_DELAY
    assert f"wait {wait} second" in slowed.text
    # Once the delay has passed it may try again.
    age_failures(throttle.MAX_DELAY + 1)
    assert login(at(app, "203.0.113.3"), dana.email, PASSWORD).status_code == 303


def test_the_delay_grows_with_the_accounts_failures(app):
    limit = app.config["SIGNIN_MAX_FAILURES"]
    delays = [throttle.delay(n) for n in range(limit + 10)]
    assert delays[:limit] == [0] * limit
    assert delays[limit:limit + 4] == [1, 2, 4, 8]
    assert max(delays) == throttle.MAX_DELAY
    assert delays == sorted(delays)


def test_unknown_accounts_are_throttled_the_same_way(app, dana):
    """The throttle's answers never say whether an email has an account."""
    known, unknown = at(app, "203.0.113.20"), at(app, "203.0.113.21")
    for _ in range(5):
        login(known, dana.email, WRONG)
        login(unknown, "nobody@example.org", WRONG)
        age_failures(120)
    a, b = login(known, dana.email, WRONG), login(unknown, "nobody@example.org", WRONG)
    assert a.status_code == b.status_code == 429
    assert a.headers["Retry-After"] == b.headers["Retry-After"]


def test_the_owner_is_emailed_once_per_window(app, dana, mailbox):
    for n in range(8):
        login(at(app, f"203.0.113.{n}"), dana.email, WRONG)
    alerts = outbox("auth.failures")
    assert len(alerts) == 1
    assert deliver_due()["sent"] == 1
    (message,) = mailbox.wait_for(1)
    assert [a.addr_spec for a in message["To"].addresses] == [dana.email]
    text = body(message)
    assert "wrong password 5 times" in text and "from 5 different addresses" in text
    assert "not locked" in text
    assert "203.0.113" not in text  # no addresses in mail
    # A new window, a new email.
    db.session.get(User, dana.id).failure_alert_at -= timedelta(hours=1)
    age_failures(60)
    login(at(app, "203.0.113.99"), dana.email, WRONG)
    assert len(outbox("auth.failures")) == 2


def test_unknown_and_inactive_accounts_get_no_email(app, dana):
    dana.active = False
    db.session.commit()
    for n in range(6):
        login(at(app, f"203.0.113.{n}"), dana.email, WRONG)
        login(at(app, f"203.0.113.{n}"), "nobody@example.org", WRONG)
    assert outbox("auth.failures") == []


def test_changing_the_password_shares_the_throttle(app, dana):
    client = at(app, "198.51.100.30")
    sign_in(client, dana)
    data = {"current_password": WRONG, "new_password": "a brand new passphrase 7",
            "confirm": "a brand new passphrase 7"}
    for _ in range(5):
        assert client.post("/account/password", data=data).status_code == 422
        age_failures(120)
    assert client.post("/account/password", data={**data, "current_password": PASSWORD}
                       ).status_code == 429
    account = throttle.account_key(dana.email)
    assert db.session.scalar(select(func.count()).select_from(SignInFailure)
                             .where(SignInFailure.account == account)) == 5
    # The same count holds back signing in to that account from that address.
    assert login(at(app, "198.51.100.30"), dana.email, PASSWORD).status_code == 429


def test_two_step_codes_share_the_throttle(app, dana):
    dana.totp_secret, dana.totp_enabled_at = pyotp.random_base32(), db.func.now()
    db.session.commit()
    client = at(app, "198.51.100.40")
    for _ in range(5):
        assert login(client, dana.email, PASSWORD).status_code == 303
        assert client.post("/login/two-factor", data={"code": "000000"}).status_code == 422
        age_failures(120)
    assert login(client, dana.email, PASSWORD).status_code == 429


def test_the_count_is_shared_by_every_app_server(app, dana, app_config):
    """Two app instances (two servers) on one database see one count."""
    other = make_test_app(app_config)
    for _ in range(3):
        login(at(app, "203.0.113.50"), dana.email, WRONG)
        age_failures(120)
    for _ in range(2):
        login(at(other, "203.0.113.50"), dana.email, WRONG)
        age_failures(120)
    assert login(at(app, "203.0.113.50"), dana.email, PASSWORD).status_code == 429
    assert login(at(other, "203.0.113.50"), dana.email, PASSWORD).status_code == 429


@pytest.mark.parametrize("guesses", [24])
def test_a_burst_of_parallel_guesses_is_counted_exactly(app, dana, live_server, guesses):
    """Simultaneous guesses from one address: no more than the limit is ever checked."""
    start = threading.Barrier(guesses)
    statuses: list[int] = []
    form = urllib.parse.urlencode({"email": dana.email, "password": WRONG}).encode()

    def guess() -> None:
        body = form
        start.wait()
        try:
            urllib.request.urlopen(live_server + "/login", data=body, timeout=60)  # noqa: S310
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)

    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = statuses.count(422)
    assert 1 <= checked <= app.config["SIGNIN_MAX_FAILURES"]
    assert statuses.count(429) == guesses - checked
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == checked


def test_old_failures_expire_and_purge_removes_them(app, dana):
    for _ in range(5):
        login(at(app, "203.0.113.70"), dana.email, WRONG)
    window = app.config["SIGNIN_WINDOW_MINUTES"] * 60
    age_failures(window + 1)
    assert login(at(app, "203.0.113.70"), dana.email, PASSWORD).status_code == 303
    assert "Deleted" in throttle.expire()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 0
