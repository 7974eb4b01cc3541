"""Private links in email (a tour booker's or a registrant's own page): a token derived from
a random per-record nonce and the app's secret, so every email can carry the same link
while the database holds only the token's hash. One home for tours and public events."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app


def link_token(purpose: str, nonce: str) -> str:
    """The token of the private link for `purpose` ("tours.booking") and the record's nonce."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"{purpose}|{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    """What is stored and looked up: the token's SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_nonce() -> str:
    """A fresh random nonce for a record's private link."""
    return secrets.token_urlsafe(24)
