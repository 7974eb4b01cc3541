"""Signed-in views for coalitions and bodies: the list, one coalition, its members, our
membership and renewal, deadlines, values alignment and finding partners. Staff read;
admin and liaison edit; dues amounts are for admin and liaison only."""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from decimal import Decimal

from flask import abort, request, url_for
from flask_login import current_user

from app.auth.access import roles
from app.auth.models import Role as UserRole
from app.coalitions import alignment, queries, services
from app.coalitions.blueprint import bp
from app.coalitions.forms import (
    CoalitionForm,
    DeadlineForm,
    LapseForm,
    LinkCommitmentForm,
    LinkEventForm,
    LinkNoteForm,
    MeetingForm,
    MemberEditForm,
    MemberForm,
    MembershipForm,
    RenewForm,
    alignment_form,
)
from app.coalitions.models import (
    ROLE_LABELS,
    Coalition,
    DeadlineKind,
    DuesPeriod,
    Kind,
    Membership,
    Outcome,
    Rating,
    Role,
    Scope,
)
from app.database import utcnow
from app.events import services as events
from app.extensions import db
from app.notes import services as notes
from app.people.models import Channel, Organization, Sphere
from app.people.queries import user_choices
from app.settings import values as program_values
from app.settings.clock import org_zone, today
from app.system.pagination import page_number
from app.system.words import plural
from app.web import render, see_other

MEMBERS_PAGE = 100
DUE_PANEL = 8


def _pages(total: int, size: int) -> int:
    return max((total + size - 1) // size, 1)


def _coalition(coalition_id: int) -> Coalition:
    return queries.load_coalition(coalition_id) or abort(404)


def _status(form) -> int:
    return 422 if request.method == "POST" else 200


def dues_text(membership: Membership | None) -> str | None:
    """The dues as people read them ("$250.00 a year"), for admin and liaison only: staff
    see our membership but never what it costs."""
    if membership is None or membership.dues_cents is None or not current_user.can("liaison"):
        return None
    amount = Decimal(membership.dues_cents) / 100
    period = f" {membership.dues_period.label}" if membership.dues_period else ""
    return f"${amount:,.2f}{period}"


def _filters() -> dict:
    return {"kinds": list(Kind), "scopes": list(Scope), "spheres": list(Sphere),
            "roles": list(Role), "args": request.args}


# --- the list --------------------------------------------------------------------------------


@bp.route("/")
def index():
    """Coalitions and bodies, searchable by name and what they're about, filterable by
    kind, scope, sphere and our role."""
    page = page_number()
    rows, total = queries.coalition_page(request.args, page)
    summaries = alignment.summaries(coalition_ids=[r.coalition.id for r in rows])
    return render("coalitions/index.html", block="results", rows=rows, total=total,
                  page=page, pages=_pages(total, queries.PAGE_SIZE), summaries=summaries,
                  not_assessed=alignment.NOT_ASSESSED, today=today(), **_filters())


# --- one coalition ---------------------------------------------------------------------------


def _coalition_form(coalition: Coalition | None = None) -> CoalitionForm:
    form = CoalitionForm(obj=coalition)
    if coalition is not None and request.method == "GET":
        form.kind.data, form.scope.data = coalition.kind.value, coalition.scope.value
        form.sphere.data = coalition.sphere.value if coalition.sphere else ""
        form.organization_id.data = coalition.organization_id
    form.linked_id = coalition.organization_id if coalition is not None else None
    return form


def _coalition_values(form: CoalitionForm) -> dict:
    return {"name": form.name.data, "kind": Kind(form.kind.data),
            "scope": Scope(form.scope.data),
            "sphere": Sphere(form.sphere.data) if form.sphere.data else None,
            "website": form.website.data or "", "meeting_cadence": form.meeting_cadence.data or "",
            "description": form.description.data or "",
            "organization_id": form.organization_id.data or None}


@bp.route("/new", methods=["GET", "POST"])
@roles(UserRole.liaison)
def new():
    """Add a coalition or body."""
    form = _coalition_form()
    if form.validate_on_submit():
        coalition = services.save_coalition(None, _coalition_values(form), current_user)
        db.session.commit()
        return see_other(url_for("coalitions.show", coalition_id=coalition.id),
                         f"Added {coalition.name}.")
    return render("coalitions/form.html", form=form, coalition=None, status=_status(form))


@bp.route("/<int:coalition_id>")
def show(coalition_id: int):
    """A coalition: details, member organizations with their stance, our membership and
    renewal, deadlines and values alignment."""
    coalition = _coalition(coalition_id)
    page = page_number(name="members_page")
    members, member_total = queries.members_page(coalition, page, MEMBERS_PAGE)
    values = program_values.active_values()
    recorded = alignment.alignments_of(coalition_id=coalition.id)
    return render(
        "coalitions/show.html", coalition=coalition, membership=coalition.membership,
        notes=notes.notes_among(current_user, queries.linked_note_ids(coalition)),
        commitments=notes.commitments_among(queries.linked_commitment_ids(coalition)),
        events=events.events_among(queries.linked_event_ids(coalition)), now=utcnow(),
        dues=dues_text(coalition.membership), members=members, member_total=member_total,
        members_page=page, member_pages=_pages(member_total, MEMBERS_PAGE),
        deadlines=queries.deadlines_of(coalition), values=values, recorded=recorded,
        summary=alignment.summarize(recorded.values(), {v.id for v in values}),
        today=today(), can_edit=current_user.can("liaison"))


@bp.route("/<int:coalition_id>/edit", methods=["GET", "POST"])
@roles(UserRole.liaison)
def edit(coalition_id: int):
    """Change a coalition's details."""
    coalition = _coalition(coalition_id)
    form = _coalition_form(coalition)
    if form.validate_on_submit():
        services.save_coalition(coalition, _coalition_values(form), current_user)
        db.session.commit()
        return see_other(url_for("coalitions.show", coalition_id=coalition.id), "Saved.")
    return render("coalitions/form.html", form=form, coalition=coalition, status=_status(form))


@bp.route("/<int:coalition_id>/delete", methods=["POST"])
@roles(UserRole.liaison)
def delete(coalition_id: int):
    """Delete a coalition, its members list, our membership and deadlines (notes, events
    and commitments about it stay)."""
    coalition = _coalition(coalition_id)
    name = coalition.name
    services.delete_coalition(coalition, current_user)
    db.session.commit()
    return see_other(url_for("coalitions.index"), f"Deleted {name}.")


# --- member organizations --------------------------------------------------------------------


@bp.route("/<int:coalition_id>/members", methods=["GET", "POST"])
@roles(UserRole.liaison)
def members(coalition_id: int):
    """Add member organizations: search by name, tick, add."""
    coalition = _coalition(coalition_id)
    form = MemberForm()
    find = (request.values.get("find") or "")[:200]
    candidates = queries.member_candidates(coalition, find)
    form.organization_ids.choices = [(o.id, o.name) for o in candidates]
    if form.validate_on_submit():
        wanted = [i for i in form.organization_ids.data if 0 < i < 2**31]
        added = services.add_members(coalition, wanted, form.role.data or "", current_user)
        if added:
            db.session.commit()
            return see_other(url_for("coalitions.show", coalition_id=coalition.id),
                             f"Added {plural(len(added), 'member organization')}.")
        form.organization_ids.errors = ["Those organizations are already members, or no "
                                        "longer exist."]
    return render("coalitions/members.html", block="candidates", coalition=coalition,
                  form=form, find=find, candidates=candidates, status=_status(form))


def _member(coalition: Coalition, member_id: int):
    return queries.load_member(coalition, member_id) or abort(404)


@bp.route("/<int:coalition_id>/members/<int:member_id>", methods=["GET", "POST"])
@roles(UserRole.liaison)
def member_edit(coalition_id: int, member_id: int):
    """A member organization's role at the coalition, representative and date joined."""
    coalition = _coalition(coalition_id)
    member = _member(coalition, member_id)
    form = MemberEditForm(obj=member)
    if request.method == "GET":
        form.contact_id.data = member.contact_id or 0
    form.contact_id.choices = [(0, "— Not known —"), *queries.people_of(member.organization_id)]
    if member.contact_id and member.contact_id not in {i for i, _ in form.contact_id.choices}:
        form.contact_id.choices.append((member.contact_id, member.contact.name))
    if form.validate_on_submit():
        services.update_member(member, {"role": form.role.data or "",
                                        "contact_id": form.contact_id.data or None,
                                        "joined_on": form.joined_on.data}, current_user)
        db.session.commit()
        return see_other(url_for("coalitions.show", coalition_id=coalition.id), "Saved.")
    return render("coalitions/member_form.html", coalition=coalition, member=member, form=form,
                  status=_status(form))


@bp.route("/<int:coalition_id>/members/<int:member_id>/remove", methods=["POST"])
@roles(UserRole.liaison)
def member_remove(coalition_id: int, member_id: int):
    """Take an organization off the members."""
    coalition = _coalition(coalition_id)
    member = _member(coalition, member_id)
    name = member.organization.name
    services.remove_member(member, current_user)
    db.session.commit()
    return see_other(url_for("coalitions.show", coalition_id=coalition.id),
                     f"Removed {name} from the members.")


# --- our membership --------------------------------------------------------------------------


@bp.route("/<int:coalition_id>/membership", methods=["GET", "POST"])
@roles(UserRole.liaison)
def membership(coalition_id: int):
    """Record or change our membership: role, representative, since, dues, renewal."""
    coalition = _coalition(coalition_id)
    current = coalition.membership
    form = MembershipForm(obj=current)
    if request.method == "GET":
        if current is not None:
            form.role.data = current.role.value
            form.representative_id.data = current.representative_id or 0
            form.dues.data = (Decimal(current.dues_cents) / 100
                              if current.dues_cents is not None else None)
            form.dues_period.data = current.dues_period.value if current.dues_period else ""
        else:
            form.representative_id.data = current_user.id
    form.representative_id.choices = [(0, "— Nobody yet —"), *user_choices()]
    if form.validate_on_submit():
        amount = form.dues.data
        services.save_membership(coalition, {
            "role": Role(form.role.data), "representative_id": form.representative_id.data or None,
            "since": form.since.data,
            "dues_cents": int(amount * 100) if amount is not None else None,
            "dues_period": DuesPeriod(form.dues_period.data) if form.dues_period.data else None,
            "paid_through": form.paid_through.data, "renewal_on": form.renewal_on.data,
        }, current_user)
        db.session.commit()
        return see_other(url_for("coalitions.show", coalition_id=coalition.id),
                         "Membership saved.")
    return render("coalitions/membership.html", coalition=coalition, form=form,
                  status=_status(form))


def _next_renewal(m: Membership) -> date:
    """A year (or the dues period) on from the current renewal date, or from today."""
    start = max(m.renewal_on or today(), today())
    months = m.dues_period.months if m.dues_period else 12
    years, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))  # Jan 31 → Feb 28


@bp.route("/<int:coalition_id>/membership/renew", methods=["GET", "POST"])
@roles(UserRole.liaison)
def renew(coalition_id: int):
    """Mark our membership renewed, with the next renewal date."""
    coalition = _coalition(coalition_id)
    m = coalition.membership or abort(404)
    form = RenewForm()
    if request.method == "GET":
        form.renewal_on.data = _next_renewal(m)
        form.paid_through.data = m.paid_through
    if form.validate_on_submit():
        try:
            services.renew(coalition, form.renewal_on.data, form.paid_through.data, current_user)
        except services.NotAllowed as exc:
            db.session.rollback()
            form.renewal_on.errors = [str(exc)]
        else:
            db.session.commit()
            return see_other(url_for("coalitions.show", coalition_id=coalition.id),
                             f"Renewed. Next renewal {form.renewal_on.data:%b %-d, %Y}.")
    return render("coalitions/renew.html", coalition=coalition, membership=m, form=form,
                  dues=dues_text(m), status=_status(form))


@bp.route("/<int:coalition_id>/membership/lapse", methods=["GET", "POST"])
@roles(UserRole.liaison)
def lapse(coalition_id: int):
    """Let our membership lapse on purpose, saying why (it stops showing as overdue)."""
    coalition = _coalition(coalition_id)
    m = coalition.membership or abort(404)
    form = LapseForm()
    if form.validate_on_submit():
        services.let_lapse(coalition, form.reason.data, current_user)
        db.session.commit()
        return see_other(url_for("coalitions.show", coalition_id=coalition.id),
                         "Membership marked as let lapse.")
    return render("coalitions/lapse.html", coalition=coalition, membership=m, form=form,
                  status=_status(form))


# --- deadlines -------------------------------------------------------------------------------


@bp.route("/<int:coalition_id>/deadlines/new", methods=["GET", "POST"])
@roles(UserRole.liaison)
def deadline_new(coalition_id: int):
    """Add a dated deadline (an abstract, a nomination, a sign-on letter)."""
    coalition = _coalition(coalition_id)
    form = DeadlineForm()
    if form.validate_on_submit():
        services.add_deadline(coalition, {"title": form.title.data,
                                          "kind": DeadlineKind(form.kind.data),
                                          "due_on": form.due_on.data,
                                          "notes": form.notes.data or ""}, current_user)
        db.session.commit()
        return see_other(url_for("coalitions.show", coalition_id=coalition.id),
                         "Deadline added.")
    return render("coalitions/deadline_form.html", coalition=coalition, form=form,
                  status=_status(form))


@bp.route("/<int:coalition_id>/deadlines/<int:deadline_id>/close", methods=["POST"])
@roles(UserRole.liaison)
def deadline_close(coalition_id: int, deadline_id: int):
    """Close a deadline as done, or as one we let pass; or open it again."""
    coalition = _coalition(coalition_id)
    deadline = queries.load_deadline(coalition, deadline_id) or abort(404)
    choice = request.form.get("outcome", "")
    if choice == "open":
        services.reopen_deadline(deadline, current_user)
        message = "Deadline reopened."
    elif choice in Outcome.__members__:
        services.close_deadline(deadline, Outcome(choice), current_user)
        message = f"Marked “{deadline.title}” {Outcome(choice).label.lower()}."
    else:
        return see_other(url_for("coalitions.show", coalition_id=coalition.id),
                         "Choose done or let pass.", "error")
    db.session.commit()
    return see_other(url_for("coalitions.show", coalition_id=coalition.id), message)


@bp.route("/<int:coalition_id>/deadlines/<int:deadline_id>/delete", methods=["POST"])
@roles(UserRole.liaison)
def deadline_delete(coalition_id: int, deadline_id: int):
    """Remove a deadline recorded by mistake."""
    coalition = _coalition(coalition_id)
    deadline = queries.load_deadline(coalition, deadline_id) or abort(404)
    services.delete_deadline(deadline, current_user)
    db.session.commit()
    return see_other(url_for("coalitions.show", coalition_id=coalition.id), "Deadline removed.")


# --- values alignment ------------------------------------------------------------------------


def _alignment_view(partner, *, coalition: Coalition | None = None,
                    organization: Organization | None = None, back: str):
    values = program_values.active_values()
    recorded = alignment.alignments_of(coalition_id=coalition.id if coalition else None,
                                       organization_id=organization.id if organization else None)
    data = {}
    for value in values:
        row = recorded.get(value.id)
        data[f"rating_{value.id}"] = row.rating.value if row else Rating.unknown.value
        data[f"evidence_{value.id}"] = row.evidence if row else ""
        data[f"observed_{value.id}"] = row.observed_on if row else None
    form = alignment_form(values, data=data)
    if form.validate_on_submit():
        entries = {v.id: alignment.Entry(Rating(form[f"rating_{v.id}"].data),
                                         form[f"evidence_{v.id}"].data or "",
                                         form[f"observed_{v.id}"].data) for v in values}
        changed = alignment.save_alignment(entries, current_user, coalition=coalition,
                                           organization=organization)
        db.session.commit()
        return see_other(back, f"Alignment saved ({plural(changed, 'value')} changed).")
    return render("coalitions/alignment.html", partner=partner, coalition=coalition,
                  organization=organization, values=values, form=form, back=back,
                  status=_status(form))


@bp.route("/<int:coalition_id>/alignment", methods=["GET", "POST"])
@roles(UserRole.liaison)
def coalition_alignment(coalition_id: int):
    """Rate a coalition against each of the program's values, with the evidence."""
    coalition = _coalition(coalition_id)
    return _alignment_view(coalition, coalition=coalition,
                           back=url_for("coalitions.show", coalition_id=coalition.id))


@bp.route("/organizations/<int:org_id>/alignment", methods=["GET", "POST"])
@roles(UserRole.liaison)
def organization_alignment(org_id: int):
    """Rate an organization against each of the program's values, with the evidence."""
    org = db.get_or_404(Organization, org_id)
    return _alignment_view(org, organization=org,
                           back=url_for("people.organization_show", org_id=org.id))


# --- finding partners and what is due --------------------------------------------------------


@bp.route("/partners")
def partners():
    """Organizations and coalitions we are not yet part of, ranked by values alignment
    and stance, filterable by sphere."""
    page = page_number()
    rows, total = alignment.partner_page(request.args, page)
    return render("coalitions/partners.html", block="results", rows=rows, total=total,
                  page=page, pages=_pages(total, alignment.PARTNER_PAGE), spheres=list(Sphere),
                  role_labels=ROLE_LABELS, args=request.args,
                  can_edit=current_user.can("liaison"))


@bp.route("/due")
def due():
    """Renewals and deadlines due within 30 days, and any that have passed (as a fragment,
    the dashboard's panel: `few=1` for the first few)."""
    day = today()
    mine = request.args.get("mine") == "1"
    few = DUE_PANEL if request.args.get("few") == "1" else 200  # the dashboard's panel
    items = queries.due_items(day, user=current_user if mine else None, limit=few + 1)
    return render("coalitions/due.html", block="items", items=items[:few], today=day,
                  mine=mine, more=len(items) > few, within=queries.DUE_WITHIN_DAYS)


# --- notes, commitments and events about a coalition --------------------------------------


@bp.route("/<int:coalition_id>/notes/new", methods=["GET", "POST"])
def note_new(coalition_id: int):
    """Log a note about the coalition (a notes-domain note, linked here and to the
    coalition's organization record)."""
    coalition = _coalition(coalition_id)
    form = LinkNoteForm()
    if request.method == "GET":
        form.occurred_on.data = today()
    if form.validate_on_submit():
        services.log_note(coalition, {
            "occurred_on": form.occurred_on.data, "channel": Channel(form.channel.data),
            "summary": form.summary.data, "body": form.body.data or "",
            # Anyone may mark a note they write sensitive (notes.services.may_mark_sensitive).
            "sensitive": bool(form.sensitive.data),
        }, current_user)
        db.session.commit()
        return see_other(url_for("coalitions.show", coalition_id=coalition.id) + "#notes",
                         "Note saved.")
    return render("coalitions/note_form.html", coalition=coalition, form=form,
                  status=_status(form))


@bp.route("/<int:coalition_id>/commitments/new", methods=["GET", "POST"])
def commitment_new(coalition_id: int):
    """Record something we promised the coalition (in the commitments register)."""
    coalition = _coalition(coalition_id)
    form = LinkCommitmentForm()
    if request.method == "GET":
        form.owner_id.data = current_user.id
    form.owner_id.choices = [(0, "— Nobody yet —"), *user_choices()]
    if form.validate_on_submit():
        services.add_commitment(coalition, {"what": form.what.data, "due_on": form.due_on.data,
                                            "owner_id": form.owner_id.data or None},
                                current_user)
        db.session.commit()
        return see_other(url_for("coalitions.show", coalition_id=coalition.id)
                         + "#commitments", "Commitment recorded.")
    return render("coalitions/commitment_form.html", coalition=coalition, form=form,
                  status=_status(form))


def _event_choices(form: LinkEventForm) -> None:
    form.event_id.choices = [(0, "— Choose an event —"), *(
        (e.id, f"{e.title} · {e.starts_at.astimezone(org_zone()):%b %-d, %Y}")
        for e in events.upcoming_events())]


@bp.route("/<int:coalition_id>/events/link", methods=["GET", "POST"])
@roles(UserRole.liaison)
def event_link(coalition_id: int):
    """Link an event to the coalition (a meeting, a conference it holds)."""
    coalition = _coalition(coalition_id)
    form = LinkEventForm()
    _event_choices(form)
    if form.validate_on_submit():
        services.link_event(coalition, form.event_id.data, current_user)
        db.session.commit()
        return see_other(url_for("coalitions.show", coalition_id=coalition.id) + "#events",
                         "Event linked.")
    return render("coalitions/event_link.html", coalition=coalition, form=form,
                  meeting=MeetingForm(formdata=None, title=f"{coalition.name} meeting"),
                  status=_status(form))


@bp.route("/<int:coalition_id>/events/new", methods=["POST"])
@roles(UserRole.liaison)
def meeting_new(coalition_id: int):
    """Plan a coalition meeting: an event with the coalition linked (the form is on the
    events page of the coalition, event_link)."""
    coalition = _coalition(coalition_id)
    form = MeetingForm()
    if form.validate_on_submit():
        event = services.plan_meeting(coalition, {
            "title": form.title.data, "starts_at": form.starts.moment,
            "ends_at": form.ends.moment,
            "location": form.location.data or ""}, current_user)
        db.session.commit()
        return see_other(url_for("events.show", event_id=event.id),
                         "Meeting planned and linked to the coalition.")
    link = LinkEventForm(formdata=None)
    _event_choices(link)
    return render("coalitions/event_link.html", coalition=coalition, form=link, meeting=form,
                  status=422)


@bp.route("/<int:coalition_id>/events/<int:event_id>/unlink", methods=["POST"])
@roles(UserRole.liaison)
def event_unlink(coalition_id: int, event_id: int):
    """Unlink an event from the coalition (the event stays)."""
    coalition = _coalition(coalition_id)
    services.unlink_event(coalition, event_id, current_user)
    db.session.commit()
    return see_other(url_for("coalitions.show", coalition_id=coalition.id) + "#events",
                     "Event unlinked.")


@bp.route("/<int:coalition_id>/invite")
@roles(UserRole.liaison)
def invite(coalition_id: int):
    """Invite the people at the coalition's member organizations to an event: choose the
    event, then the invite builder previews them (its "coalition" group)."""
    coalition = _coalition(coalition_id)
    form = LinkEventForm(request.args, meta={"csrf": False})
    _event_choices(form)
    if request.args.get("event_id") and form.validate():
        return see_other(url_for("events.invite", event_id=form.event_id.data,
                                 group=f"coalition:{coalition.id}"))
    return render("coalitions/invite.html", coalition=coalition, form=form,
                  status=422 if request.args.get("event_id") else 200)
