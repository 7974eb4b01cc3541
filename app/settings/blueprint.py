"""Settings' blueprint (admin only, /admin/settings)."""

from flask import Blueprint

from app.auth.access import restrict
from app.auth.models import Role

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")
restrict(bp, Role.admin)
