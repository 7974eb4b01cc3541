"""Coalitions' blueprint (/coalitions, signed in: staff read, admin and liaison edit)."""

from flask import Blueprint

bp = Blueprint("coalitions", __name__, url_prefix="/coalitions")
