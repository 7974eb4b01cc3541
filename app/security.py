"""Security headers on every response, safe `next` redirects and the secure session cookie."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Request, Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from app.system import assets, urls

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
    Referrer-Policy keeps it on same-origin requests). Either is compared with the app's
    configured public address (app/system/urls.py), never with the Host header, which the
    sender chooses along with the Origin. With neither (curl, a privacy extension) the
    request passes: this check is one layer, never the only one.
    """
    origin = request.headers.get("Origin")
    if origin is not None:
        return urls.is_ours(origin)  # "null" has no host: refused
    referer = request.headers.get("Referer")
    if referer:
        return urls.is_ours(referer)
    return True


def same_site_path(url: str | None) -> str | None:
    """The path (and query) of `url` when it is one of our own pages (a Referer to go back
    to), else None: a redirect never follows a header to another host."""
    if not url or not urls.is_ours(url):
        return None
    parts = urlsplit(url)
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def session_in_play() -> bool:
    """Whether this request can have a session or a signed-in user at all: it carried the
    session (or a remember) cookie, or a view signed someone in or out (Flask-Login keeps
    the user in g). Anonymous visitors to public pages skip all session and user work, so
    they get no cookie and no "Vary: Cookie", and cost what a static page costs."""
    if "_login_user" in g:
        return True
    cookies, cfg = request.cookies, current_app.config
    return cfg["SESSION_COOKIE_NAME"] in cookies or (
        cfg.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies)


def _signed_in() -> bool:
    """Whether this request has a signed-in user, without loading one for nobody."""
    return session_in_play() and bool(current_user and current_user.is_authenticated)


BASELINE = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def add_security_headers(response: Response) -> Response:
    """Apply the baseline headers; signed-in pages are never stored by caches."""
    headers = response.headers
    present = {name.lower() for name, _ in headers}  # one pass: this runs on every response
    for name, value in BASELINE:
        if name.lower() not in present:
            headers.add(name, value)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if not assets.is_file(response) and _signed_in():
        response.cache_control.public = False  # a public page seen while signed in
        response.cache_control.no_store = True
        response.cache_control.private = True
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS; a visitor with
    no session cookie whose request never touches the session costs nothing here."""

    def get_cookie_secure(self, app: Flask) -> bool:  # type: ignore[override]
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

    def open_session(self, app: Flask, request: Request):  # type: ignore[override]
        # No cookie, no signature to check: skip building the signing serializer.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response: Response) -> None:  # type: ignore[override]
        if not session and not session.modified and not session.accessed:
            return  # nothing to set, delete or vary on
        if assets.is_file(response):
            return  # a file is the same for everyone (and kept by caches): no cookie on it
        if session.accessed and not response.cache_control.no_store:
            # The response was built from this visitor's session (a CSRF token, a flash,
            # the user): it is theirs alone, never for a shared cache (the sign-in page).
            response.cache_control.public = False
            response.cache_control.no_store = True
            response.cache_control.private = True
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Install the headers and the session interface."""
    app.session_interface = SessionInterface()
    app.after_request(add_security_headers)
