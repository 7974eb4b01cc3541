"""Dashboard view."""

from __future__ import annotations

from flask_login import current_user

from app.dashboard.blueprint import bp
from app.system.panels import PANELS
from app.web import render


@bp.route("/")
def index():
    """What needs attention today: every domain's panel that has something to say."""
    user = current_user._get_current_object()
    panels = []
    for panel in PANELS:
        context = panel.loader(user)
        if context is not None:
            panels.append((panel.template, context))
    return render("dashboard/index.html", panels=panels)
