"""Signed-in views for contacts, organizations, the stakeholder map and media contacts."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.audit.services import last_entry_about, record
from app.auth.access import roles
from app.auth.models import Role
from app.database import begin_write, lock_row
from app.extensions import db
from app.people import csvio, lifecycle, phones, tags
from app.people.blueprint import bp
from app.people.contacts import (
    ContactData,
    archive_contact,
    archive_organization,
    change_organization_stance,
    change_stance,
    create_contact,
    delete_contact,
    delete_organization,
    load_contact,
    normalize_email,
    normalize_tags,
    organization_stance_history,
    restore_contact,
    save_organization,
    split_lines,
    stance_history,
    update_contact,
)
from app.people.duplicates import find_duplicates
from app.people.forms import ConfirmDeleteForm, ContactForm, OrganizationForm, StanceForm
from app.people.models import Channel, Contact, Influence, Organization, OrgType, Sphere, Stance
from app.people.picker import ids_from
from app.people.queries import (
    PAGE_SIZE,
    SORTS,
    contact_page,
    contact_query,
    organization_query,
    stakeholder_counts,
    user_choices,
)
from app.people.sections import contact_sections, organization_sections
from app.system import conflicts
from app.system.pagination import page_number, paginate
from app.web import render, see_other, trigger, wants_fragment

ORG_PAGE_SIZE = 25


def _list_context() -> dict:
    return {"stances": list(Stance), "influences": list(Influence), "spheres": list(Sphere),
            "org_types": list(OrgType), "sorts": SORTS,
            "users": user_choices(), "args": request.args}


@bp.route("/")
def index():
    """Contacts: one search box (names, organizations, emails, phones, tags, notes) and filters."""
    page = page_number()
    contacts, total, capped = contact_page(request.args, current_user, page)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render("people/index.html", block="results", contacts=contacts, total=total,
                  capped=capped, page=page, pages=pages,
                  tag_matches=tags.filter_tags(request.args.get("tag")), **_list_context())


@bp.route("/media")
def media():
    """Journalists and other media contacts, with outlet, beat and how to approach them."""
    page = page_number()
    contacts, total, capped = contact_page({**request.args.to_dict(), "media": "1"},
                                           current_user, page)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render("people/media.html", block="results", contacts=contacts, total=total,
                  capped=capped, page=page, pages=pages, args=request.args)


@bp.route("/map")
def stakeholder_map():
    """The stakeholder map: influence by stance, with counts linking to the filtered list."""
    counts = stakeholder_counts()
    return render("people/map.html", counts=counts, stances=list(Stance),
                  influences=list(reversed(Influence)))


# --- one contact ----------------------------------------------------------------------


def _contact_data(form: ContactForm) -> ContactData:
    return ContactData(
        first_name=form.first_name.data,
        last_name=form.last_name.data or "",
        name_prefix=form.name_prefix.data,
        name_suffix=form.name_suffix.data,
        pronouns=form.pronouns.data,
        title=form.title.data,
        organization_id=form.organization_id.data or None,
        sphere=Sphere(form.sphere.data) if form.sphere.data else None,
        emails=getattr(form.emails, "parsed", []),
        phones=getattr(form.phones, "parsed", []),
        address=form.address.data,
        website=form.website.data,
        preferred_channel=Channel(form.preferred_channel.data)
        if form.preferred_channel.data else None,
        tags=form.tags.data or "",
        source=form.source.data,
        owner_id=form.owner_id.data or None,
        do_not_contact=form.do_not_contact.data,
        stance=Stance(form.stance.data),
        influence=Influence(form.influence.data),
        keep_in_touch_days=form.keep_in_touch_days.data,
        is_media=form.is_media.data,
        beat=form.beat.data,
        coverage_area=form.coverage_area.data,
        approach_notes=form.approach_notes.data,
        background=form.background.data,
    )


def _contact_form(contact: Contact | None = None, *, saved: bool = False) -> ContactForm:
    """The add or edit form, filled from the request; with `saved`, the edit form as the
    contact is saved now, whatever the request holds (the other side of a conflict)."""
    if contact is None:
        form = ContactForm()
        if request.method == "GET":
            form.organization_id.data = next(
                iter(ids_from(request.args.getlist("organization"))), None)
            form.owner_id.data = current_user.id
            form.is_media.data = request.args.get("media") == "1"
    else:
        form = ContactForm(formdata=None, obj=contact) if saved else ContactForm(obj=contact)
        if saved or request.method == "GET":
            form.emails.data = "\n".join(e.email for e in contact.emails)
            form.phones.data = "\n".join(p.display for p in contact.phones)
            form.tags.data = ", ".join(contact.tag_list)
            form.organization_id.data = contact.organization_id
            form.owner_id.data = contact.owner_id or 0
            form.sphere.data = contact.sphere.value if contact.sphere else ""
            form.preferred_channel.data = (contact.preferred_channel.value
                                           if contact.preferred_channel else "")
            form.stance.data = contact.stance.value
            form.influence.data = contact.influence.value
    form.set_choices(user_choices())
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add a contact, warning first about likely duplicates."""
    form = _contact_form()
    duplicates = []
    if form.validate_on_submit():
        data = _contact_data(form)
        duplicates = find_duplicates(data.first_name, data.last_name,
                                              data.organization_id, data.emails or [],
                                              data.phones or [])
        if not duplicates or form.confirm_duplicate.data:
            contact = create_contact(data, current_user,
                                              reason=form.stance_reason.data or "")
            db.session.commit()
            return see_other(url_for("people.show", contact_id=contact.id),
                             f"Added {contact.name}.")
    status = 422 if request.method == "POST" else 200
    return render("people/form.html", form=form, contact=None, duplicates=duplicates,
                  status=status)


def _stance_form(stance: Stance, influence: Influence | None = None,
                 posted: bool = False) -> StanceForm:
    """The stance card's form: as posted, or set to where things stand now (an
    organization's has no influence)."""
    form = StanceForm() if posted else StanceForm(
        formdata=None, data={"stance": stance.value,
                             "influence": influence.value if influence else None})
    if influence is None:
        del form.influence
    return form


def _contact_page(contact: Contact, form: StanceForm, status: int = 200):
    return render("people/show.html", contact=contact, history=stance_history(contact),
                  stance_form=form, status=status,
                  sections=contact_sections(contact, current_user._get_current_object()))


@bp.route("/<int:contact_id>")
def show(contact_id: int):
    """A contact: details, stance and its timeline, and what the domains built on people add
    to the page (notes, commitments, media inquiries…: app.people.sections)."""
    contact = load_contact(contact_id) or abort(404)
    return _contact_page(contact, _stance_form(contact.stance, contact.influence))


@bp.route("/<int:contact_id>/stance", methods=["POST"])
def stance(contact_id: int):
    """Change a contact's stance or influence, with the reason, from the contact page: the
    stance card again for htmx (and `people-changed`), else back to the page."""
    contact = load_contact(contact_id) or abort(404)
    form = _stance_form(contact.stance, contact.influence, posted=True)
    if form.validate_on_submit() and form.check_changed(contact.stance, contact.influence):
        change_stance(contact, Stance(form.stance.data), Influence(form.influence.data),
                      form.reason.data, current_user)
        db.session.commit()
        message = f"{contact.name}: {contact.stance.label.lower()}, " \
                  f"{contact.influence.label.lower()} influence."
        if not wants_fragment():
            return see_other(url_for("people.show", contact_id=contact.id,
                                     _anchor="stance-card"), message)
        response = render("people/show.html", block="stance", contact=contact,
                          history=stance_history(contact), oob=True,
                          stance_form=_stance_form(contact.stance, contact.influence))
        return trigger(response, "people-changed", toast=message)
    if wants_fragment():
        return render("people/show.html", block="stance", contact=contact,
                      history=stance_history(contact), stance_form=form, status=422)
    return _contact_page(contact, form, status=422)


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
def edit(contact_id: int):
    """Change a contact's details, stance or influence. If someone else saved the contact
    since this form was shown, nothing is written: 409, with both versions side by side."""
    if request.method == "POST":
        lock_row(db.session, Contact, contact_id)  # the version we compare is the one we write
    contact = load_contact(contact_id) or abort(404)
    form = _contact_form(contact)
    conflict = None
    if form.validate_on_submit():
        conflict = _conflict(form, contact, _contact_form(contact, saved=True), CONTACT_TEXT)
        if conflict is None:
            update_contact(contact, _contact_data(form), current_user,
                           reason=form.stance_reason.data or "")
            db.session.commit()
            return see_other(url_for("people.show", contact_id=contact.id),
                             f"Saved {contact.name}.")
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render("people/form.html", form=form, contact=contact, duplicates=[],
                  conflict=conflict, status=status)


def _shown_phones(text: str) -> str:
    """Phone lines as the form shows saved ones (so "555 208 5000" is no change)."""
    out = []
    for line in split_lines(text):
        try:
            out.append(phones.format(phones.parse(line)))
        except ValueError:
            out.append(line)
    return "\n".join(out)


# What a contact's and an organization's texts mean, for comparing two versions of them.
CONTACT_TEXT = {
    "emails": lambda text: "\n".join(normalize_email(e) for e in split_lines(text)),
    "phones": _shown_phones,
    "tags": lambda text: ", ".join(t for t in normalize_tags(text).split(",") if t),
}
ORGANIZATION_TEXT = {"email": normalize_email, "phone": _shown_phones,
                     "tags": CONTACT_TEXT["tags"]}


def _conflict(form, record, saved_form, normalize) -> conflicts.Conflict | None:
    """None when the form was filled from the version saved now, or says the same as it;
    else what differs, and who saved it when. The form then carries the saved version, so
    sending it again keeps what it says on purpose."""
    if not conflicts.is_stale(request.form.get("version"), record.version):
        return None
    found = conflicts.differences(form, saved_form, skip=("stance_reason", "confirm_duplicate"),
                                  normalize=normalize)
    if not found:
        return None
    form.version.data = str(record.version)
    last = last_entry_about(record)
    return conflicts.Conflict(found, saved_by=last.actor_name if last else None,
                              saved_at=last.at if last else None)


@bp.route("/<int:contact_id>/archive", methods=["POST"])
def archive(contact_id: int):
    """Archive a contact (restorable)."""
    contact = db.get_or_404(Contact, contact_id)
    archive_contact(contact, current_user)
    db.session.commit()
    return see_other(url_for("people.show", contact_id=contact.id),
                     f"Archived {contact.name}. You can restore them from this page.")


@bp.route("/<int:contact_id>/restore", methods=["POST"])
def restore(contact_id: int):
    """Bring an archived contact back."""
    contact = db.get_or_404(Contact, contact_id)
    restore_contact(contact, current_user)
    db.session.commit()
    response = see_other(url_for("people.show", contact_id=contact.id),
                         f"Restored {contact.name}.")
    return trigger(response, "people-changed")


@bp.route("/<int:contact_id>/delete", methods=["GET", "POST"])
@roles(Role.admin)
def delete(contact_id: int):
    """Delete a contact for good (admin only, after typing the name)."""
    contact = db.get_or_404(Contact, contact_id)
    return _confirm_delete(contact, delete_contact, url_for("people.index"),
                           lifecycle.links_to_contact)


# --- organizations --------------------------------------------------------------------


@bp.route("/organizations/")
def organizations():
    """Organizations, searchable by name and filterable by type, sphere and tag."""
    query = organization_query(request.args)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = paginate(total, ORG_PAGE_SIZE)
    rows = list(db.session.scalars(
        query.options(joinedload(Organization.owner)).order_by(Organization.name,
                                                                Organization.id)
        .limit(page.limit).offset(page.offset)))
    counts = dict(db.session.execute(
        select(Contact.organization_id, func.count())
        .where(Contact.organization_id.in_([o.id for o in rows]),
               Contact.archived_at.is_(None)).group_by(Contact.organization_id)).all())
    return render("people/organizations.html", block="results", organizations=rows,
                  counts=counts, total=total, page=page.number, pages=page.pages,
                  args=request.args,
                  org_types=list(OrgType), spheres=list(Sphere))


def _org_form(org: Organization | None = None, *, saved: bool = False) -> OrganizationForm:
    """The add or edit form (with `saved`, as the organization is saved now: see
    _contact_form)."""
    form = OrganizationForm(formdata=None, obj=org) if saved else OrganizationForm(obj=org)
    if org is not None and (saved or request.method == "GET"):
        form.type.data = org.type.value
        form.stance.data = org.stance.value
        form.sphere.data = org.sphere.value if org.sphere else ""
        form.tags.data = ", ".join(org.tag_list)
        form.phone.data = org.phone_display
        form.owner_id.data = org.owner_id or 0
    elif org is None and request.method == "GET":
        form.owner_id.data = current_user.id
    form.owner_id.choices = [(0, "— Nobody yet —"), *user_choices()]
    return form


def _org_values(form: OrganizationForm) -> dict:
    return {
        "name": form.name.data, "type": OrgType(form.type.data),
        "sphere": Sphere(form.sphere.data) if form.sphere.data else None,
        "email": getattr(form.email, "parsed", None),
        "phone": getattr(form.phone, "parsed", None),
        "address": form.address.data, "website": form.website.data, "tags": form.tags.data,
        "source": form.source.data, "owner_id": form.owner_id.data or None,
        "do_not_contact": form.do_not_contact.data,
        "stance": Stance(form.stance.data), "stance_reason": form.stance_reason.data,
    }


@bp.route("/organizations/new", methods=["GET", "POST"])
def organization_new():
    """Add an organization."""
    form = _org_form()
    if form.validate_on_submit():
        org = save_organization(None, _org_values(form), current_user)
        db.session.commit()
        return see_other(url_for("people.organization_show", org_id=org.id),
                         f"Added {org.name}.")
    status = 422 if request.method == "POST" else 200
    return render("people/organization_form.html", form=form, org=None, status=status)


@bp.route("/organizations/<int:org_id>")
def organization_show(org_id: int):
    """An organization: details, its people, stance timeline, and what the domains built
    on people add (notes, commitments…: app.people.sections)."""
    org = db.session.scalar(select(Organization).where(Organization.id == org_id)
                            .options(joinedload(Organization.owner))) or abort(404)
    return _organization_page(org, _stance_form(org.stance))


def _organization_page(org: Organization, form: StanceForm, status: int = 200):
    people = list(db.session.scalars(
        select(Contact).where(Contact.organization_id == org.id, Contact.archived_at.is_(None))
        .order_by(Contact.sort_name).limit(100)))
    return render("people/organization_show.html", org=org, people=people,
                  history=organization_stance_history(org), stance_form=form, status=status,
                  sections=organization_sections(org, current_user._get_current_object()))


@bp.route("/organizations/<int:org_id>/stance", methods=["POST"])
def organization_stance(org_id: int):
    """Change an organization's stance, with the reason, from its page: the stance card
    again for htmx (and `people-changed`), else back to the page."""
    org = db.session.scalar(select(Organization).where(Organization.id == org_id)
                            .options(joinedload(Organization.owner))) or abort(404)
    form = _stance_form(org.stance, posted=True)
    if form.validate_on_submit() and form.check_changed(org.stance):
        change_organization_stance(org, Stance(form.stance.data), form.reason.data,
                                   current_user)
        db.session.commit()
        message = f"{org.name}: {org.stance.label.lower()}."
        if not wants_fragment():
            return see_other(url_for("people.organization_show", org_id=org.id,
                                     _anchor="stance-card"), message)
        response = render("people/organization_show.html", block="stance", org=org,
                          history=organization_stance_history(org), oob=True,
                          stance_form=_stance_form(org.stance))
        return trigger(response, "people-changed", toast=message)
    if wants_fragment():
        return render("people/organization_show.html", block="stance", org=org,
                      history=organization_stance_history(org), stance_form=form, status=422)
    return _organization_page(org, form, status=422)


@bp.route("/organizations/<int:org_id>/edit", methods=["GET", "POST"])
def organization_edit(org_id: int):
    """Change an organization's details (a conflicting save answers 409, as for contacts)."""
    if request.method == "POST":
        lock_row(db.session, Organization, org_id)
    org = db.get_or_404(Organization, org_id)
    form = _org_form(org)
    conflict = None
    if form.validate_on_submit():
        conflict = _conflict(form, org, _org_form(org, saved=True), ORGANIZATION_TEXT)
        if conflict is None:
            save_organization(org, _org_values(form), current_user)
            db.session.commit()
            return see_other(url_for("people.organization_show", org_id=org.id),
                             f"Saved {org.name}.")
    status = 409 if conflict else 422 if request.method == "POST" else 200
    return render("people/organization_form.html", form=form, org=org, conflict=conflict,
                  status=status)


@bp.route("/organizations/<int:org_id>/archive", methods=["POST"])
def organization_archive(org_id: int):
    """Archive an organization (restorable)."""
    org = db.get_or_404(Organization, org_id)
    archive_organization(org, current_user)
    db.session.commit()
    return see_other(url_for("people.organization_show", org_id=org.id), f"Archived {org.name}.")


@bp.route("/organizations/<int:org_id>/restore", methods=["POST"])
def organization_restore(org_id: int):
    """Bring an archived organization back."""
    org = db.get_or_404(Organization, org_id)
    archive_organization(org, current_user, restore=True)
    db.session.commit()
    return see_other(url_for("people.organization_show", org_id=org.id), f"Restored {org.name}.")


@bp.route("/organizations/<int:org_id>/delete", methods=["GET", "POST"])
@roles(Role.admin)
def organization_delete(org_id: int):
    """Delete an organization for good (admin only, after typing the name)."""
    org = db.get_or_404(Organization, org_id)
    return _confirm_delete(org, delete_organization, url_for("people.organizations"),
                           lifecycle.links_to_organization)


def _confirm_delete(obj, delete, done_url: str, links):
    """Hard delete after the admin types the name (a slip of the finger can't do it); the
    page lists what links here (`links(obj)`, every domain's rows), which loses the link."""
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        if " ".join(form.confirm.data.split()).lower() != obj.name.lower():
            form.confirm.errors.append(f"Type “{obj.name}” exactly to confirm.")
        else:
            name = obj.name
            delete(obj, current_user)
            db.session.commit()
            return see_other(done_url, f"Deleted {name} for good.")
    status = 422 if request.method == "POST" else 200
    return render("people/delete.html", form=form, obj=obj, name=obj.name, links=links(obj),
                  status=status)


@bp.route("/export.csv")
@roles(Role.liaison)
def export():
    """The filtered list as CSV (admin and liaison only; recorded in the audit trail)."""
    from flask import Response

    # The search words are what someone typed (a name, an email, words from a note): the
    # trail says a search narrowed the export, never what it was.
    filters = ", ".join(f"{k}={'(search words)' if k == 'q' else v}"
                        for k, v in request.args.items() if k != "page")[:200]
    # Recorded first, in a short write of its own: reading 50,000 contacts then holds no
    # lock that everyone's saves would wait for.
    begin_write(db.session)
    record("contact.export", f"Exported contacts as CSV ({filters or 'no filters'})")
    db.session.commit()
    body = csvio.export_contacts(contact_query(request.args, current_user))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="contacts.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
