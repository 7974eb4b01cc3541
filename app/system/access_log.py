"""Access logs without private data: request lines lose their query strings (searches name
people) and any token-like path segment (RSVP, booking and calendar-feed links)."""

from __future__ import annotations

import logging
import re

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
