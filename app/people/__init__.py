"""People: contacts and organizations, stance and influence, media contacts, import/export."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")
# Views attach in app/__init__.py (importing them here would make a cycle: people and
# notes models refer to each other).
