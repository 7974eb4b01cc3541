"""The likely duplicates page: every pair of contacts (or organizations) that look like the
same one, most likely first, each leading to the merge comparison; "Look again" sweeps
again, "Not the same" takes a pair off the list for good (admin and liaison)."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.auth.access import roles
from app.auth.models import Role
from app.extensions import db
from app.people import duplicates
from app.people.blueprint import bp
from app.people.forms import ActionForm
from app.people.models import Contact, LikelyDuplicate, Organization
from app.people.picker import ids_from
from app.system.pagination import capped_count, paginate
from app.system.words import plural
from app.web import render, see_other, trigger, wants_fragment

PAGE_SIZE = 25


def _kind() -> str:
    wanted = request.values.get("kind")
    return duplicates.ORGANIZATION if wanted == duplicates.ORGANIZATION else duplicates.CONTACT


def _pairs_query(kind: str, a, b):
    """The listed pairs of `kind` whose two records (`a`, `b`: aliases) are both active."""
    return (select(LikelyDuplicate, a, b)
            .join(a, a.id == LikelyDuplicate.low_id).join(b, b.id == LikelyDuplicate.high_id)
            .where(LikelyDuplicate.kind == kind, LikelyDuplicate.dismissed_at.is_(None),
                   a.archived_at.is_(None), b.archived_at.is_(None)))


@bp.route("/duplicates", endpoint="duplicates")
@roles(Role.liaison)
def duplicates_page():
    """Likely duplicates across all contacts (or organizations), most likely first."""
    kind = _kind()
    model = Contact if kind == duplicates.CONTACT else Organization
    a, b = aliased(model), aliased(model)
    query = _pairs_query(kind, a, b)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = paginate(total, PAGE_SIZE)
    if kind == duplicates.CONTACT:
        options = [joinedload(a.organization), joinedload(b.organization),
                   selectinload(a.emails), selectinload(b.emails)]
    else:
        options = []
    rows = db.session.execute(
        query.options(*options)
        .order_by(LikelyDuplicate.score.desc(), LikelyDuplicate.low_id.desc(),
                  LikelyDuplicate.high_id.desc())
        .limit(page.limit).offset(page.offset)).unique().all()
    swept = duplicates.swept_at(kind)
    # Counted to a cap ("1,000+"): after an import, every contact changed since.
    changed, changed_capped = capped_count(select(model.id).where(model.updated_at > swept)) \
        if swept else (0, False)
    return render("people/duplicates.html", block="results", kind=kind, rows=rows,
                  total=total, page=page.number, pages=page.pages, swept=swept,
                  changed=changed, changed_capped=changed_capped, args={"kind": kind})


@bp.route("/duplicates/sweep", methods=["POST"])
@roles(Role.liaison)
def duplicates_sweep():
    """Look for likely duplicates of one kind again, now."""
    kind = _kind()
    form = ActionForm()
    if form.validate_on_submit():
        found = duplicates.sweep(kind)
        db.session.commit()
        return see_other(url_for("people.duplicates", kind=kind),
                         f"Looked again: {plural(found, 'likely duplicate pair')}.")
    return see_other(url_for("people.duplicates", kind=kind),
                     "The form expired. Please try again.", "error")


@bp.route("/duplicates/dismiss", methods=["POST"])
@roles(Role.liaison)
def duplicates_dismiss():
    """Not the same: the pair leaves the list, and the next sweep leaves it alone."""
    kind = _kind()
    form = ActionForm()
    ids = ids_from([request.form.get("low", ""), request.form.get("high", "")])
    done = form.validate_on_submit() and len(ids) == 2 and duplicates.dismiss(
        kind, ids[0], ids[1], current_user)
    db.session.commit()
    message = "Marked as not the same." if done else "That pair is no longer on the list."
    if wants_fragment():
        return trigger(render("people/duplicates.html", block="dismissed", message=message),
                       "people-changed", toast=message)
    page = request.form.get("page", "")
    return see_other(url_for("people.duplicates", kind=kind,
                             page=page if page.isdecimal() and len(page) < 7 else None),
                     message)
