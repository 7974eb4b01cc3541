"""Anonymous system endpoints: /healthz and the vendored front-end files."""

from __future__ import annotations

from flask import abort, current_app, jsonify, redirect, send_from_directory, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.auth.access import public
from app.extensions import db
from app.system.assets import vendor_folder
from app.system.blueprint import bp


@bp.route("/healthz")
@public
def healthz():
    """Liveness plus a database round-trip, for monitoring."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("healthz: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/vendor/<name>/<path:filename>")
@public
def vendor(name: str, filename: str):
    """Serve a file of an installed front-end package (e.g. htmx.min.js). Pages link it
    fingerprinted, kept a year (app.system.assets); without the fingerprint, a week."""
    folder = vendor_folder(name)
    if folder is None:
        abort(404)
    return send_from_directory(folder, filename, max_age=7 * 24 * 3600)


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico; ours is an SVG."""
    # Unfingerprinted: a browser keeps a 301 for good, and the icon may change.
    return redirect(url_for("static", filename="favicon.svg", v=None), code=301)
