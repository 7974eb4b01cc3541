"""Audit trail: an append-only record of who did what, browsable by admins."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

from app.audit import routes  # noqa: E402,F401
