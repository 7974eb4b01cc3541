"""Undoing a whole import: what it added goes (unless something links to it since, as
every domain says through the lifecycle signals), and what it filled in on existing
contacts is put back where nobody changed it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, delete, insert, literal, select, update

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.people import lifecycle
from app.people.duplicates import chunks
from app.people.imports.planning import load_contacts
from app.people.imports.writing import save_staged, search_text_of
from app.people.lifecycle import plural
from app.people.models import (
    Channel,
    Contact,
    ContactEmail,
    ContactImport,
    ContactPhone,
    Influence,
    Organization,
    Sphere,
    Stance,
    StanceChange,
)


def undo(imp: ContactImport, actor: User) -> dict[str, Any]:
    """Undo a confirmed import: remove the contacts and organizations it created, keeping
    any that anything links to since (every domain says, through the lifecycle signal:
    notes, commitments, events, inquiries, bookings...), and put back what it filled in on
    existing contacts where nobody changed it since. The summary names who stayed and why.
    Recorded in the audit trail."""
    data = dict(imp.rows)
    result = data.get("result", {})
    mine = select(Contact.id).where(Contact.import_id == imp.id)
    reasons = lifecycle.linked_contact_ids(mine)
    linked = lifecycle.contacts_linked_query(mine)
    doomed = select(Contact.id).where(Contact.import_id == imp.id)
    if linked is not None:
        doomed = doomed.where(Contact.id.not_in(select(linked.subquery().c.id)))
    kept_contacts = _named(select(Contact.id, Contact.first_name, Contact.last_name), reasons)
    kept = len(reasons)
    # Children go explicitly (not by ON DELETE CASCADE) so SQLite without the pragma agrees.
    for table in (ContactEmail, ContactPhone, StanceChange):
        db.session.execute(delete(table).where(table.contact_id.in_(doomed.scalar_subquery())))
    removed = db.session.execute(delete(Contact).where(Contact.id.in_(
        doomed.scalar_subquery()))).rowcount or 0
    db.session.execute(update(Contact).where(Contact.import_id == imp.id).values(import_id=None))
    now = utcnow()
    restored = _restore_all(result.get("updated_contacts", []), imp, actor, now)
    org_ids = result.get("organization_ids", [])
    orgs_removed, kept_orgs = 0, []
    if org_ids:
        among = select(Organization.id).where(Organization.id.in_(org_ids))
        org_reasons = lifecycle.linked_organization_ids(among)
        with_people = db.session.scalars(select(Contact.organization_id).distinct().where(
            Contact.organization_id.in_(among)))
        for org_id in with_people:
            org_reasons.setdefault(org_id, []).insert(0, "people")
        kept_orgs = _named(select(Organization.id, Organization.name, literal("")),
                           org_reasons)
        gone = [i for i in org_ids if i not in org_reasons]
        for chunk in chunks(gone):
            orgs_removed += db.session.execute(delete(Organization).where(
                Organization.id.in_(chunk))).rowcount or 0
    summary = {"removed": removed, "kept": kept, "restored": restored,
               "organizations_removed": orgs_removed, "kept_contacts": kept_contacts,
               "kept_organizations": kept_orgs}
    data["undo"] = summary
    save_staged(imp, data)
    imp.undone_at = now
    record("contact.import_undo", f"Undid import #{imp.id}: "
           f"{plural(removed, 'contact')} removed, {kept} kept (something links to them "
           f"since), {restored} restored, {plural(orgs_removed, 'organization')} removed",
           imp, actor)
    db.session.flush()
    return summary


def _named(names: Select, reasons: dict[int, list[str]],
           limit: int = 200) -> list[dict[str, Any]]:
    """Who stayed and why, for the undo's summary (the first `limit` of them): `names`
    selects (id, name, more name) of contacts or organizations."""
    ids = sorted(reasons)[:limit]
    id_column = names.selected_columns[0]
    rows = [row for chunk in chunks(ids)
            for row in db.session.execute(names.where(id_column.in_(chunk)))]
    return sorted(({"id": i, "name": f"{a} {b}".strip(), "why": reasons[i]}
                   for i, a, b in rows), key=lambda x: (x["name"].lower(), x["id"]))


def _restore_all(items: list[dict[str, Any]], imp: ContactImport, actor: User, now) -> int:
    """Put back what the import filled in on existing contacts, field by field where the field
    still holds what the import set (a later edit wins), with a few batched statements."""
    if not items:
        return 0
    current = load_contacts([item["id"] for item in items])
    table = Contact.__table__
    batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    stances: list[dict[str, Any]] = []
    gone_emails: list[dict[str, Any]] = []
    gone_phones: list[dict[str, Any]] = []
    restored = 0
    for item in items:
        cid = item["id"]
        was = current.get(cid)
        if was is None:
            continue
        before, after = item["before"], item["after"]
        values = {f: before[f] for f, v in after.items() if f in before and was.get(f) == v}
        if "stance" in values or "influence" in values:
            values.setdefault("stance", was["stance"])
            values.setdefault("influence", was["influence"])
            if (values["stance"], values["influence"]) != (was["stance"], was["influence"]):
                stances.append({"contact_id": cid, "by_id": actor.id, "at": now,
                                "from_stance": Stance(was["stance"]),
                                "to_stance": Stance(values["stance"]),
                                "from_influence": Influence(was["influence"]),
                                "to_influence": Influence(values["influence"]),
                                "reason": f"Import #{imp.id} undone"})
        emails = [e for e in item["emails"] if e in was["emails"]]
        phones = [p for p in item["phones"] if p in was["phones"]]
        if not values and not emails and not phones:
            continue
        restored += 1
        gone_emails.extend({"b_cid": cid, "b_email": e} for e in emails)
        gone_phones.extend({"b_cid": cid, "b_number": p} for p in phones)
        new = {**was, **values}
        org_name = was["organization_name"]
        if "organization_id" in values and values["organization_id"] != was["organization_id"]:
            org_name = db.session.scalar(select(Organization.name).where(
                Organization.id == values["organization_id"])) if values["organization_id"] \
                else None
        new["emails"] = [e for e in was["emails"] if e not in emails]
        new["phones"] = [p for p in was["phones"] if p not in phones]
        values["search_text"] = search_text_of(new, org_name)
        for field, cls in (("stance", Stance), ("influence", Influence), ("sphere", Sphere),
                           ("preferred_channel", Channel)):
            if values.get(field):
                values[field] = cls(values[field])
        values["updated_at"] = now
        values["b_id"] = cid
        batches.setdefault(tuple(sorted(values)), []).append(values)
    for params in batches.values():
        db.session.execute(update(table).where(table.c.id == bindparam("b_id")), params)
    emails_table, phones_table = ContactEmail.__table__, ContactPhone.__table__
    if gone_emails:
        db.session.execute(delete(emails_table).where(
            emails_table.c.contact_id == bindparam("b_cid"),
            emails_table.c.email == bindparam("b_email")), gone_emails)
    if gone_phones:
        db.session.execute(delete(phones_table).where(
            phones_table.c.contact_id == bindparam("b_cid"),
            phones_table.c.number == bindparam("b_number")), gone_phones)
    if stances:
        db.session.execute(insert(StanceChange.__table__), stances)
    return restored
