"""Settings: defaults, then instance/config.py, then environment variables (which win)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

from app.system import urls

# name -> (default, converter). Every setting an operator may change is listed here,
# and the README's configuration table documents the same names.
_BOOL = lambda v: str(v).strip().lower() in {"1", "true", "yes", "on"}  # noqa: E731

ENV_SETTINGS: dict[str, tuple[object, object]] = {
    "LIAISON_ENV": ("development", str),
    "DATABASE_URL": (None, str),
    "SECRET_KEY": (None, str),
    "ORG_NAME": ("Liaison", str),
    "TIMEZONE": ("America/Chicago", str),
    "IDLE_TIMEOUT_MINUTES": (60, int),
    "SIGNIN_MAX_FAILURES": (5, int),
    "SIGNIN_WINDOW_MINUTES": (15, int),
    "SIGNIN_ADDRESS_MAX_FAILURES": (20, int),
    "PASSWORD_RESET_MINUTES": (60, int),
    "BEHIND_PROXY": (False, _BOOL),
    "MAX_CONTENT_LENGTH": (25 * 1024 * 1024, int),
    "MAIL_SERVER": (None, str),
    "MAIL_PORT": (25, int),
    "MAIL_USE_TLS": (False, _BOOL),
    "MAIL_USE_SSL": (False, _BOOL),
    "MAIL_USERNAME": (None, str),
    "MAIL_PASSWORD": (None, str),
    "MAIL_DEFAULT_SENDER": ("liaison@localhost", str),
    # The mailbox calendar replies arrive in (app/mail/inbox.py); unset, nothing is read.
    "IMAP_SERVER": (None, str),
    "IMAP_PORT": (None, int),  # 993 with IMAP_USE_SSL, else 143
    "IMAP_USE_SSL": (True, _BOOL),
    "IMAP_USE_TLS": (False, _BOOL),  # STARTTLS, with IMAP_USE_SSL=false
    "IMAP_USERNAME": (None, str),
    "IMAP_PASSWORD": (None, str),
    "IMAP_FOLDER": ("INBOX", str),
    "IMAP_PROCESSED_FOLDER": (None, str),
    "IMAP_CA_FILE": (None, str),
    "IMAP_TIMEOUT": (30, float),
    "IMAP_REQUIRE_AUTH": (False, _BOOL),
    "IMAP_AUTHSERV_ID": (None, str),  # the receiving server's name in Authentication-Results
    "IMAP_LOOKBACK_DAYS": (30, int),
    "IMAP_POLL_SECONDS": (60, int),
    "PUBLIC_BASE_URL": (None, str),
    "TRUSTED_HOSTS": (None, lambda v: [h.strip() for h in str(v).split(",") if h.strip()]),
}


def load(app: Flask, overrides: dict | None = None) -> None:
    """Fill app.config from defaults, instance/config.py, the environment and overrides."""
    for name, (default, _) in ENV_SETTINGS.items():
        app.config[name] = default
    app.config.from_pyfile("config.py", silent=True)
    for name, (_, convert) in ENV_SETTINGS.items():
        if name in os.environ:
            app.config[name] = convert(os.environ[name])
    if overrides:
        app.config.update(overrides)

    cfg = app.config
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'liaison.sqlite'}"
    cfg["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(cfg["DATABASE_URL"])
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(instance / "secret_key")

    # hide_parameters: a database error's message (logged with the traceback of a 500) would
    # otherwise quote the bound values: names, emails, note text.
    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True, "hide_parameters": True})
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_NAME"] = "liaison_session"
    # Sessions never outlive the idle timeout; there is no remember-me cookie.
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=cfg["IDLE_TIMEOUT_MINUTES"])
    cfg["REMEMBER_COOKIE_DURATION"] = timedelta(days=14)
    cfg["WTF_CSRF_TIME_LIMIT"] = None  # tied to the session, which expires itself
    cfg["WTF_CSRF_HEADERS"] = ["X-CSRFToken"]
    _trusted_hosts(cfg)


def _trusted_hosts(cfg) -> None:
    """Check PUBLIC_BASE_URL and derive Flask's TRUSTED_HOSTS from it: once the app knows
    its public address, a request naming any other Host gets 400 (the extra names in
    TRUSTED_HOSTS, e.g. an internal name a health check uses, are accepted too)."""
    base = cfg.get("PUBLIC_BASE_URL")
    extra = cfg.get("TRUSTED_HOSTS") or []
    if isinstance(extra, str):  # instance/config.py may give one comma-separated string
        extra = [h.strip() for h in extra.split(",") if h.strip()]
    hosts = list(extra)
    if base:
        problem = urls.base_url_problem(base)
        if problem:
            raise RuntimeError(f"Refusing to start: PUBLIC_BASE_URL {problem}.")
        cfg["PUBLIC_BASE_URL"] = base.rstrip("/")
        hosts.insert(0, urls.host_of(base))
    cfg["TRUSTED_HOSTS"] = hosts or None


def check_production(app: Flask) -> None:
    """Refuse to start an unsafe production server."""
    if app.config["LIAISON_ENV"] != "production":
        return
    if app.debug:
        raise RuntimeError("Refusing to start: debug mode is on while LIAISON_ENV=production.")
    if len(str(app.config["SECRET_KEY"]).encode()) < 32:
        raise RuntimeError("Refusing to start: SECRET_KEY must be at least 32 bytes in production.")
    if not app.config.get("PUBLIC_BASE_URL"):
        raise RuntimeError(
            "Refusing to start: set PUBLIC_BASE_URL (e.g. https://liaison.example.org) in "
            "production. Links in emails, calendar files, vCards and the media page are built "
            "from it, never from a request's Host header, and other hosts are refused.")
    if not app.config["PUBLIC_BASE_URL"].startswith("https://"):
        app.logger.warning("PUBLIC_BASE_URL is not https: links in emails will send people "
                           "to an unencrypted address.")


def _normalise_db_url(url: str) -> str:
    # Operators paste Heroku-style URLs; we speak psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(path: Path) -> str:
    """Read the instance's secret key, creating it (mode 0600) on first start."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
