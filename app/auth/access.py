"""Who may reach which view. Every view needs a signed-in user unless marked @public;
role limits come from @roles on a view or restrict() on a whole blueprint."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from app.auth.models import Role, User
from app.extensions import db, login_manager
from app.security import safe_next, same_site_path
from app.web import from_htmx, wants_fragment

F = TypeVar("F", bound=Callable)


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view._public = True  # type: ignore[attr-defined]
    return view


def roles(*allowed: Role) -> Callable[[F], F]:
    """Limit a view to the given roles (admin always passes)."""

    def mark(view: F) -> F:
        view._roles = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return mark


def restrict(bp: Blueprint, *allowed: Role) -> None:
    """Limit every view of a blueprint to the given roles."""
    bp._roles = frozenset(allowed)  # type: ignore[attr-defined]


def is_public(app: Flask, endpoint: str | None) -> bool:
    """True if the endpoint answers anonymous requests."""
    if endpoint is None or endpoint == "static":
        return True
    return bool(getattr(app.view_functions.get(endpoint), "_public", False))


def required_roles(app: Flask, endpoint: str) -> frozenset[Role] | None:
    """The roles an endpoint demands, or None when any signed-in user will do."""
    view = app.view_functions.get(endpoint)
    if getattr(view, "_roles", None):
        return view._roles  # type: ignore[union-attr]
    bp = app.blueprints.get(endpoint.rpartition(".")[0])
    return getattr(bp, "_roles", None)


# Endpoints a user who must choose a new password may still use.
_PASSWORD_CHANGE_ENDPOINTS = {"auth.password", "auth.logout"}
# ... and one who must set up two-step sign-in (their role requires it) before anything else.
_ENROLL_ENDPOINTS = {"auth.two_factor", "auth.two_factor_start", "auth.two_factor_confirm",
                     "auth.logout"}
# The session key app.auth.routes sets at sign-in when the user must set it up.
ENROLL = "enroll_two_factor"


def guard():
    """before_request: sign-in, idle timeout, forced password change, two-step sign-in
    that the user's role requires and they have not set up yet, then roles."""
    app = current_app._get_current_object()
    if is_public(app, request.endpoint):
        return None
    login_manager = app.login_manager  # type: ignore[attr-defined]
    if not current_user.is_authenticated:
        return login_manager.unauthorized()

    now = int(time.time())
    idle_limit = app.config["IDLE_TIMEOUT_MINUTES"] * 60
    if now - session.get("seen", now) > idle_limit:
        logout_user()
        session.clear()
        return login_manager.unauthorized()
    session["seen"] = now
    session.permanent = True

    if current_user.must_change_password and request.endpoint not in _PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("auth.password"))
    if session.get(ENROLL) and request.endpoint not in _ENROLL_ENDPOINTS:
        if current_user.two_factor_enabled:
            session.pop(ENROLL)
        else:
            return redirect(url_for("auth.two_factor"))
    allowed = required_roles(app, request.endpoint)
    if allowed and not current_user.can(*allowed):
        abort(403)
    return None


def init_app(app: Flask) -> None:
    """Wire Flask-Login to our users and install the guard in front of every view."""
    # Templates get the lazy current_user proxy rather than Flask-Login's context processor,
    # which loads the user for every render even when the template never asks (/press).
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(guard)


def _load_user(session_id: str) -> User | None:
    """Sessions carry "<id>.<version>"; a bumped version or a deactivated user ends them."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdecimal() and version.isdecimal()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _back_after_sign_in() -> str | None:
    """Where signing in leads back to: this URL, or for a fragment (a panel, a live search)
    the page it was part of (htmx's HX-Current-URL, when it is one of our pages)."""
    here = safe_next(request.full_path.rstrip("?"))
    if wants_fragment():
        return same_site_path(request.htmx.current_url) or here
    return here


def _unauthorized():
    """Anonymous: redirect to sign-in; for htmx, 401 plus HX-Redirect so the page navigates."""
    target = url_for("auth.login", next=_back_after_sign_in())
    if from_htmx():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)
