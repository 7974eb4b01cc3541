"""The audit trail's blueprint (admin only, /admin/audit)."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
