"""Error pages that work as full pages and as htmx fragments, never showing a traceback."""

from __future__ import annotations

from flask import (
    Flask,
    g,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import (
    Conflict,
    HTTPException,
    InternalServerError,
    NotFound,
    SecurityError,
    ServiceUnavailable,
)

from app.web import wants_fragment

MESSAGES = {
    400: ("Something was wrong with that request",
          "The form may have expired. Go back, reload the page and try again."),
    401: ("Please sign in", "Your session has ended. Sign in again to continue."),
    403: ("Not available to your role", "Ask an admin if you need access to this."),
    404: ("Page not found", "The page may have moved, or the link may be incomplete."),
    405: ("That action isn't available here", "Go back and try again from the page."),
    413: ("That upload is too large", "Choose a smaller file and try again."),
    409: ("Someone else just changed this",
          "Nothing you sent was saved. Go back, reload the page to see their changes, and "
          "make yours again."),
    429: ("Too many attempts", "Please wait a few minutes before trying again."),
    500: ("Something went wrong on our side",
          "The problem has been logged. Please try again in a moment."),
    503: ("Temporarily unavailable", "Please try again in a moment."),
}
# Said first when a request that changes things failed before anything was committed.
NOTHING_SAVED = "Nothing was saved."
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def _render(code: int, *, nothing_saved: bool = False):
    title, detail = MESSAGES.get(code, MESSAGES[500])
    if nothing_saved and not detail.startswith("Nothing"):
        detail = f"{NOTHING_SAVED} {detail}"
    if wants_fragment():
        html = render_template("errors/_alert.html", title=title, detail=detail)
        response = make_response(html, code)
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        html = render_template("errors/error.html", code=code, title=title, detail=detail)
        response = make_response(html, code)
    response.vary.add("HX-Request")
    return response


def _without_trailing_slash(app: Flask):
    """A 308 to the same address without its trailing slash when that one exists: people
    type and share `/tours/` and `/press/` for `/tours` and `/press`. (Werkzeug already adds
    a slash a rule ends with; it never takes one away.)"""
    path = request.path
    if request.url_rule is not None or len(path) < 2 or not path.endswith("/"):
        return None
    target = path.rstrip("/")
    if not target:
        return None
    try:
        app.url_map.bind_to_environ(request.environ).match(target, method=request.method)
    except HTTPException:
        return None
    query = request.query_string.decode("latin-1")
    return redirect(target + ("?" + query if query else ""), code=308)


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors and for anything unexpected."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        if isinstance(exc, NotFound) and (moved := _without_trailing_slash(app)):
            return moved
        if isinstance(exc, SecurityError):
            # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
            return make_response("This site is not served at that address.\n", 400,
                                 {"Content-Type": "text/plain; charset=utf-8"})
        response = _render(exc.code)
        if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    from app.extensions import db

    if not event.contains(db.session, "after_commit", _committed):
        event.listen(db.session, "after_commit", _committed)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        nothing_saved = request.method not in _SAFE and not g.get(_COMMITTED)
        if nothing_saved and "_flashes" in session:
            # Whatever this request queued ("Saved.") did not happen.
            session.pop("_flashes")
        if isinstance(exc, StaleDataError):
            # A row changed under an update (version_id_col): another person's save won.
            app.logger.info("Edit conflict: %s", type(exc).__name__)
            return _render(Conflict.code)
        app.logger.exception("Unhandled error")
        # A database that is down, busy past its timeout or out of disk: not our code's bug.
        code = ServiceUnavailable.code if isinstance(exc, OperationalError) else \
            InternalServerError.code
        return _render(code, nothing_saved=nothing_saved)


_COMMITTED = "liaison_committed"


def _committed(session) -> None:
    """Remember that this request committed something (its error page can't say "nothing
    was saved" after that). A savepoint's release is no commit: the event fires for it too."""
    if has_request_context() and not session.in_nested_transaction():
        g.setdefault(_COMMITTED, True)
