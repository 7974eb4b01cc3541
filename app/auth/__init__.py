"""Sign-in, first-run setup, passwords, and (for admins) managing colleagues' accounts."""

from flask import Blueprint

from app.auth.access import restrict
from app.auth.models import Role

bp = Blueprint("auth", __name__)
users_bp = Blueprint("users", __name__, url_prefix="/admin/users")
restrict(users_bp, Role.admin)

from app.auth import admin, routes  # noqa: E402,F401
