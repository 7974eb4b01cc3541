"""The media page's management under /press/manage (liaison and admins): who is on duty,
spokespeople, page settings, press kit, statements and the page's history. The media log
(inquiries and coverage, which all staff read) is in `log_routes`."""

from __future__ import annotations

from datetime import timedelta

from flask import request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.extensions import db
from app.press import services, uploads
from app.press.blueprint import bp
from app.press.forms import (
    KitForm,
    SettingsForm,
    ShiftForm,
    SpokespersonForm,
    StatementForm,
)
from app.press.models import (
    KitItem,
    RotaShift,
    Spokesperson,
    Statement,
)
from app.settings import clock
from app.system.pagination import paginate
from app.web import render, see_other

PAGE_SIZE = 50


# --- overview, rota, freshness ----------------------------------------------------------------


def _shift_form() -> ShiftForm:
    form = ShiftForm()
    form.spokesperson_id.choices = [(p.id, p.name) for p in services.spokespeople() if p.active]
    return form


def _index(shift_form: ShiftForm, status: int = 200):
    view = services.public_view()
    day = clock.today()
    return render("press/index.html", status=status, view=view, people=services.spokespeople(),
                  rota=services.rota(day - timedelta(days=1)), shift_form=shift_form,
                  stale=services.is_stale(view.page), today=day)


@bp.route("")
def index():
    """The media page at a glance: who is on duty, the rota, freshness, what to edit."""
    form = _shift_form()
    day = clock.today()
    form.starts_on.data, form.ends_on.data = day, day + timedelta(days=6)
    return _index(form)


@bp.route("/reviewed", methods=["POST"])
def reviewed():
    """Record that someone checked the media page is true today."""
    services.mark_reviewed(current_user._get_current_object())
    db.session.commit()
    return see_other(url_for("press.index"), "Marked the media page as reviewed today.")


@bp.route("/rota", methods=["POST"])
def shift_add():
    """Add a rota shift."""
    form = _shift_form()
    if not form.validate():
        return _index(form, status=422)
    person = db.get_or_404(Spokesperson, form.spokesperson_id.data)
    services.add_shift(person, form.starts_on.data, form.ends_on.data)
    db.session.commit()
    return see_other(url_for("press.index"), f"{person.name} is on the rota.")


@bp.route("/rota/<int:shift_id>/delete", methods=["POST"])
def shift_delete(shift_id: int):
    """Remove a rota shift."""
    services.delete_shift(db.get_or_404(RotaShift, shift_id))
    db.session.commit()
    return see_other(url_for("press.index"), "Removed the shift.")


@bp.route("/spokespeople/<int:person_id>/on-duty", methods=["POST"])
def on_duty(person_id: int):
    """Put this spokesperson on duty for today (the /press page changes at once)."""
    person = db.get_or_404(Spokesperson, person_id)
    if not person.is_public:
        return see_other(url_for("press.index"),
                         f"{person.name} is away or inactive; mark them back first.", "error")
    services.put_on_duty_today(person)
    db.session.commit()
    return see_other(url_for("press.index"), f"{person.name} is on duty today.")


@bp.route("/spokespeople/<int:person_id>/away", methods=["POST"])
def away(person_id: int):
    """Mark someone away (off the public page at once) or back."""
    person = db.get_or_404(Spokesperson, person_id)
    is_away = request.form.get("away") == "1"
    services.set_away(person, is_away)
    db.session.commit()
    return see_other(url_for("press.index"),
                     f"{person.name} is {'away' if is_away else 'back'}.")


# --- spokespeople -----------------------------------------------------------------------------


def _save_person(person: Spokesperson | None):
    form = SpokespersonForm(obj=person)
    if form.validate_on_submit():
        photo = None
        if form.photo.data and getattr(form.photo.data, "filename", ""):
            try:
                photo = uploads.reencode_photo(form.photo.data.stream)
            except uploads.UploadRefused as refused:
                form.photo.errors = [str(refused)]
        if not form.photo.errors:
            data = {k: getattr(form, k).data for k in services.PERSON_FIELDS}
            person, old_photo = services.save_spokesperson(person, data, photo)
            db.session.commit()
            uploads.remove("photos", old_photo)
            return see_other(url_for("press.index"), f"Saved {person.name}.")
    status = 422 if request.method == "POST" else 200
    return render("press/spokesperson_form.html", status=status, form=form, person=person)


@bp.route("/spokespeople/new", methods=["GET", "POST"])
def spokesperson_new():
    """Add a spokesperson."""
    return _save_person(None)


@bp.route("/spokespeople/<int:person_id>/edit", methods=["GET", "POST"])
def spokesperson_edit(person_id: int):
    """Edit a spokesperson."""
    return _save_person(db.get_or_404(Spokesperson, person_id))


# --- page settings, kit, statements, history ----------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Boilerplate, media-line hours, the response-time promise, after hours, review interval."""
    form = SettingsForm(obj=services.page())
    if form.validate_on_submit():
        services.save_settings({k: getattr(form, k).data for k in (
            "boilerplate", "hours", "response_time", "after_hours", "review_interval_days")})
        db.session.commit()
        return see_other(url_for("press.index"), "Saved the media page settings.")
    status = 422 if request.method == "POST" else 200
    return render("press/settings.html", status=status, form=form)


def _kit_page(form: KitForm, status: int = 200):
    items = db.session.scalars(select(KitItem).order_by(KitItem.position, KitItem.id)).all()
    return render("press/kit.html", status=status, form=form, items=items)


@bp.route("/kit", methods=["GET", "POST"])
def kit():
    """The press kit, and the upload form."""
    form = KitForm()
    if request.method == "GET":
        return _kit_page(form)
    if form.validate():
        try:
            checked = uploads.check_kit_file(form.file.data.stream)
        except uploads.UploadRefused as refused:
            form.file.errors = [str(refused)]
        else:
            services.add_kit_item(form.title.data, checked)
            db.session.commit()
            return see_other(url_for("press.kit"), f"Added {form.title.data} to the press kit.")
    return _kit_page(form, status=422)


@bp.route("/kit/<int:item_id>/delete", methods=["POST"])
def kit_delete(item_id: int):
    """Take a file out of the press kit."""
    stored = services.delete_kit_item(db.get_or_404(KitItem, item_id))
    db.session.commit()
    uploads.remove("kit", stored)
    return see_other(url_for("press.kit"), "Removed from the press kit.")


@bp.route("/statements")
def statements():
    """Statements and press releases, drafts included."""
    total = db.session.scalar(select(func.count()).select_from(Statement))
    page = paginate(total, PAGE_SIZE)
    rows = db.session.scalars(
        select(Statement).order_by(Statement.issued_on.desc(), Statement.id.desc())
        .limit(page.limit).offset(page.offset)).all()
    return render("press/statements.html", statements=rows, page=page.number,
                  pages=page.pages, args=request.args)


def _save_statement(statement: Statement | None):
    form = StatementForm(obj=statement)
    if request.method == "GET" and statement is None:
        form.issued_on.data = clock.today()
    if form.validate_on_submit():
        statement = services.save_statement(statement, {k: getattr(form, k).data for k in (
            "title", "issued_on", "body", "published")})
        db.session.commit()
        return see_other(url_for("press.statements"), "Saved the statement.")
    status = 422 if request.method == "POST" else 200
    return render("press/statement_form.html", status=status, form=form, statement=statement)


@bp.route("/statements/new", methods=["GET", "POST"])
def statement_new():
    """Write a statement or press release."""
    return _save_statement(None)


@bp.route("/statements/<int:statement_id>/edit", methods=["GET", "POST"])
def statement_edit(statement_id: int):
    """Edit, publish or unpublish a statement."""
    return _save_statement(db.get_or_404(Statement, statement_id))


@bp.route("/statements/<int:statement_id>/delete", methods=["POST"])
def statement_delete(statement_id: int):
    """Delete a statement."""
    services.delete_statement(db.get_or_404(Statement, statement_id))
    db.session.commit()
    return see_other(url_for("press.statements"), "Deleted the statement.")


@bp.route("/history")
def history():
    """Press page history: every change to what /press shows, who made it and when."""
    return render("press/history.html", events=services.history())
