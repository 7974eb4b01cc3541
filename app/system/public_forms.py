"""The signed token of an anonymous form on a page cached for everybody (/press, a public
event's page).

Such a page carries no per-visitor CSRF token (that would need a session, a cookie and a
private page). Its form carries instead one signed token per period, the same for every
visitor, naming the form and when it was issued: deterministic for the period, so every
worker renders byte-identical pages and one ETag serves all; refused when forged, meant for
another form, or older than `max_age`. The view pairs it with a same-site Origin/Referer
check (app.security.same_site_request), a honeypot field and a rate limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

_CLOCK_SKEW = 60  # another server's clock may run a little ahead


@dataclass(frozen=True)
class PeriodToken:
    """The token of one form: `issue()` for the page, `ok(token)` when it comes back."""

    form_id: str
    salt: str
    period: int = 3600  # seconds one token is handed out for
    max_age: int = 24 * 3600  # how long a page may stay open before its form must be reloaded

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=self.salt)

    def issued_at(self, now: float | None = None) -> int:
        """The start of the current period (Unix seconds)."""
        now = time.time() if now is None else now
        return int(now // self.period * self.period)

    def issue(self, issued: int | None = None) -> str:
        """The token for the period starting at `issued` (the current one by default)."""
        issued = self.issued_at() if issued is None else issued
        return self._serializer().dumps([self.form_id, issued])

    def current(self) -> str:
        """This period's token, signed once per process and period."""
        memo = current_app.extensions.setdefault(f"period_token:{self.form_id}", {})
        issued = self.issued_at()
        if memo.get("issued") != issued:
            memo.update(issued=issued, token=self.issue(issued))
        return memo["token"]

    def ok(self, token: str | None, now: float | None = None) -> bool:
        """True for a token we signed, for this form, issued within `max_age`."""
        now = time.time() if now is None else now
        try:
            form_id, issued = self._serializer().loads(token or "")
        except (BadSignature, ValueError, TypeError):
            return False
        if form_id != self.form_id or not isinstance(issued, int):
            return False
        return -_CLOCK_SKEW <= now - issued <= self.max_age
