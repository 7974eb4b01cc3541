"""Tours and open houses: public booking at /tours, the liaison's side at /tours/manage."""

from __future__ import annotations

from flask import Blueprint

from app.auth.access import restrict
from app.auth.models import Role

bp = Blueprint("tours", __name__, url_prefix="/tours/manage")
public_bp = Blueprint("tours_public", __name__, url_prefix="/tours")
restrict(bp, Role.liaison)

from app.system.retention import register_purger  # noqa: E402
from app.tours import public, routes, services  # noqa: E402,F401
from app.tours.dashboard import register  # noqa: E402


def _purge(now) -> str:
    return f"Anonymized {services.purge_bookers(now)} tour booker(s)."


register()
register_purger("tours", _purge)
