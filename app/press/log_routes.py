"""The media log under /press/manage: media inquiries and coverage. Every staff member may
read them; only the liaison (and admins) log, answer or delete."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.access import roles
from app.auth.models import Role
from app.database import utcnow
from app.extensions import db
from app.people.contacts import contact_by_email, find_or_add_contact, load_contact
from app.people.models import OrgType
from app.press import services
from app.press.blueprint import log_bp as bp
from app.press.chart import coverage_svg
from app.press.forms import CoverageForm, InquiryUpdateForm, LoggedInquiryForm
from app.press.models import Attribution, Coverage, Inquiry, InquiryStatus, Tone
from app.settings import clock
from app.system.pagination import paginate
from app.web import render, see_other

PAGE_SIZE = 50
liaison = roles(Role.liaison)


@bp.route("/inquiries")
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


@bp.route("/inquiries/new", methods=["GET", "POST"])
@liaison
def inquiry_new():
    """Log an inquiry that came by phone or in person."""
    form = LoggedInquiryForm()
    if form.validate_on_submit():
        row = services.log_inquiry({**form.data, "deadline": form.deadline.moment})
        db.session.commit()
        return see_other(url_for("media_log.inquiry", inquiry_id=row.id), "Logged the inquiry.")
    return render("press/inquiry_new.html", form=form,
                  status=422 if form.is_submitted() else 200)


def _inquiry_form(inquiry: Inquiry) -> InquiryUpdateForm:
    form = InquiryUpdateForm(obj=inquiry)
    form.spokesperson_id.choices = [(0, "Not assigned")] + [
        (p.id, p.name) for p in services.spokespeople()]
    if request.method == "GET":
        form.status.data = inquiry.status.value
        form.attribution.data = inquiry.attribution.value
        form.spokesperson_id.data = inquiry.spokesperson_id or 0
    return form


@bp.route("/inquiries/<int:inquiry_id>")
def inquiry(inquiry_id: int):
    """One inquiry, with the response form for the liaison."""
    row = db.get_or_404(Inquiry, inquiry_id)
    return render("press/inquiry.html", inquiry=row, form=_inquiry_form(row),
                  now=utcnow(), **_journalist(row))


def _journalist(row: Inquiry) -> dict:
    """The linked contact, or (not yet linked) the contact who already has this email."""
    if row.contact_id:
        return {"contact": load_contact(row.contact_id), "match": None}
    return {"contact": None, "match": contact_by_email(row.journalist_email)}


@bp.route("/inquiries/<int:inquiry_id>/contact", methods=["POST"])
@liaison
def inquiry_contact(inquiry_id: int):
    """Link the journalist to their contact, adding one (with the outlet as a media
    organization) when nobody has their email yet."""
    row = db.get_or_404(Inquiry, inquiry_id)
    target = url_for("media_log.inquiry", inquiry_id=row.id)
    if row.contact_id:
        return see_other(target, "Already linked to a contact.")
    contact, created = find_or_add_contact(
        row.journalist_name, row.journalist_email, current_user,
        phone=row.journalist_phone or None, organization=row.outlet, org_type=OrgType.media,
        source=f"Media inquiry #{row.id}", is_media=True, reason="Sent a media inquiry")
    services.link_journalist(row, contact.id, created)
    db.session.commit()
    return see_other(target, f"Added {contact.name} to your media contacts." if created
                     else f"Linked this inquiry to {contact.name}.")


@bp.route("/inquiries/<int:inquiry_id>", methods=["POST"])
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
    return see_other(url_for("media_log.inquiries"), "Saved the inquiry.")


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


@bp.route("/coverage")
def coverage():
    """The coverage log and a chart of coverage over time by tone."""
    form = CoverageForm(formdata=None)
    form.published_on.data = clock.today()
    return _coverage_page(form)


@bp.route("/coverage", methods=["POST"])
@liaison
def coverage_add():
    """Log a story."""
    form = CoverageForm()
    if not form.validate():
        return _coverage_page(form, status=422)
    services.add_coverage({k: getattr(form, k).data for k in (
        "outlet", "published_on", "headline", "url", "quoted")} | {"tone": Tone(form.tone.data)})
    db.session.commit()
    return see_other(url_for("media_log.coverage"), "Logged the story.")


@bp.route("/coverage/<int:item_id>/delete", methods=["POST"])
@liaison
def coverage_delete(item_id: int):
    """Delete a coverage entry."""
    services.delete_coverage(db.get_or_404(Coverage, item_id))
    db.session.commit()
    return see_other(url_for("media_log.coverage"), "Deleted the entry.")
