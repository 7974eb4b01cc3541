"""Signed-in views for merging duplicates (admin and liaison): find the duplicate by name
(likely duplicates first), compare the two side by side, choose what survives, confirm."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.access import roles
from app.auth.models import Role
from app.extensions import db
from app.people import lifecycle
from app.people.blueprint import bp
from app.people.contacts import load_contact
from app.people.duplicates import find_duplicate_organizations, find_duplicates
from app.people.forms import merge_form
from app.people.merge import (
    CONTACT_FIELDS,
    ORGANIZATION_FIELDS,
    MergeError,
    default_take,
    differing_fields,
    merge_contacts,
    merge_organizations,
)
from app.people.models import Contact, Organization
from app.people.queries import contact_page, organization_query
from app.web import render, see_other

SEARCH_LIMIT = 20


@dataclass(frozen=True)
class _Kind:
    """What differs between merging contacts and merging organizations."""

    noun: str
    fields: dict[str, str]
    load: Callable[[int], Any]
    suggestions: Callable[[Any], list[tuple[Any, str]]]
    search: Callable[[str, Any], list[Any]]
    links: Callable[[list[Any]], dict[int, list[lifecycle.Link]]]
    merge: Callable[..., Any]
    show: Callable[[Any], str]
    here: Callable[[Any], str]
    combined: Callable[[Any, Any], list[tuple[str, str]]]


def _contact_suggestions(contact: Contact) -> list[tuple[Contact, str]]:
    found = find_duplicates(contact.first_name, contact.last_name, contact.organization_id,
                            [e.email for e in contact.emails],
                            [p.number for p in contact.phones], exclude_id=contact.id)
    return [(c, why) for c, why in found if c.archived_at is None]


def _contact_search(q: str, contact: Contact) -> list[Contact]:
    rows, _total, _capped = contact_page({"q": q}, current_user, 1, size=SEARCH_LIMIT + 1)
    return [c for c in rows if c.id != contact.id][:SEARCH_LIMIT]


def _org_search(q: str, org: Organization) -> list[Organization]:
    return list(db.session.scalars(
        organization_query({"q": q}).where(Organization.id != org.id)
        .order_by(Organization.name, Organization.id).limit(SEARCH_LIMIT)))


def _load_org(org_id: int) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.id == org_id)
                             .options(joinedload(Organization.owner)))


def _either(a, b, attr: str) -> str:
    return "Yes" if getattr(a, attr) or getattr(b, attr) else "No"


def _contact_combined(a: Contact, b: Contact) -> list[tuple[str, str]]:
    emails = dict.fromkeys([e.email for e in a.emails] + [e.email for e in b.emails])
    phones = dict.fromkeys([p.display for p in a.phones] + [p.display for p in b.phones])
    tags = sorted(set(a.tag_list) | set(b.tag_list))
    return [("Emails", ", ".join(emails) or "—"), ("Phones", ", ".join(phones) or "—"),
            ("Tags", ", ".join(tags) or "—"), ("Do not contact", _either(a, b, "do_not_contact")),
            ("Media contact", _either(a, b, "is_media"))]


def _org_combined(a: Organization, b: Organization) -> list[tuple[str, str]]:
    tags = sorted(set(a.tag_list) | set(b.tag_list))
    return [("Tags", ", ".join(tags) or "—"),
            ("Do not contact", _either(a, b, "do_not_contact"))]


CONTACTS = _Kind(
    noun="contact", fields=CONTACT_FIELDS, load=load_contact, suggestions=_contact_suggestions,
    search=_contact_search, links=lifecycle.links_to_contacts, merge=merge_contacts,
    show=lambda c: url_for("people.show", contact_id=c.id),
    here=lambda c: url_for("people.merge", contact_id=c.id), combined=_contact_combined)
ORGANIZATIONS = _Kind(
    noun="organization", fields=ORGANIZATION_FIELDS, load=_load_org,
    suggestions=find_duplicate_organizations, search=_org_search,
    links=lifecycle.links_to_organizations, merge=merge_organizations,
    show=lambda o: url_for("people.organization_show", org_id=o.id),
    here=lambda o: url_for("people.organization_merge", org_id=o.id), combined=_org_combined)


@bp.route("/<int:contact_id>/merge", methods=["GET", "POST"])
@roles(Role.liaison)
def merge(contact_id: int):
    """Merge a duplicate with this contact: find it, compare, choose what survives."""
    return _merge(CONTACTS, load_contact(contact_id) or abort(404))


@bp.route("/organizations/<int:org_id>/merge", methods=["GET", "POST"])
@roles(Role.liaison)
def organization_merge(org_id: int):
    """Merge a duplicate with this organization: find it, compare, choose what survives."""
    return _merge(ORGANIZATIONS, _load_org(org_id) or abort(404))


def _merge(kind: _Kind, subject):
    """Without `other`: the page to find the duplicate. With it: the comparison, and on
    POST the merge (422 with the reason for anything that can't be merged)."""
    raw = (request.values.get("other") or "").strip()
    if not raw:
        problem = "Choose the duplicate to merge." if request.method == "POST" else None
        return _pick(kind, subject, problem)
    other, problem = _other(kind, subject, raw)
    if problem:
        return _pick(kind, subject, problem)
    names = differing_fields(subject, other, kind.fields)
    form = merge_form(subject.id, other.id, {n: kind.fields[n] for n in names},
                      default_take(subject, other, names), subject.id)
    if form.validate_on_submit():
        keep, gone = (subject, other) if form.keep.data == str(subject.id) else (other, subject)
        take = {n for n in names if form[f"pick_{n}"].data == str(gone.id)}
        gone_name = gone.name
        try:
            kind.merge(keep, gone, current_user, take)
        except MergeError as exc:
            return _pick(kind, subject, str(exc))
        db.session.commit()
        return see_other(kind.show(keep), f"Merged {gone_name} into {keep.name}.")
    rows = [(n, kind.fields[n], form[f"pick_{n}"], _shown(subject, n), _shown(other, n))
            for n in names]
    return render("people/merge_compare.html", kind=kind, form=form, a=subject, b=other,
                  rows=rows, combined=kind.combined(subject, other),
                  links=kind.links([subject, other]),
                  status=422 if request.method == "POST" else 200)


def _other(kind: _Kind, subject, raw: str):
    """The record to merge with, or the reason it can't be."""
    if not raw.isdecimal() or len(raw) > 10:
        return None, f"Choose a {kind.noun} from the list."
    other = kind.load(int(raw))
    if other is None:
        return None, f"That {kind.noun} doesn't exist (any more). Choose another."
    if other.id == subject.id:
        return None, f"A {kind.noun} can't be merged with itself. Choose its duplicate."
    for record in (subject, other):
        if record.archived_at is not None:
            return None, f"{record.name} is archived: restore it first to merge."
    return other, None


def _pick(kind: _Kind, subject, problem: str | None):
    """Find the duplicate: likely ones first, then a name search (a GET form; as you type
    with htmx, which swaps only the results)."""
    q = (request.args.get("q") or "").strip()[:200]
    return render("people/merge.html", block="results", kind=kind, subject=subject,
                  suggestions=kind.suggestions(subject), q=q,
                  found=kind.search(q, subject) if q else [], problem=problem,
                  status=422 if problem else 200)


def _shown(record, name: str) -> str:
    """A field's value as the comparison shows it ("—" when blank)."""
    if name == "owner_id":
        return record.owner.name if record.owner else "—"
    if name == "organization_id":
        return record.organization.name if record.organization else "—"
    if name == "phone":
        return record.phone_display or "—"
    value = getattr(record, name)
    if value in (None, ""):
        return "—"
    return getattr(value, "label", None) or str(value)
