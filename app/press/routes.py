"""Signed-in press views under /press/manage: the liaison keeps the media page true and logs
inquiries and coverage. Every staff member may read the inquiries and coverage logs; only
the liaison (and admins) change anything or see spokespeople's internal notes."""

from __future__ import annotations

from datetime import timedelta

from flask import request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.access import roles
from app.auth.models import Role
from app.database import utcnow
from app.extensions import db
from app.pagination import paginate
from app.press import bp, services, uploads
from app.press.chart import coverage_svg
from app.press.forms import (
    CoverageForm,
    InquiryUpdateForm,
    KitForm,
    LoggedInquiryForm,
    SettingsForm,
    ShiftForm,
    SpokespersonForm,
    StatementForm,
)
from app.press.models import (
    Attribution,
    Coverage,
    Inquiry,
    InquiryStatus,
    KitItem,
    RotaShift,
    Spokesperson,
    Statement,
    Tone,
)
from app.web import render, see_other

PAGE_SIZE = 50
liaison = roles(Role.liaison)


# --- overview, rota, freshness ----------------------------------------------------------------


def _people() -> list[Spokesperson]:
    return list(db.session.scalars(
        select(Spokesperson).order_by(Spokesperson.position, Spokesperson.id)))


def _shift_form() -> ShiftForm:
    form = ShiftForm()
    form.spokesperson_id.choices = [(p.id, p.name) for p in _people() if p.active]
    return form


def _index(shift_form: ShiftForm, status: int = 200):
    view = services.public_view()
    day = services.today()
    return render("press/index.html", status=status, view=view, people=_people(),
                  rota=services.rota(day - timedelta(days=1)), shift_form=shift_form,
                  stale=services.is_stale(view.page), today=day)


@bp.route("/manage")
@liaison
def index():
    """The media page at a glance: who is on duty, the rota, freshness, what to edit."""
    form = _shift_form()
    day = services.today()
    form.starts_on.data, form.ends_on.data = day, day + timedelta(days=6)
    return _index(form)


@bp.route("/manage/reviewed", methods=["POST"])
@liaison
def reviewed():
    """Record that someone checked the media page is true today."""
    services.mark_reviewed(current_user._get_current_object())
    db.session.commit()
    return see_other(url_for("press.index"), "Marked the media page as reviewed today.")


@bp.route("/manage/rota", methods=["POST"])
@liaison
def shift_add():
    """Add a rota shift."""
    form = _shift_form()
    if not form.validate():
        return _index(form, status=422)
    person = db.get_or_404(Spokesperson, form.spokesperson_id.data)
    services.add_shift(person, form.starts_on.data, form.ends_on.data)
    db.session.commit()
    return see_other(url_for("press.index"), f"{person.name} is on the rota.")


@bp.route("/manage/rota/<int:shift_id>/delete", methods=["POST"])
@liaison
def shift_delete(shift_id: int):
    """Remove a rota shift."""
    services.delete_shift(db.get_or_404(RotaShift, shift_id))
    db.session.commit()
    return see_other(url_for("press.index"), "Removed the shift.")


@bp.route("/manage/spokespeople/<int:person_id>/on-duty", methods=["POST"])
@liaison
def on_duty(person_id: int):
    """Put this spokesperson on duty for today (the /press page changes at once)."""
    person = db.get_or_404(Spokesperson, person_id)
    if not person.is_public:
        return see_other(url_for("press.index"),
                         f"{person.name} is away or inactive; mark them back first.", "error")
    services.put_on_duty_today(person)
    db.session.commit()
    return see_other(url_for("press.index"), f"{person.name} is on duty today.")


@bp.route("/manage/spokespeople/<int:person_id>/away", methods=["POST"])
@liaison
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


@bp.route("/manage/spokespeople/new", methods=["GET", "POST"])
@liaison
def spokesperson_new():
    """Add a spokesperson."""
    return _save_person(None)


@bp.route("/manage/spokespeople/<int:person_id>/edit", methods=["GET", "POST"])
@liaison
def spokesperson_edit(person_id: int):
    """Edit a spokesperson."""
    return _save_person(db.get_or_404(Spokesperson, person_id))


# --- page settings, kit, statements, history ----------------------------------------------------


@bp.route("/manage/settings", methods=["GET", "POST"])
@liaison
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


@bp.route("/manage/kit", methods=["GET", "POST"])
@liaison
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


@bp.route("/manage/kit/<int:item_id>/delete", methods=["POST"])
@liaison
def kit_delete(item_id: int):
    """Take a file out of the press kit."""
    stored = services.delete_kit_item(db.get_or_404(KitItem, item_id))
    db.session.commit()
    uploads.remove("kit", stored)
    return see_other(url_for("press.kit"), "Removed from the press kit.")


@bp.route("/manage/statements")
@liaison
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
        form.issued_on.data = services.today()
    if form.validate_on_submit():
        statement = services.save_statement(statement, {k: getattr(form, k).data for k in (
            "title", "issued_on", "body", "published")})
        db.session.commit()
        return see_other(url_for("press.statements"), "Saved the statement.")
    status = 422 if request.method == "POST" else 200
    return render("press/statement_form.html", status=status, form=form, statement=statement)


@bp.route("/manage/statements/new", methods=["GET", "POST"])
@liaison
def statement_new():
    """Write a statement or press release."""
    return _save_statement(None)


@bp.route("/manage/statements/<int:statement_id>/edit", methods=["GET", "POST"])
@liaison
def statement_edit(statement_id: int):
    """Edit, publish or unpublish a statement."""
    return _save_statement(db.get_or_404(Statement, statement_id))


@bp.route("/manage/statements/<int:statement_id>/delete", methods=["POST"])
@liaison
def statement_delete(statement_id: int):
    """Delete a statement."""
    services.delete_statement(db.get_or_404(Statement, statement_id))
    db.session.commit()
    return see_other(url_for("press.statements"), "Deleted the statement.")


@bp.route("/manage/history")
@liaison
def history():
    """Press page history: every change to what /press shows, who made it and when."""
    return render("press/history.html", events=services.history())


# --- media relations: inquiries and coverage (all staff read; the liaison changes) ----------------


@bp.route("/manage/inquiries")
def inquiries():
    """The inquiries log: open first by deadline, then the rest newest first."""
    status = request.args.get("status", "open")
    query = select(Inquiry)
    if status == "open":
        query = query.where(Inquiry.status.in_([InquiryStatus.new, InquiryStatus.responding]))
        order = (Inquiry.deadline,)
    else:
        if status in InquiryStatus.__members__:
            query = query.where(Inquiry.status == InquiryStatus(status))
        order = (Inquiry.deadline.desc(),)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = paginate(total, PAGE_SIZE)
    rows = db.session.scalars(query.order_by(*order, Inquiry.id.desc()).limit(page.limit)
                              .offset(page.offset)).unique().all()
    return render("press/inquiries.html", block="results", inquiries=rows, current=status,
                  page=page.number, pages=page.pages, args=request.args,
                  now=utcnow(), statuses=list(InquiryStatus))


@bp.route("/manage/inquiries/new", methods=["GET", "POST"])
@liaison
def inquiry_new():
    """Log an inquiry that came by phone or in person."""
    form = LoggedInquiryForm()
    if form.validate_on_submit():
        row = services.log_inquiry(form.data)
        db.session.commit()
        return see_other(url_for("press.inquiry", inquiry_id=row.id), "Logged the inquiry.")
    return render("press/inquiry_new.html", form=form,
                  status=422 if form.is_submitted() else 200)


def _inquiry_form(inquiry: Inquiry) -> InquiryUpdateForm:
    form = InquiryUpdateForm(obj=inquiry)
    form.spokesperson_id.choices = [(0, "Not assigned")] + [(p.id, p.name) for p in _people()]
    if request.method == "GET":
        form.status.data = inquiry.status.value
        form.attribution.data = inquiry.attribution.value
        form.spokesperson_id.data = inquiry.spokesperson_id or 0
    return form


@bp.route("/manage/inquiries/<int:inquiry_id>")
def inquiry(inquiry_id: int):
    """One inquiry, with the response form for the liaison."""
    row = db.get_or_404(Inquiry, inquiry_id)
    return render("press/inquiry.html", inquiry=row, form=_inquiry_form(row),
                  now=utcnow(), **_journalist(row))


def _journalist(row: Inquiry) -> dict:
    """The linked contact, or (not yet linked) the contact who already has this email."""
    from app.people import services as people  # here: press loads before people's models

    if row.contact_id:
        return {"contact": people.load_contact(row.contact_id), "match": None}
    return {"contact": None, "match": people.contact_by_email(row.journalist_email)}


@bp.route("/manage/inquiries/<int:inquiry_id>/contact", methods=["POST"])
@liaison
def inquiry_contact(inquiry_id: int):
    """Link the journalist to their contact, adding one (with the outlet as a media
    organization) when nobody has their email yet."""
    from app.people import services as people
    from app.people.models import OrgType

    row = db.get_or_404(Inquiry, inquiry_id)
    target = url_for("press.inquiry", inquiry_id=row.id)
    if row.contact_id:
        return see_other(target, "Already linked to a contact.")
    contact, created = people.find_or_add_contact(
        row.journalist_name, row.journalist_email, current_user,
        phone=row.journalist_phone or None, organization=row.outlet, org_type=OrgType.media,
        source=f"Media inquiry #{row.id}", is_media=True, reason="Sent a media inquiry")
    services.link_journalist(row, contact.id, created)
    db.session.commit()
    return see_other(target, f"Added {contact.name} to your media contacts." if created
                     else f"Linked this inquiry to {contact.name}.")


@bp.route("/manage/inquiries/<int:inquiry_id>", methods=["POST"])
@liaison
def inquiry_update(inquiry_id: int):
    """Record the status, terms, who answers and how it went."""
    row = db.get_or_404(Inquiry, inquiry_id)
    form = _inquiry_form(row)
    if not form.validate():
        return render("press/inquiry.html", status=422, inquiry=row, form=form,
                      now=utcnow(), **_journalist(row))
    services.update_inquiry(row, {
        "status": InquiryStatus(form.status.data),
        "attribution": Attribution(form.attribution.data),
        "spokesperson_id": form.spokesperson_id.data or None,
        "response_notes": form.response_notes.data or "",
    })
    db.session.commit()
    return see_other(url_for("press.inquiries"), "Saved the inquiry.")


def _coverage_page(form: CoverageForm, status: int = 200):
    total = db.session.scalar(select(func.count()).select_from(Coverage))
    page = paginate(total, PAGE_SIZE)
    rows = db.session.scalars(
        select(Coverage).order_by(Coverage.published_on.desc(), Coverage.id.desc())
        .limit(page.limit).offset(page.offset)).all()
    months = services.coverage_by_month(12)
    return render("press/coverage.html", status=status, form=form, items=rows,
                  chart=coverage_svg(months), months=months, tones=list(Tone),
                  page=page.number, pages=page.pages, args=request.args)


@bp.route("/manage/coverage")
def coverage():
    """The coverage log and a chart of coverage over time by tone."""
    form = CoverageForm(formdata=None)
    form.published_on.data = services.today()
    return _coverage_page(form)


@bp.route("/manage/coverage", methods=["POST"])
@liaison
def coverage_add():
    """Log a story."""
    form = CoverageForm()
    if not form.validate():
        return _coverage_page(form, status=422)
    services.add_coverage({k: getattr(form, k).data for k in (
        "outlet", "published_on", "headline", "url", "quoted")} | {"tone": Tone(form.tone.data)})
    db.session.commit()
    return see_other(url_for("press.coverage"), "Logged the story.")


@bp.route("/manage/coverage/<int:item_id>/delete", methods=["POST"])
@liaison
def coverage_delete(item_id: int):
    """Delete a coverage entry."""
    services.delete_coverage(db.get_or_404(Coverage, item_id))
    db.session.commit()
    return see_other(url_for("press.coverage"), "Deleted the entry.")
