"""Sign-in, sign-out, first-run setup and changing one's own password."""

from __future__ import annotations

from flask import abort, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import passwords, services
from app.auth.access import public
from app.auth.blueprint import bp
from app.auth.forms import LoginForm, PasswordForm, SetupForm
from app.extensions import db
from app.security import safe_next
from app.settings import services as settings
from app.web import render, see_other


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def _start_session(user) -> None:
    session.clear()  # a fresh session id-space: nothing from before sign-in survives
    login_user(user)
    session.permanent = True


@bp.route("/setup", methods=["GET", "POST"])
@public
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
    if services.is_throttled(_client_ip(), "setup"):
        return render("auth/setup.html", form=form, throttled=True, status=429)
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
        services.note_failure(_client_ip(), "setup")
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
    if services.is_throttled(_client_ip(), form.email.data):
        return render("auth/login.html", form=form, throttled=True, status=429)
    user = services.authenticate(form.email.data, form.password.data, _client_ip())
    db.session.commit()
    if user is None:
        form.password.errors.append("That email and password don't match an active account.")
        return render("auth/login.html", form=form, status=422)
    _start_session(user)
    return see_other(safe_next(form.next.data) or url_for("dashboard.index"))


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
    """Change one's own password (also forced after an admin sets a temporary one)."""
    form = PasswordForm()
    if request.method == "POST":
        if form.validate_on_submit():
            user = current_user._get_current_object()
            if passwords.verify(user.password_hash, form.current_password.data):
                services.change_password(user, form.new_password.data)
                db.session.commit()
                _start_session(user)  # the new session version
                return see_other(url_for("dashboard.index"), "Your password is changed.")
            form.current_password.errors.append("That is not your current password.")
        return render("auth/password.html", form=form, status=422)
    return render("auth/password.html", form=form)
