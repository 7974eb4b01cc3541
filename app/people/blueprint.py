"""People's blueprint (/people: contacts, organizations, import and export)."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")
