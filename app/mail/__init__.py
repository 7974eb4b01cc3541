"""The outbox: queue mail with the change that caused it; a worker delivers it later.

Domains call `queue(...)` inside their service (no commit); `deliver_due()` and
`flask outbox work` send what is due, with retries and backoff.
"""

from flask import Blueprint

from app.mail.services import queue  # noqa: F401  (the domains' entry point)

bp = Blueprint("outbox", __name__, url_prefix="/outbox")

from app.mail import routes  # noqa: E402,F401
