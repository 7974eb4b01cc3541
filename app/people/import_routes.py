"""Signed-in views for importing contacts: upload, match the columns, preview, confirm, undo
(admin and liaison only)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from app.auth.access import roles
from app.auth.models import Role
from app.database import utcnow
from app.extensions import db
from app.people import imports
from app.people.blueprint import bp
from app.people.forms import ActionForm, ImportForm, column_form
from app.people.imports.columns import BY_KEY, ONE
from app.people.lifecycle import plural
from app.people.models import ContactImport
from app.system.pagination import paginate
from app.web import render, see_other

PREVIEW_PAGE_SIZE = 50
SHOW = {"all": "All rows", "problems": "Problems", "duplicates": "Possible duplicates",
        "update": "Updates", "create": "New contacts", "organization": "New organizations",
        "skip": "Left out"}


def _recent() -> list[ContactImport]:
    # Not their staged rows: megabytes each, and the list needs none of it.
    return list(db.session.scalars(
        select(ContactImport).where(ContactImport.confirmed_at.is_not(None))
        .options(joinedload(ContactImport.created_by), defer(ContactImport.rows))
        .order_by(ContactImport.confirmed_at.desc()).limit(20)))


def _unfinished() -> list[dict]:
    """The signed-in user's own uploads not yet imported and not expired: id, filename,
    when, and whether the columns still wait (read from the staged JSON, not loaded)."""
    cutoff = utcnow() - timedelta(hours=imports.PREVIEW_HOURS)
    stage = ContactImport.rows["stage"].as_string()
    return [{"id": i, "filename": name, "created_at": at, "waiting": waiting == "columns"}
            for i, name, at, waiting in db.session.execute(
                select(ContactImport.id, ContactImport.filename, ContactImport.created_at,
                       stage)
                .where(ContactImport.confirmed_at.is_(None),
                       ContactImport.created_by_id == current_user.id,
                       ContactImport.created_at >= cutoff)
                .order_by(ContactImport.created_at.desc()).limit(10))]


@bp.route("/import", methods=["GET", "POST"])
@roles(Role.liaison)
def import_upload():
    """Upload a file of contacts (CSV or vCard); matching its columns and a preview follow,
    and nothing is written until confirmed."""
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", None):
            form.file.errors.append("Choose a file to upload: a CSV or a vCard (.vcf).")
        else:
            data = upload.stream.read(imports.MAX_BYTES + 1)
            try:
                imp = imports.stage(upload.filename, data, current_user)
            except imports.ImportFileError as exc:
                db.session.rollback()
                form.file.errors.append(str(exc))
            else:
                db.session.commit()
                return see_other(url_for("people.import_columns", import_id=imp.id))
    status = 422 if request.method == "POST" else 200
    return render("people/import_upload.html", form=form, recent=_recent(),
                  unfinished=_unfinished(), targets=imports.TARGETS,
                  max_mb=imports.MAX_BYTES // 1024 // 1024, max_rows=imports.MAX_ROWS,
                  hours=imports.PREVIEW_HOURS, status=status)


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


def _shown(data: dict) -> list[int]:
    """The columns the mapping page asks about: those with a value in some row."""
    return [i for i, samples in enumerate(data["samples"]) if samples]


def _chosen(data: dict, form) -> list[str | None]:
    """Each column's field from the form. A column the page didn't show (empty in every
    row) keeps its field for the remembered mapping, unless a shown column now holds that
    single-value field."""
    fields: list[str | None] = list(data["fields"])
    shown = _shown(data)
    for index in shown:
        fields[index] = form[f"col_{index}"].data or None
    taken = {fields[i] for i in shown}
    for index, target in enumerate(fields):
        if index not in shown and target and (
                target not in BY_KEY or (BY_KEY[target].kind == ONE and target in taken)):
            fields[index] = None
    return fields


@bp.route("/import/<int:import_id>/columns", methods=["GET", "POST"])
@roles(Role.liaison)
def import_columns(import_id: int):
    """Match each column of an upload to a field (pre-filled from its format, or from the
    choice last made for the same headers), then on to the preview."""
    # Locked on a post, so a confirm in another tab can't be overwritten by a remap.
    imp = _load(import_id, lock=request.method == "POST")
    data = imp.rows
    if imp.confirmed_at is not None or "cells" not in data:
        return see_other(url_for("people.import_show", import_id=imp.id))
    shown = _shown(data)
    headers = data["headers"]
    form = column_form([(i, headers[i], data["fields"][i]) for i in shown],
                       [(t.key, t.label, t.group) for t in imports.TARGETS])
    general: list[str] = []
    if form.validate_on_submit():
        try:
            imports.map_columns(imp, _chosen(data, form))
        except imports.MappingError as exc:
            db.session.rollback()
            for index, message in exc.columns.items():
                if index in shown:
                    form[f"col_{index}"].errors.append(message)
                else:
                    general.append(message)
            general.extend(exc.general)
        else:
            db.session.commit()
            return see_other(url_for("people.import_show", import_id=imp.id))
    remembered = data.get("remembered_at")
    return render("people/import_columns.html", imp=imp, data=data, form=form,
                  columns=[(form[f"col_{i}"], data["samples"][i]) for i in shown],
                  empty=[h or f"Column {i + 1}" for i, h in enumerate(headers)
                         if i not in shown],
                  fmt=imports.format_by_key(data.get("format")), general=general,
                  remembered=datetime.fromisoformat(remembered) if remembered else None,
                  named=any(data["fields"][i] in ("first_name", "name") for i in shown),
                  status=422 if request.method == "POST" else 200)


def _rows(imp: ContactImport, show: str) -> list[imports.StagedRow]:
    rows = imports.staged_rows(imp.rows)
    if show == "problems":
        return [r for r in rows if r.errors]
    if show == "duplicates":
        return [r for r in rows if r.duplicates or r.same_phone_as]
    if show in ("update", "create", "organization", "skip"):
        return [r for r in rows if r.action == show]
    return rows


def _preview(imp: ContactImport, status: int = 200, message: str | None = None):
    show = request.args.get("show", "all")
    show = show if show in SHOW else "all"
    rows = _rows(imp, show)
    page = paginate(len(rows), PREVIEW_PAGE_SIZE)
    return render("people/import_preview.html", block="rows", imp=imp, data=imp.rows,
                  rows=page.slice(rows), total=len(rows), page=page.number, pages=page.pages,
                  show=show, shows=SHOW, form=ActionForm(), message=message, status=status,
                  args={"show": show}, format_by_key=imports.format_by_key,
                  describe_changes=imports.describe_changes)


@bp.route("/import/<int:import_id>")
@roles(Role.liaison)
def import_show(import_id: int):
    """An import: its preview before confirming, its summary (and undo) after."""
    imp = _load(import_id)
    if not imports.is_previewed(imp):
        return see_other(url_for("people.import_columns", import_id=imp.id))
    return _preview(imp)


@bp.route("/import/<int:import_id>/confirm", methods=["POST"])
@roles(Role.liaison)
def import_confirm(import_id: int):
    """Write the previewed rows, all or nothing."""
    imp = _load(import_id, lock=True)
    form = ActionForm()
    if imp.confirmed_at is not None:
        return see_other(url_for("people.import_show", import_id=imp.id),
                         "This import was already confirmed.", "info")
    if not imports.is_previewed(imp):
        return see_other(url_for("people.import_columns", import_id=imp.id))
    if not form.validate_on_submit():
        return _preview(imp, 422, "The form expired. Please confirm again.")
    try:
        result = imports.confirm(imp, current_user)
    except imports.ImportRowsError as exc:
        # Nothing is written; keep only the refreshed preview so it shows why.
        db.session.commit()
        return _preview(imp, 422, str(exc))
    db.session.commit()
    orgs = (f", {plural(result['organizations'], 'organization')} added"
            if result["organizations"] else "")
    return see_other(url_for("people.import_show", import_id=imp.id),
                     f"Imported: {result['created']} added, {result['updated']} updated"
                     f"{orgs}.")


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
