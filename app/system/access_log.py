"""Access logs without private data.

- Our own request log: one structured line per request (method, the route's pattern,
  status, duration, user id) on the `liaison.requests` logger. A pattern such as
  `/rsvp/<token>` names no token, id or search word, so nothing personal is ever written.
- werkzeug's and gunicorn's request lines lose their query strings (searches name people)
  and any token-like path segment (RSVP, booking and calendar-feed links)."""

from __future__ import annotations

import logging
import re
import time

from flask import Flask, Response, g, request

requests_log = logging.getLogger("liaison.requests")

_TOKEN = re.compile(r"/[A-Za-z0-9_\-.]{20,}")
_REQUEST_LINE = re.compile(r"^[A-Z]+ \S+ HTTP/")


def redact(request_line: str) -> str:
    """'GET /rsvp/abc…xyz?a=1 HTTP/1.1' → 'GET /rsvp/… HTTP/1.1'."""
    method, _, rest = request_line.partition(" ")
    target, _, version = rest.rpartition(" ")
    path = target.split("?", 1)[0]
    path = _TOKEN.sub("/…", path)
    if "?" in target:
        path += "?…"
    return f"{method} {path} {version}"


class RedactFilter(logging.Filter):
    """A logging filter for werkzeug's and gunicorn's access lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact(a) if isinstance(a, str) and _REQUEST_LINE.match(a) else a
                for a in record.args
            )
        return True


def install() -> None:
    """Redact werkzeug's request log (the local server and the test server)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactFilter) for f in logger.filters):
        logger.addFilter(RedactFilter())


def _started() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    started = g.pop("request_started", None)
    ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    # Only a user the request already loaded: asking flask-login here would open the session
    # on anonymous public pages (and add Vary: Cookie to the cached /press).
    loaded = g.get("_login_user")
    user = loaded.id if loaded is not None and loaded.is_authenticated else "-"
    requests_log.info("method=%s route=%s status=%s ms=%.1f user=%s",
                      request.method, rule, response.status_code, ms, user)
    return response


def init_app(app: Flask) -> None:
    """One structured line per request, and werkzeug's own lines redacted."""
    app.before_request(_started)
    app.after_request(_log_request)
    install()
