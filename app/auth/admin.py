"""Admin pages for colleagues' accounts: add, change role, deactivate, reset a password or
two-step sign-in, and whether admins and liaisons must use two-step sign-in."""

from __future__ import annotations

from flask import abort, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from app.auth import services, two_factor
from app.auth.access import ENROLL
from app.auth.blueprint import users_bp
from app.auth.forms import EditUserForm, NewUserForm, TwoFactorPolicyForm
from app.auth.models import Role, User
from app.extensions import db
from app.web import render, see_other


@users_bp.route("/")
def index():
    """Everyone who can (or could) sign in."""
    users = db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    # Who will be walked through two-step sign-in at their next sign-in.
    asked = {u.id for u in users if two_factor.must_enroll(u)}
    return render("users/index.html", users=users, asked=asked)


@users_bp.route("/sign-in", methods=["GET", "POST"])
def sign_in_policy():
    """Whether admins and liaisons must use two-step sign-in."""
    form = TwoFactorPolicyForm(data=None if request.method == "POST"
                               else {"required": two_factor.required()})
    if form.validate_on_submit():
        two_factor.set_required(form.required.data, current_user._get_current_object())
        db.session.commit()
        if two_factor.must_enroll(current_user):
            session[ENROLL] = True  # the admin who asks for it goes first
            return see_other(url_for("auth.two_factor"),
                             "Saved. Set up your own two-step sign-in now.", "info")
        return see_other(url_for("users.index"), "Saved the sign-in settings.")
    missing = db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(two_factor.REQUIRED_ROLES),
                           User.totp_secret.is_(None)).order_by(User.name)).all()
    status = 422 if request.method == "POST" else 200
    return render("users/sign_in.html", form=form, missing=missing, status=status)


@users_bp.route("/new", methods=["GET", "POST"])
def new():
    """Add a colleague with a one-time password shown once to the admin."""
    form = NewUserForm()
    if form.validate_on_submit():
        if services.find_user(form.email.data):
            form.email.errors.append("Someone already signs in with this email.")
        else:
            temporary = services.temporary_password()
            user = services.create_user(
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                password=temporary,
                must_change_password=True,
                actor=current_user,
            )
            db.session.commit()
            return render("users/created.html", user=user, temporary=temporary)
    status = 422 if request.method == "POST" else 200
    return render("users/form.html", form=form, user=None, status=status)


@users_bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
def edit(user_id: int):
    """Change a colleague's name, role or whether they can sign in."""
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user, role=user.role.value)
    if form.validate_on_submit():
        role, active = Role(form.role.data), form.active.data
        if services.last_active_admin(user) and (role != Role.admin or not active):
            form.role.errors.append("Keep at least one active admin: promote someone else first.")
        else:
            services.update_user(user, name=form.name.data, role=role, active=active,
                                 actor=current_user)
            db.session.commit()
            return see_other(url_for("users.index"), f"Saved {user.name}.")
    status = 422 if request.method == "POST" else 200
    return render("users/form.html", form=form, user=user, status=status)


@users_bp.route("/<int:user_id>/reset-password", methods=["POST"])
def reset_password(user_id: int):
    """Give a colleague a new one-time password (ending their sessions)."""
    user = db.get_or_404(User, user_id)
    temporary = services.temporary_password()
    services.change_password(user, temporary, actor=current_user)
    db.session.commit()
    return render("users/created.html", user=user, temporary=temporary, reset=True)


@users_bp.route("/<int:user_id>/reset-two-factor", methods=["POST"])
def reset_two_factor(user_id: int):
    """Turn off a colleague's two-step sign-in (they lost their phone and their codes); they
    are signed out, and set it up again at next sign-in if their role requires it."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        abort(403)  # one's own goes through the account page, after the password
    if not user.two_factor_enabled:
        return see_other(url_for("users.edit", user_id=user.id))
    two_factor.turn_off(user, actor=current_user._get_current_object())
    db.session.commit()
    return see_other(url_for("users.edit", user_id=user.id),
                     f"Two-step sign-in is reset for {user.name}. They are signed out.")
