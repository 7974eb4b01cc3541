"""Choosing a new password from a link sent by email. The link carries a random token whose
SHA-256 alone is kept; it works once, for PASSWORD_RESET_MINUTES, and only the latest one.
Asking never tells anyone whether an email has an account: the same page answers every
address, and mail goes only to real, active accounts."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import select

from app import ratelimit
from app.audit.services import record
from app.auth import services, throttle
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.mail import services as mail
from app.settings import services as settings
from app.system.urls import external_url

# Mail to one account at most this often an hour: asking again and again can't flood an inbox.
PER_ACCOUNT = 3
# Asks from one address an hour; more get 429 (whatever the email, so it tells nothing).
PER_ADDRESS = 10


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def address_over_limit(ip: str) -> bool:
    """True when this address asked for too many reset links this hour (counts this ask)."""
    return ratelimit.over_limit([ratelimit.Rule("password-reset-ip", ip, PER_ADDRESS,
                                                timedelta(hours=1))])


def request_reset(email: str) -> None:
    """Send a reset link to `email` if it belongs to an active account. Every address costs
    about the same work (a token is made and a message built either way), so the answer's
    timing says as little as its words."""
    token = secrets.token_urlsafe(32)
    user = services.find_user(email)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    context = {"name": user.name if user else "", "minutes": minutes, "org": settings.org_name(),
               "url": external_url("auth.reset_password", token=token)}
    text = render_template("mail/auth/password_reset.txt", **context)
    subject = f"Choose a new password for {settings.org_name()}"
    if user is None or not user.active:
        mail.build(to=throttle.normalise_email(email), subject=subject, text=text)
        return
    if ratelimit.over_limit([ratelimit.Rule("password-reset-account", throttle.account_key(email),
                                            PER_ACCOUNT, timedelta(hours=1))]):
        return
    user.reset_token_hash = _hash(token)
    user.reset_expires_at = utcnow() + timedelta(minutes=minutes)
    mail.queue(kind="auth.password_reset", to=user.email, to_name=user.name, subject=subject,
               text=text)
    record("auth.reset_requested", f"Password reset link sent to {user.name}", user, actor=None)


def user_for_token(token: str) -> User | None:
    """The active account whose live reset link this is, or None (malformed, unknown,
    used or expired)."""
    if not (token and len(token) <= 100 and token.isascii()):
        return None
    user = db.session.scalar(select(User).where(User.reset_token_hash == _hash(token)))
    if user is None or not user.active or user.reset_expires_at is None \
            or user.reset_expires_at <= utcnow():
        return None
    return user


def complete_reset(user: User, new_password: str) -> None:
    """Set the new password: the link is spent, every session ends, account-derived links
    (the private calendar feed) rotate, and the owner gets a note that it happened."""
    services.change_password(user, new_password)  # raises PasswordRejected; spends the link
    user.must_change_password = False
    record("auth.password_reset", f"{user.name} chose a new password from an emailed link",
           user, actor=user)
    mail.queue(kind="auth.password_changed", to=user.email, to_name=user.name,
               subject=f"Your {settings.org_name()} password was changed",
               text=render_template("mail/auth/password_changed.txt", name=user.name,
                                    org=settings.org_name(),
                                    forgot_url=external_url("auth.forgot_password")))
