"""Signed-in views for CSV import: upload, preview, confirm, undo (admin and liaison only)."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.access import roles
from app.auth.models import Role
from app.extensions import db
from app.people import imports
from app.people.blueprint import bp
from app.people.forms import ActionForm, ImportForm
from app.people.models import ContactImport
from app.system.pagination import paginate
from app.web import render, see_other

PREVIEW_PAGE_SIZE = 50
SHOW = {"all": "All rows", "problems": "Problems", "duplicates": "Possible duplicates",
        "update": "Updates", "create": "New contacts"}


def _recent() -> list[ContactImport]:
    return list(db.session.scalars(
        select(ContactImport).where(ContactImport.confirmed_at.is_not(None))
        .options(joinedload(ContactImport.created_by))
        .order_by(ContactImport.confirmed_at.desc()).limit(20)))


@bp.route("/import", methods=["GET", "POST"])
@roles(Role.liaison)
def import_upload():
    """Upload a CSV of contacts; a preview follows, and nothing is written until confirmed."""
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", None):
            form.file.errors.append("Choose a CSV file to upload.")
        else:
            data = upload.stream.read(imports.MAX_BYTES + 1)
            try:
                imp = imports.stage(upload.filename, data, current_user)
            except imports.ImportFileError as exc:
                db.session.rollback()
                form.file.errors.append(str(exc))
            else:
                db.session.commit()
                return see_other(url_for("people.import_show", import_id=imp.id))
    status = 422 if request.method == "POST" else 200
    return render("people/import_upload.html", form=form, recent=_recent(),
                  headers=imports.HEADERS, max_mb=imports.MAX_BYTES // 1024 // 1024,
                  max_rows=imports.MAX_ROWS, hours=imports.PREVIEW_HOURS, status=status)


def _load(import_id: int, lock: bool = False) -> ContactImport:
    query = select(ContactImport).where(ContactImport.id == import_id)
    if lock:
        # Two clicks on Confirm (or Undo) must not both run: the second waits, then sees the
        # first's result. (SQLite's BEGIN IMMEDIATE already serializes writers.)
        query = query.with_for_update(of=ContactImport)
    imp = db.session.scalar(query.options(joinedload(ContactImport.created_by))) or abort(404)
    # A preview belongs to whoever uploaded it; a confirmed import is the team's record.
    if imp.confirmed_at is None and imp.created_by_id != current_user.id:
        abort(404)
    if imports.is_expired(imp):
        abort(404)
    return imp


def _rows(imp: ContactImport, show: str) -> list[imports.StagedRow]:
    rows = imports.staged_rows(imp.rows)
    if show == "problems":
        return [r for r in rows if r.errors]
    if show == "duplicates":
        return [r for r in rows if r.duplicates or r.notes]
    if show in ("update", "create"):
        return [r for r in rows if r.action == show]
    return rows


def _preview(imp: ContactImport, status: int = 200, message: str | None = None):
    show = request.args.get("show", "all")
    show = show if show in SHOW else "all"
    rows = _rows(imp, show)
    page = paginate(len(rows), PREVIEW_PAGE_SIZE)
    return render("people/import_preview.html", block="rows", imp=imp, data=imp.rows,
                  rows=page.slice(rows), total=len(rows), page=page.number, pages=page.pages,
                  show=show,
                  shows=SHOW, form=ActionForm(), message=message, status=status,
                  args={"show": show})


@bp.route("/import/<int:import_id>")
@roles(Role.liaison)
def import_show(import_id: int):
    """An import: its preview before confirming, its summary (and undo) after."""
    return _preview(_load(import_id))


@bp.route("/import/<int:import_id>/confirm", methods=["POST"])
@roles(Role.liaison)
def import_confirm(import_id: int):
    """Write the previewed rows, all or nothing."""
    imp = _load(import_id, lock=True)
    form = ActionForm()
    if imp.confirmed_at is not None:
        return see_other(url_for("people.import_show", import_id=imp.id),
                         "This import was already confirmed.", "info")
    if not form.validate_on_submit():
        return _preview(imp, 422, "The form expired. Please confirm again.")
    try:
        result = imports.confirm(imp, current_user)
    except imports.ImportRowsError as exc:
        # Nothing is written; keep only the refreshed preview so it shows why.
        db.session.commit()
        return _preview(imp, 422, str(exc))
    db.session.commit()
    return see_other(url_for("people.import_show", import_id=imp.id),
                     f"Imported: {result['created']} added, {result['updated']} updated.")


@bp.route("/import/<int:import_id>/undo", methods=["POST"])
@roles(Role.liaison)
def import_undo(import_id: int):
    """Undo a whole confirmed import."""
    imp = _load(import_id, lock=True)
    form = ActionForm()
    if imp.confirmed_at is None or imp.undone_at is not None:
        return see_other(url_for("people.import_show", import_id=imp.id),
                         "There is nothing to undo.", "info")
    if not form.validate_on_submit():
        return _preview(imp, 422, "The form expired. Please try again.")
    summary = imports.undo(imp, current_user)
    db.session.commit()
    why = sorted({w for k in summary["kept_contacts"] for w in k["why"]})
    kept = (f" {summary['kept']} kept: something links to them ({', '.join(why)})."
            if summary["kept"] else "")
    return see_other(url_for("people.import_show", import_id=imp.id),
                     f"Import undone: {summary['removed']} removed, {summary['restored']} "
                     f"put back.{kept}")


@bp.route("/import/<int:import_id>/discard", methods=["POST"])
@roles(Role.liaison)
def import_discard(import_id: int):
    """Throw away a preview without importing."""
    imp = _load(import_id)
    form = ActionForm()
    if imp.confirmed_at is None and form.validate_on_submit():
        db.session.delete(imp)
        db.session.commit()
        return see_other(url_for("people.import_upload"), "Discarded the preview.")
    return see_other(url_for("people.import_show", import_id=imp.id))
