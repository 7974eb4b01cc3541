"""Sign-in (password, then the code from an authenticator app when the account has one),
sign-out, first-run setup and changing one's own password."""

from __future__ import annotations

import time

from flask import abort, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import passwords, services, throttle, two_factor
from app.auth.access import ENROLL, public
from app.auth.blueprint import bp
from app.auth.forms import CodeForm, LoginForm, PasswordForm, SetupForm
from app.auth.models import User
from app.database import begin_write, writes
from app.extensions import db
from app.security import safe_next
from app.settings import services as settings
from app.web import render, see_other

# The session key of a sign-in waiting for its second step, and how long it may wait.
TWO_STEP = "two_step"
TWO_STEP_SECONDS = 300


def client_ip() -> str:
    """The address a request came from (the visitor's, behind a trusted proxy)."""
    return request.remote_addr or "unknown"


def _start_session(user) -> None:
    session.clear()  # a fresh session id-space: nothing from before sign-in survives
    login_user(user)
    session.permanent = True


def throttled(template: str, verdict: throttle.Verdict, **ctx):
    """The 429 answer to a try the throttle holds back, with Retry-After."""
    response = render(template, throttled=verdict, status=429, **ctx)
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response


def _finish_sign_in(user: User, next_url: str | None):
    """Both steps done: start the session, and walk the user through setting up two-step
    sign-in first when their role requires it."""
    services.signed_in(user)
    db.session.commit()
    _start_session(user)
    if two_factor.must_enroll(user):
        session[ENROLL] = True
    return see_other(safe_next(next_url) or url_for("dashboard.index"))


@bp.route("/setup", methods=["GET", "POST"])
@public
@writes
def setup():
    """One-time page that creates the first admin, given the code printed on the console."""
    if services.has_users():
        abort(404)
    form = SetupForm()
    if request.method == "GET":
        form.timezone.data = settings.timezone_name()  # the picker's script guesses better
        services.ensure_setup_code()
        db.session.commit()
        return render("auth/setup.html", form=form)
    verdict = throttle.check(client_ip(), "setup")
    if not verdict.allowed:
        return throttled("auth/setup.html", verdict, form=form)
    if form.validate_on_submit():
        if services.check_setup_code(form.code.data):
            user = services.complete_setup(
                email=form.email.data, name=form.name.data, password=form.new_password.data,
                organization={"name": form.org_name.data, "timezone": form.timezone.data,
                              "public_address": form.public_address.data,
                              "media_line": form.media_line.data},
            )
            if form.load_demo.data:
                from app.system.demo import load_demo

                load_demo()
            db.session.commit()
            _start_session(user)
            return see_other(url_for("dashboard.index"),
                             f"Welcome. Liaison is set up for {form.org_name.data}, and you "
                             "are its admin.")
        throttle.failed(client_ip(), "setup", None, "setup code")
        db.session.commit()
        form.code.errors.append("That setup code is not right. Check the server console.")
    return render("auth/setup.html", form=form, status=422)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in. Unknown and known emails get the same answer."""
    if not services.has_users():
        return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if request.method == "GET":
        return render("auth/login.html", form=form)
    if not form.validate_on_submit():
        return render("auth/login.html", form=form, status=422)
    verdict = throttle.check(client_ip(), form.email.data)
    if not verdict.allowed:
        return throttled("auth/login.html", verdict, form=form)
    attempt = services.start_sign_in(form.email.data, client_ip())
    db.session.commit()  # the slow password check below holds no lock (services.start_sign_in)
    right = passwords.verify(attempt.password_hash, form.password.data)
    begin_write(db.session)
    user = services.settle_sign_in(attempt, form.password.data, right)
    db.session.commit()
    if user is None:
        form.password.errors.append("That email and password don't match an active account.")
        return render("auth/login.html", form=form, status=422)
    if user.two_factor_enabled:
        session.clear()
        session[TWO_STEP] = {"user": user.id, "version": user.session_version,
                             "at": int(time.time()), "next": safe_next(form.next.data) or ""}
        return see_other(url_for("auth.login_code"))
    return _finish_sign_in(user, form.next.data)


def _waiting_user() -> User | None:
    """The account whose password was just right and which waits for its second step."""
    waiting = session.get(TWO_STEP)
    if not isinstance(waiting, dict) or int(time.time()) - waiting.get("at", 0) > \
            TWO_STEP_SECONDS:
        return None
    user = db.session.get(User, waiting.get("user"))
    if user is None or not user.active or user.session_version != waiting.get("version") \
            or not user.two_factor_enabled:
        return None
    return user


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
def login_code():
    """The second step: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    user = _waiting_user()
    if user is None:
        session.pop(TWO_STEP, None)
        return see_other(url_for("auth.login"), "Please sign in again.", "info") \
            if request.method == "POST" else redirect(url_for("auth.login"))
    form = CodeForm()
    if request.method == "GET":
        return render("auth/two_step.html", form=form)
    if not form.validate_on_submit():
        return render("auth/two_step.html", form=form, status=422)
    verdict = throttle.check(client_ip(), user.email)
    if not verdict.allowed:
        return throttled("auth/two_step.html", verdict, form=form)
    kind = two_factor.verify(user, form.code.data)
    if kind is None:
        throttle.failed(client_ip(), user.email, user, "two-step code")
        db.session.commit()
        form.code.errors.append("That code didn't work. Codes change every 30 seconds: "
                                "use the one your app shows now, or a recovery code.")
        return render("auth/two_step.html", form=form, status=422)
    throttle.succeeded(client_ip(), user.email)
    next_url = session.get(TWO_STEP, {}).get("next")
    response = _finish_sign_in(user, next_url)
    if kind == "recovery":
        left = two_factor.recovery_codes_left(user)
        flash(f"You signed in with a recovery code; {left} left. Make new ones on your "
              "two-step sign-in page if you are running low.", "info")
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out here and everywhere else this account is signed in."""
    services.sign_out_everywhere(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    return see_other(url_for("auth.login"), "You are signed out.", "info")


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    """Change one's own password. Right after signing in with a one-time password (an
    admin's, for a new account or a reset) it is not asked for again."""
    user: User = current_user._get_current_object()
    form = PasswordForm()
    form.account = (user.email, user.name)
    first_time = user.must_change_password
    if first_time:
        del form.current_password
    if request.method == "GET":
        return render("auth/password.html", form=form, first_time=first_time)
    if not form.validate_on_submit():
        return render("auth/password.html", form=form, first_time=first_time, status=422)
    if not first_time:
        verdict = throttle.check(client_ip(), user.email)
        if not verdict.allowed:
            return throttled("auth/password.html", verdict, form=form, first_time=first_time)
        if not services.confirm_password(user, form.current_password.data, client_ip(),
                                         "password confirmation"):
            db.session.commit()
            form.current_password.errors.append("That is not your current password.")
            return render("auth/password.html", form=form, first_time=first_time, status=422)
    services.change_password(user, form.new_password.data)
    db.session.commit()
    enrolling = session.get(ENROLL)
    _start_session(user)  # the new session version
    if enrolling:
        session[ENROLL] = True
    return see_other(url_for("dashboard.index"), "Your password is changed.")
