"""Press blueprints: the public media page (/press), the liaison's media page management
(/press/manage) and the media log of inquiries and coverage that staff can read."""

from flask import Blueprint

from app.auth.access import restrict
from app.auth.models import Role

public_bp = Blueprint("press_public", __name__, url_prefix="/press")
bp = Blueprint("press", __name__, url_prefix="/press/manage")
log_bp = Blueprint("media_log", __name__, url_prefix="/press/manage")
restrict(bp, Role.liaison)
