"""Signed-in views for interaction notes, commitments and keeping in touch."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.access import roles
from app.auth.models import Role
from app.database import writes
from app.extensions import db
from app.notes import sections, services
from app.notes.blueprint import bp
from app.notes.forms import CloseCommitmentForm, CommitmentForm, IntervalsForm, NoteForm
from app.notes.models import BodyFormat, Commitment, CommitmentStatus, Note
from app.people import search
from app.people.models import Channel, Contact, Organization
from app.people.picker import ids_from
from app.people.queries import user_choices
from app.settings.clock import today
from app.system.pagination import COUNT_CAP, page_number, paginate, paginate_capped
from app.web import back_to, render, see_other, trigger, wants_fragment

PAGE_SIZE = 25


# --- notes ------------------------------------------------------------------------------


def _note_values(form: NoteForm, note: Note | None = None) -> dict:
    values = {"occurred_on": form.occurred_on.data, "channel": Channel(form.channel.data),
              "summary": form.summary.data, "body": form.body.data or "",
              "body_format": BodyFormat(form.body_format.data or "plain")}
    if services.may_mark_sensitive(note, current_user):
        values["sensitive"] = bool(form.sensitive.data)
    return values


def _after_note(note: Note):
    if note.contacts:
        return url_for("people.show", contact_id=note.contacts[0].id)
    if note.organizations:
        return url_for("people.organization_show", org_id=note.organizations[0].id)
    return url_for("notes.show", note_id=note.id)


@bp.route("/")
def index():
    """Recent notes (sensitive ones only for admin and liaison), searchable by text."""
    query = services.visible_notes(current_user)
    q = (request.args.get("q") or "").strip()[:200]
    matching = search.note_ids_matching(q) if q else None
    if matching is not None:
        query = query.where(Note.id.in_(matching))
    page = paginate_capped(query.with_only_columns(Note.id), PAGE_SIZE)
    rows = list(db.session.scalars(
        query.options(joinedload(Note.author), selectinload(Note.contacts),
                      selectinload(Note.organizations))
        .order_by(Note.occurred_on.desc(), Note.id.desc())
        .limit(page.limit).offset(page.offset)))
    return render("notes/index.html", block="results", notes=rows, total=page.total,
                  capped=page.capped, page=page.number, pages=page.pages, args=request.args)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Log an interaction with one or more people and organizations."""
    form = NoteForm()
    if request.method == "GET":
        form.occurred_on.data = today()
        # The contact or organization the form was opened from stays chosen.
        form.contact_ids.data = ids_from(request.args.getlist("contact"))[:20]
        form.organization_ids.data = ids_from(request.args.getlist("organization"))[:20]
    if form.validate_on_submit():
        note = services.log_note(_note_values(form), form.contact_ids.data or [],
                                 form.organization_ids.data or [], current_user)
        location = back_to(_after_note(note))
        db.session.commit()
        return see_other(location, "Note saved.")
    status = 422 if request.method == "POST" else 200
    return render("notes/form.html", form=form, note=None, status=status,
                  may_mark_sensitive=True)


def _quick_subject():
    """The contact or organization whose page a quick note came from (or None)."""
    for name, model in (("contact_ids", Contact), ("organization_ids", Organization)):
        found = ids_from(request.form.getlist(name))
        if found:
            return db.session.get(model, found[0])
    return None


def _notes_card(subject, form: NoteForm | None = None) -> dict:
    user = current_user._get_current_object()
    if isinstance(subject, Contact):
        return sections.contact_notes(subject, user, form)
    return sections.organization_notes(subject, user, form)


@bp.route("/quick", methods=["POST"])
def quick():
    """Log a note from a contact's or an organization's page. With htmx: the page's notes
    card again, the new note on top (`notes-changed`), or the card with what needs fixing
    (422). Without: back to the page, or the full note form with what needs fixing."""
    form = NoteForm()
    subject = _quick_subject()
    if form.validate_on_submit():
        note = services.log_note(_note_values(form), form.contact_ids.data or [],
                                 form.organization_ids.data or [], current_user)
        location = back_to(_after_note(note))
        db.session.commit()
        if subject is None or not wants_fragment():
            return see_other(location, "Note saved.")
        response = render("notes/_section_notes.html", section=_notes_card(subject))
        return trigger(response, "notes-changed", toast="Note saved.")
    if subject is not None and wants_fragment():
        return render("notes/_section_notes.html", section=_notes_card(subject, form),
                      status=422)
    return render("notes/form.html", form=form, note=None, status=422,
                  may_mark_sensitive=True)


def _readable(note_id: int) -> Note:
    note = services.load_note(note_id) or abort(404)
    if not services.can_read(note, current_user):
        abort(404)  # staff never learn that a sensitive note exists
    return note


@bp.route("/<int:note_id>")
@writes
def show(note_id: int):
    """One note; reading a sensitive one is recorded in the audit trail."""
    note = _readable(note_id)
    services.record_view(note, current_user)
    response = render("notes/show.html", note=note, body=services.render_body(note))
    db.session.commit()  # after rendering: committing expires what the page shows
    return response


@bp.route("/<int:note_id>/edit", methods=["GET", "POST"])
@writes
def edit(note_id: int):
    """Edit a note (the edit is recorded)."""
    note = _readable(note_id)
    form = NoteForm(obj=note)
    if request.method == "GET":
        form.channel.data = note.channel.value
        form.body_format.data = note.body_format.value
        form.contact_ids.data = [c.id for c in note.contacts]
        form.organization_ids.data = [o.id for o in note.organizations]
        services.record_view(note, current_user)
    if form.validate_on_submit():
        services.update_note(note, _note_values(form, note), form.contact_ids.data or [],
                             form.organization_ids.data or [], current_user)
        db.session.commit()
        return see_other(back_to(url_for("notes.show", note_id=note.id)), "Note saved.")
    status = 422 if request.method == "POST" else 200
    response = render("notes/form.html", form=form, note=note, status=status,
                      may_mark_sensitive=services.may_mark_sensitive(note, current_user))
    db.session.commit()  # the recorded view, if any
    return response


# --- commitments --------------------------------------------------------------------------


@bp.route("/commitments/")
def commitments():
    """The commitments register, filterable by owner, status and due date."""
    day = today()
    query = services.commitment_query(request.args, day)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = paginate(total, PAGE_SIZE)
    rows = list(db.session.scalars(services.with_people(
        query.order_by(Commitment.due_on, Commitment.id)
        .limit(page.limit).offset(page.offset))))
    return render("notes/commitments.html", block="results", commitments=rows, total=total,
                  page=page.number, pages=page.pages, args=request.args, today=day,
                  users=user_choices(), statuses=list(CommitmentStatus))


def _commitment_choices(form: CommitmentForm) -> None:
    form.owner_id.choices = [(0, "— Nobody yet —"), *user_choices()]


@bp.route("/commitments/new", methods=["GET", "POST"])
def commitment_new():
    """Record a commitment: what, to whom, who follows through, by when."""
    form = CommitmentForm()
    _commitment_choices(form)
    if request.method == "GET":
        form.contact_id.data = next(iter(ids_from(request.args.getlist("contact"))), None)
        form.organization_id.data = next(iter(ids_from(request.args.getlist("organization"))),
                                         None)
        form.owner_id.data = current_user.id
    if form.validate_on_submit():
        commitment = services.create_commitment({
            "what": form.what.data, "contact_id": form.contact_id.data or None,
            "organization_id": form.organization_id.data or None,
            "owner_id": form.owner_id.data or None, "due_on": form.due_on.data,
        }, current_user)
        db.session.commit()
        return see_other(back_to(url_for("notes.commitments",
                                         _anchor=f"commitment-{commitment.id}")),
                         "Commitment recorded.")
    status = 422 if request.method == "POST" else 200
    return render("notes/commitment_form.html", form=form, status=status)


@bp.route("/commitments/<int:commitment_id>/close", methods=["GET", "POST"])
def commitment_close(commitment_id: int):
    """Close a commitment as kept, or as can't-do with when and how we explained."""
    commitment = db.session.scalar(services.with_people(
        select(Commitment).where(Commitment.id == commitment_id))) or abort(404)
    form = CloseCommitmentForm()
    if form.validate_on_submit():
        status = CommitmentStatus(form.status.data)
        services.close_commitment(commitment, status, current_user,
                                  explained_on=form.explained_on.data,
                                  explained_how=form.explained_how.data)
        db.session.commit()
        response = see_other(back_to(url_for("notes.commitments")),
                             f"Closed as {status.label.lower()}.")
        return trigger(response, "notes-changed")
    status = 422 if request.method == "POST" else 200
    return render("notes/commitment_close.html", form=form, commitment=commitment,
                  status=status)


@bp.route("/commitments/<int:commitment_id>/reopen", methods=["POST"])
def commitment_reopen(commitment_id: int):
    """Open a closed commitment again."""
    commitment = db.get_or_404(Commitment, commitment_id)
    services.reopen_commitment(commitment, current_user)
    db.session.commit()
    return see_other(back_to(url_for("notes.commitments")), "Reopened.")


# --- keeping in touch --------------------------------------------------------------------


@bp.route("/due")
def due():
    """People due for contact, counted from their last logged interaction."""
    bound = page_number() * PAGE_SIZE + COUNT_CAP
    page = paginate_capped(services.due_for_contact_ids(today(), current_user, bound + 1),
                           PAGE_SIZE)
    rows = list(db.session.scalars(
        services.due_for_contact_query(today(), current_user, page.offset + page.limit)
        .options(joinedload(Contact.organization), joinedload(Contact.owner))
        .limit(page.limit).offset(page.offset)))
    return render("notes/due.html", block="results", contacts=rows, total=page.total,
                  capped=page.capped, page=page.number, pages=page.pages, args=request.args,
                  intervals=services.intervals())


@bp.route("/keep-in-touch", methods=["GET", "POST"])
@roles(Role.liaison)
def keep_in_touch():
    """Change how often we aim to be in touch, per stance."""
    form = IntervalsForm(data=services.intervals())
    if form.validate_on_submit():
        services.save_intervals(form.data, current_user)
        db.session.commit()
        return see_other(url_for("notes.due"), "Saved the keep-in-touch intervals.")
    status = 422 if request.method == "POST" else 200
    return render("notes/keep_in_touch.html", form=form, status=status)
