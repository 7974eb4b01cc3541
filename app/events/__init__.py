"""Events: planning, invitations with RSVPs, attendance, calendar files and feeds."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")
public_bp = Blueprint("events_public", __name__)

from app.events import public, routes  # noqa: E402,F401
from app.events.dashboard import register  # noqa: E402

register()
