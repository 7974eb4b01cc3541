"""Events' blueprints: the staff side (/events) and the public side (RSVP pages, feeds)."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")
public_bp = Blueprint("events_public", __name__)
