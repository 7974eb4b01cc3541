"""Tours' blueprints: the liaison's side (/tours/manage) and public booking (/tours)."""

from flask import Blueprint

from app.auth.access import restrict
from app.auth.models import Role

bp = Blueprint("tours", __name__, url_prefix="/tours/manage")
public_bp = Blueprint("tours_public", __name__, url_prefix="/tours")
restrict(bp, Role.liaison)
