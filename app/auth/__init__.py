"""Sign-in, first-run setup, passwords, and (for admins) managing colleagues' accounts."""

from flask import Blueprint

from app.auth.access import restrict
from app.auth.models import Role

bp = Blueprint("auth", __name__)
users_bp = Blueprint("users", __name__, url_prefix="/admin/users")
restrict(users_bp, Role.admin)

from app.auth import admin, routes  # noqa: E402,F401
from app.auth.services import expire_sign_in_failures  # noqa: E402
from app.system.retention import register_purger  # noqa: E402

register_purger("sign-in failures", expire_sign_in_failures)
