"""Notes: interaction notes (some sensitive), the commitments register and keeping in touch."""

from flask import Blueprint

bp = Blueprint("notes", __name__, url_prefix="/notes")

from app.notes import routes  # noqa: E402,F401
