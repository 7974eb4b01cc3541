"""The community map's blueprint: /map (signed in; what staff see is narrowed in services)."""

from flask import Blueprint

bp = Blueprint("places", __name__, url_prefix="/map")
