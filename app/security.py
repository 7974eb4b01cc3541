"""Security headers on every response, safe `next` redirects and the secure session cookie."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site; anything else is dropped.

    Browsers read `/\\evil` and `//evil` as other hosts, and control characters or
    schemes (`javascript:`) must never reach a Location header.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def same_site_request() -> bool:
    """False when the browser says a request came from another site.

    Browsers send Origin on every cross-site POST; Referer is the fallback (our
    Referrer-Policy keeps it on same-origin requests). With neither (curl, a privacy
    extension) the request passes: this check is one layer, never the only one.
    """
    allowed = {request.host.lower()}
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        allowed.add(urlsplit(base).netloc.lower())
    origin = request.headers.get("Origin")
    if origin is not None:
        return urlsplit(origin).netloc.lower() in allowed  # "null" has no host: refused
    referer = request.headers.get("Referer")
    if referer:
        return urlsplit(referer).netloc.lower() in allowed
    return True


def _signed_in() -> bool:
    """Whether this request has a signed-in user, without loading one for nobody.

    Anonymous visitors to public pages never pay for Flask-Login (or a session lookup): a
    user can only be signed in if the request carried the session cookie, or if a view has
    already loaded or signed in the user during this request (Flask-Login keeps it in g).
    """
    if "_login_user" not in g and (
        current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
    ):
        return False
    return bool(current_user and current_user.is_authenticated)


def add_security_headers(response: Response) -> Response:
    """Apply the baseline headers; signed-in pages are never stored by caches."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static" and _signed_in():
        response.cache_control.public = False  # a public page seen while signed in
        response.cache_control.no_store = True
        response.cache_control.private = True
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:  # type: ignore[override]
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def init_app(app: Flask) -> None:
    """Install the headers and the session interface."""
    app.session_interface = SessionInterface()
    app.after_request(add_security_headers)
