"""The system blueprint: /healthz, the favicon and /vendor/ files."""

from flask import Blueprint

bp = Blueprint("system", __name__)
