"""Throttling password guesses without letting anyone lock the owner out.

Every failed sign-in, password confirmation (changing the password, turning two-step sign-in
off, new recovery codes) and two-step code is one `SignInFailure` row: the address it came
from and a keyed hash of the account's email. Within the window (SIGNIN_WINDOW_MINUTES):

- an address that failed SIGNIN_MAX_FAILURES times for one account may not try that account
  again (429), and one that failed SIGNIN_ADDRESS_MAX_FAILURES times in all may not try any;
- an account that failed SIGNIN_MAX_FAILURES times across all addresses is *slowed*, never
  locked: an address that has already failed for it must wait a delay that doubles with each
  further failure (up to MAX_DELAY) before its next try, and the owner is emailed once per
  window. An address that has not failed for the account is never held back, so the right
  password from the owner's own device always works, whatever an attacker does elsewhere.

The rows live in the database, so every app server shares one count; `check` takes
per-address locks on PostgreSQL (SQLite serializes writing requests), so a burst of
parallel guesses from one address is counted exactly.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import case, delete, func, or_, select, update

from app.audit.services import record
from app.auth.models import SignInFailure, User
from app.database import utcnow
from app.extensions import db
from app.mail import services as mail
from app.ratelimit import serialize
from app.settings import services as settings
from app.system.urls import external_url
from app.system.words import plural

MAX_DELAY = 60  # seconds: the longest an address that failed waits between tries


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def account_key(email: str) -> str:
    """The stored form of an account's email: keyed, since people type passwords into it."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, normalise_email(email).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What the throttle says about one more try: refused outright (this address failed too
    often), or to wait `wait` seconds first (the account is under attack and this address
    failed for it recently). Neither: go ahead."""

    refused: bool = False
    wait: int = 0

    @property
    def allowed(self) -> bool:
        return not self.refused and not self.wait

    @property
    def retry_after(self) -> int:
        """Seconds to put in a 429's Retry-After header."""
        return self.wait or current_app.config["SIGNIN_WINDOW_MINUTES"] * 60


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["SIGNIN_WINDOW_MINUTES"])


def delay(account_failures: int) -> int:
    """Seconds an address that failed waits, once the account has this many failures: 0
    below the limit, then 1, 2, 4 … up to MAX_DELAY."""
    over = account_failures - current_app.config["SIGNIN_MAX_FAILURES"]
    if over < 0:
        return 0
    return min(2 ** min(over, 16), MAX_DELAY)


def check(ip: str, email: str, now: datetime | None = None) -> Verdict:
    """May `ip` try a password (or code) for `email` now? One statement; on PostgreSQL it
    also takes this address's locks until the transaction ends, so record the outcome
    (`failed`/`succeeded`) before committing."""
    cfg = current_app.config
    now = now or utcnow()
    account = account_key(email)
    serialize([f"signin|{ip}", f"signin|{ip}|{account}"])
    pair = (SignInFailure.ip == ip) & (SignInFailure.account == account)
    row = db.session.execute(
        select(func.count(case((pair, 1))),
               func.count(case((SignInFailure.ip == ip, 1))),
               func.count(case((SignInFailure.account == account, 1))),
               func.max(case((pair, SignInFailure.at))))
        .where(SignInFailure.at >= now - _window())
        .where(or_(SignInFailure.ip == ip, SignInFailure.account == account))
    ).one()
    from_here, from_address, for_account, last_here = row
    if from_here >= cfg["SIGNIN_MAX_FAILURES"] or \
            from_address >= cfg["SIGNIN_ADDRESS_MAX_FAILURES"]:
        return Verdict(refused=True)
    if from_here and last_here is not None:
        if last_here.tzinfo is None:  # SQLite's max() hands back the stored naive UTC
            last_here = last_here.replace(tzinfo=now.tzinfo)
        ready = last_here + timedelta(seconds=delay(for_account))
        if ready > now:
            return Verdict(wait=max(1, int((ready - now).total_seconds() + 0.999)))
    return Verdict()


def counted(ip: str, email: str) -> int:
    """Count a try as failed before it is checked, so tries that run at once see each other
    (the caller asked `check` in this transaction, and commits before the slow check). Its
    id, for `withdrawn` when the try turns out right, or `failed(..., counted=True)`."""
    failure = SignInFailure(at=utcnow(), ip=ip, account=account_key(email))
    db.session.add(failure)
    db.session.flush()
    return failure.id


def withdrawn(failure_id: int) -> None:
    """The try `counted` stood for was right after all: it doesn't count."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.id == failure_id))


def failed(ip: str, email: str, user: User | None, what: str = "sign-in", *,
           counted: bool = False) -> None:
    """Count a failed try toward the throttle (unless `counted` already did), audit it (never
    what was typed), and tell the account's owner when their account keeps failing (once
    per window, by email)."""
    now = utcnow()
    account = account_key(email)
    if not counted:
        db.session.add(SignInFailure(at=now, ip=ip, account=account))
        db.session.flush()
    target = f"account of {user.name}" if user else "an unknown account"
    if email == "setup":
        target = "the setup page"
    record("auth.sign_in_failed", f"Failed {what} for {target}", user, actor=None)
    if user is not None and user.active:
        _alert_owner(user, account, now)


def succeeded(ip: str, email: str) -> None:
    """Forget this address's failures for the account (the owner got in from here). Other
    addresses' failures stay: they still count, and still slow those addresses down."""
    account = account_key(email)
    db.session.execute(delete(SignInFailure).where(SignInFailure.account == account,
                                                   SignInFailure.ip == ip))


def _alert_owner(user: User, account: str, now: datetime) -> None:
    """Email the owner once per window when their account reaches the failure limit."""
    window = _window()
    failures, addresses = db.session.execute(
        select(func.count(), func.count(func.distinct(SignInFailure.ip)))
        .where(SignInFailure.account == account, SignInFailure.at >= now - window)).one()
    if failures < current_app.config["SIGNIN_MAX_FAILURES"]:
        return
    # A conditional UPDATE: of two requests failing at once, only one sends the email.
    claimed = db.session.execute(
        update(User).where(User.id == user.id)
        .where(or_(User.failure_alert_at.is_(None), User.failure_alert_at < now - window))
        .values(failure_alert_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return
    minutes = current_app.config["SIGNIN_WINDOW_MINUTES"]
    context = {"user": user, "failures": failures, "addresses": addresses, "minutes": minutes,
               "org": settings.org_name(), "security_url": external_url("auth.two_factor"),
               "forgot_url": external_url("auth.forgot_password")}
    mail.queue(kind="auth.failures", to=user.email, to_name=user.name,
               subject=f"Failed sign-ins to your {settings.org_name()} account",
               text=render_template("mail/auth/failed_sign_ins.txt", **context))
    record("auth.failure_alert", f"Told {user.name} about repeated failed sign-ins", user,
           actor=None)


def expire(now: datetime | None = None) -> str:
    """Delete failed sign-ins older than the throttle window: they no longer count."""
    since = (now or utcnow()) - _window()
    gone = db.session.execute(delete(SignInFailure).where(SignInFailure.at < since)).rowcount
    db.session.flush()
    return f"Deleted {plural(gone, 'old failed sign-in')}."
