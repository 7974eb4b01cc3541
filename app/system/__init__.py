"""Health check, favicon and third-party front-end files served from our own origin."""

from flask import Blueprint

bp = Blueprint("system", __name__)

from app.system import public  # noqa: E402,F401
