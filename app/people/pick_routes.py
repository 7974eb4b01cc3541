"""The pickers' searches: one per kind. A picker's search box asks as you type (htmx) and
gets its list of options back; opened as a page, the same URL is a plain "find" page whose
results link to each record."""

from __future__ import annotations

from flask import request

from app.people.blueprint import bp
from app.people.models import OrgType
from app.people.picker import KINDS, Kind, field_name, ids_from
from app.web import render


def _pick(kind: Kind):
    """The options under a picker's search box: what is ticked (sent back with the search),
    then what matches the typed text, ticked ones left out."""
    name = field_name(request.args.get("field"))
    multiple = request.args.get("mode") != "one"
    wanted = request.args.get("type")
    org_type = OrgType(wanted) if kind.name == "organization" and wanted in OrgType.__members__ \
        else None
    chosen_ids = ids_from(request.args.getlist(name))[:200]
    if not multiple:
        chosen_ids = chosen_ids[:1]
    typed = " ".join((request.args.get(f"{name}-q") or request.args.get("q") or "")
                     .split())[:200]
    chosen = kind.options(chosen_ids)
    found = kind.find(typed, exclude=chosen_ids, org_type=org_type) if typed else None
    return render("people/pick.html", block="options", kind=kind, name=name,
                  multiple=multiple, chosen=chosen, found=found, typed=typed,
                  org_type=org_type, oob=True)


@bp.route("/pick/contacts")
def pick_contacts():
    """Find people by name, organization, title, email, phone or tag (a picker's search)."""
    return _pick(KINDS["contact"])


@bp.route("/pick/organizations")
def pick_organizations():
    """Find organizations by name (a picker's search)."""
    return _pick(KINDS["organization"])
