"""People: contacts and organizations, stance and influence, media contacts, import/export."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")

from app.people import routes  # noqa: E402,F401
