"""Notes: interaction notes (some sensitive), the commitments register and keeping in touch."""

from flask import Blueprint

bp = Blueprint("notes", __name__, url_prefix="/notes")
# Views attach in app/__init__.py (importing them here would make a cycle: people and
# notes models refer to each other).
