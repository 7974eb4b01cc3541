"""Notes' blueprint (/notes: interactions and commitments)."""

from flask import Blueprint

bp = Blueprint("notes", __name__, url_prefix="/notes")
