"""The media page (public /press, vCards, press kit, inquiry form) and media relations
(inquiries log, coverage log) for the liaison."""

from flask import Blueprint

from app.press.display import phone_display, time_left

bp = Blueprint("press", __name__, url_prefix="/press")
bp.add_app_template_filter(phone_display)
bp.add_app_template_global(time_left)

from app.press import public, routes  # noqa: E402,F401
from app.press.dashboard import register  # noqa: E402

register()
