"""Sign-in pages (/login, /account, /setup) and the admin's user management (/admin/users)."""

from flask import Blueprint

from app.auth.access import restrict
from app.auth.models import Role

bp = Blueprint("auth", __name__)
users_bp = Blueprint("users", __name__, url_prefix="/admin/users")
restrict(users_bp, Role.admin)
