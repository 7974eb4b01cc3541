"""Organization-wide settings (key/value), read and written through services; admins edit
the organization's name and time zone on the Settings page."""

from flask import Blueprint

from app.auth.access import restrict
from app.auth.models import Role

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")
restrict(bp, Role.admin)

from app.settings import routes  # noqa: E402,F401
