"""One's own two-step sign-in: set it up with an authenticator app, make new recovery codes,
turn it off (the last two after the password)."""

from __future__ import annotations

from flask import session, url_for
from flask_login import current_user

from app.auth import services, throttle
from app.auth import two_factor as totp
from app.auth.access import ENROLL
from app.auth.blueprint import bp
from app.auth.forms import CodeForm, ConfirmPasswordForm
from app.auth.models import User
from app.auth.routes import client_ip, throttled
from app.extensions import db
from app.web import render, see_other

TEMPLATE = "auth/two_factor.html"


def _context(**ctx) -> dict:
    """What the two-step sign-in page shows, in whatever state the user's account is in."""
    user: User = current_user._get_current_object()
    ctx.setdefault("code_form", CodeForm())
    ctx.setdefault("codes_form", ConfirmPasswordForm(prefix="codes"))
    ctx.setdefault("off_form", ConfirmPasswordForm(prefix="off"))
    secret = user.totp_pending_secret if not user.two_factor_enabled else None
    return {"user": user, "required": totp.required_for(user),
            "enrolling": bool(session.get(ENROLL)), "secret": secret,
            "grouped": totp.grouped(secret) if secret else "",
            "qr": totp.qr_data_uri(user, secret) if secret else "",
            "left": totp.recovery_codes_left(user) if user.two_factor_enabled else 0,
            **ctx}


def _page(status: int = 200, **ctx):
    return render(TEMPLATE, status=status, **_context(**ctx))


@bp.route("/account/two-factor")
def two_factor():
    """Whether two-step sign-in is on, and the way to set it up or change it."""
    return _page()


@bp.route("/account/two-factor/start", methods=["POST"])
def two_factor_start():
    """Make a new secret to scan (a GET never writes, so this is a button)."""
    user: User = current_user._get_current_object()
    if user.two_factor_enabled:
        return see_other(url_for("auth.two_factor"))
    totp.start_enrollment(user)
    db.session.commit()
    return see_other(url_for("auth.two_factor") + "#scan")


@bp.route("/account/two-factor/confirm", methods=["POST"])
def two_factor_confirm():
    """Turn it on with the first code the app shows; the recovery codes are shown once."""
    user: User = current_user._get_current_object()
    form = CodeForm()
    if user.two_factor_enabled:
        return see_other(url_for("auth.two_factor"))
    if not user.totp_pending_secret:
        return see_other(url_for("auth.two_factor"), "Start again: scan a new code.", "info")
    if not form.validate_on_submit():
        return _page(422, code_form=form)
    verdict = throttle.check(client_ip(), user.email)
    if not verdict.allowed:
        return throttled(TEMPLATE, verdict, **_context(code_form=form))
    codes = totp.confirm_enrollment(user, form.code.data)
    if codes is None:
        throttle.failed(client_ip(), user.email, user, "two-step setup code")
        db.session.commit()
        form.code.errors.append("That code didn't match. Check the app's clock is right and "
                                "type the code it shows now.")
        return _page(422, code_form=form)
    db.session.commit()
    session.pop(ENROLL, None)
    return render("auth/recovery_codes.html", codes=codes, first=True)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
def two_factor_codes():
    """Replace the recovery codes (after the password); the new ones are shown once."""
    user: User = current_user._get_current_object()
    form = ConfirmPasswordForm(prefix="codes")
    if not user.two_factor_enabled:
        return see_other(url_for("auth.two_factor"))
    refused = _confirm(user, form, "codes_form", "new recovery codes")
    if refused is not None:
        return refused
    codes = totp.replace_recovery_codes(user)
    db.session.commit()
    return render("auth/recovery_codes.html", codes=codes, first=False)


@bp.route("/account/two-factor/off", methods=["POST"])
def two_factor_off():
    """Turn two-step sign-in off (after the password), unless the user's role requires it."""
    user: User = current_user._get_current_object()
    form = ConfirmPasswordForm(prefix="off")
    if not user.two_factor_enabled:
        return see_other(url_for("auth.two_factor"))
    if totp.required_for(user):
        form.validate_on_submit()
        form.password.errors[:] = ["Your role requires two-step sign-in, so it stays on. "
                                   "Lost your phone? Make new recovery codes, or ask "
                                   "another admin to reset it."]
        return _page(422, off_form=form)
    refused = _confirm(user, form, "off_form", "turning off two-step sign-in")
    if refused is not None:
        return refused
    totp.turn_off(user, actor=user)
    db.session.commit()
    return see_other(url_for("auth.two_factor"), "Two-step sign-in is off.", "info")


def _confirm(user: User, form: ConfirmPasswordForm, name: str, what: str):
    """The answer refusing a change that needs the password (422 or 429), or None when the
    password was right. Shares the sign-in throttle."""
    if not form.validate_on_submit():
        return _page(422, **{name: form})
    verdict = throttle.check(client_ip(), user.email)
    if not verdict.allowed:
        return throttled(TEMPLATE, verdict, **_context(**{name: form}))
    if not services.confirm_password(user, form.password.data, client_ip(), what):
        db.session.commit()
        form.password.errors.append("That is not your password.")
        return _page(422, **{name: form})
    return None
