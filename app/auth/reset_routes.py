"""Forgot password: ask for a link by email, then choose a new password from it."""

from __future__ import annotations

from flask import request, url_for

from app.auth import reset
from app.auth.access import public
from app.auth.blueprint import bp
from app.auth.forms import ForgotPasswordForm, ResetPasswordForm
from app.auth.routes import client_ip
from app.auth.services import PasswordRejected
from app.extensions import db
from app.web import render, see_other


@bp.route("/login/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    """Ask for a reset link. Every well-formed address gets the same answer."""
    form = ForgotPasswordForm()
    if request.method == "GET":
        return render("auth/forgot.html", form=form)
    if not form.validate_on_submit():
        return render("auth/forgot.html", form=form, status=422)
    if reset.address_over_limit(client_ip()):
        db.session.commit()
        response = render("auth/forgot.html", form=form, throttled=True, status=429)
        response.headers["Retry-After"] = "3600"
        return response
    reset.request_reset(form.email.data)
    db.session.commit()
    return see_other(url_for("auth.forgot_password_sent"))


@bp.route("/login/forgot/sent")
@public
def forgot_password_sent():
    """What everyone who asked sees, whether or not the address has an account."""
    return render("auth/forgot_sent.html")


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password from an emailed link. Opening the link changes nothing (mail
    scanners open links); only the form's POST spends it."""
    user = reset.user_for_token(token)
    if user is None:
        return render("auth/reset_invalid.html", status=404)
    form = ResetPasswordForm()
    form.account = (user.email, user.name)
    if request.method == "POST" and form.validate_on_submit():
        try:
            reset.complete_reset(user, form.new_password.data)
        except PasswordRejected as why:  # the form's check ran the same policy; belt and braces
            form.new_password.errors.append(str(why))
        else:
            db.session.commit()
            return see_other(url_for("auth.login"),
                             "Your password is changed. Sign in with it now.")
    status = 422 if request.method == "POST" else 200
    return render("auth/reset.html", form=form, user=user, token=token, status=status)
