"""Dashboard view."""

from __future__ import annotations

from app.dashboard import bp
from app.web import render


@bp.route("/")
def index():
    """What needs attention today."""
    return render("dashboard/index.html")
