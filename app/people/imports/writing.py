"""Staging an upload as a preview, and writing a confirmed import all or nothing.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm.attributes import flag_modified

from app.audit.services import record
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.people.contacts import build_search_text
from app.people.imports.planning import FILLABLE, org_key, plan
from app.people.imports.reading import (
    MAX_BYTES,
    ImportFileError,
    clean_row,
    decode,
    one_line,
    parse,
)
from app.people.imports.staged import StagedRow, staged_rows
from app.people.models import (
    Channel,
    Contact,
    ContactEmail,
    ContactImport,
    ContactPhone,
    Influence,
    Organization,
    OrgType,
    Sphere,
    Stance,
    StanceChange,
)

PREVIEW_HOURS = 24


class ImportRowsError(ValueError):
    """Some rows have problems, so nothing was written."""


def purge_expired() -> int:
    """Remove previews nobody confirmed within PREVIEW_HOURS (their staged rows with them)."""
    cutoff = utcnow() - timedelta(hours=PREVIEW_HOURS)
    result = db.session.execute(delete(ContactImport).where(
        ContactImport.confirmed_at.is_(None), ContactImport.created_at < cutoff))
    return result.rowcount or 0


def stage(filename: str, data: bytes, actor: User) -> ContactImport:
    """Read an upload and stage its preview (nothing about contacts is written yet).
    ImportFileError if the file as a whole can't be used."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
                              f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files.")
    text, encoding = decode(data)
    parsed = parse(text)
    rows = []
    for line, cells in parsed.rows:
        values, errors = clean_row(parsed.columns, cells)
        rows.append(StagedRow(line=line, values=values, parse_errors=errors))
    counts, _ = plan(rows)
    purge_expired()
    name = one_line(filename or "upload.csv")[-200:] or "upload.csv"
    imp = ContactImport(filename=name, created_by_id=actor.id,
                        rows={"encoding": encoding, "ignored": parsed.ignored,
                              "mapped": sorted({c for c in parsed.columns if c}),
                              "counts": counts,
                              "rows": [r.as_json() for r in rows]})
    db.session.add(imp)
    db.session.flush()
    return imp


def is_expired(imp: ContactImport) -> bool:
    """True for a preview older than PREVIEW_HOURS that was never confirmed."""
    return imp.confirmed_at is None and \
        imp.created_at < utcnow() - timedelta(hours=PREVIEW_HOURS)


def save_staged(imp: ContactImport, data: dict[str, Any]) -> None:
    # The staged JSON is changed in place; tell SQLAlchemy, which compares by value.
    imp.rows = data
    flag_modified(imp, "rows")


def search_text_of(values: dict[str, Any], org_name: str | None) -> str:
    # A plain stand-in for the contact: building ORM objects costs more than the text.
    probe = SimpleNamespace(first_name=values["first_name"],
                            last_name=values.get("last_name") or "",
                            title=values.get("title"), beat=values.get("beat"),
                            coverage_area=values.get("coverage_area"), tags=values["tags"])
    return build_search_text(probe, org_name, values["emails"],  # type: ignore[arg-type]
                                      values["phones"])


def confirm(imp: ContactImport, actor: User) -> dict[str, int]:
    """Write a staged import, all or nothing: re-plan against the database as it is now and
    raise ImportRowsError (writing nothing) if any row has a problem. Flushes; the view
    commits once."""
    data = dict(imp.rows)
    rows = staged_rows(data)
    counts, current = plan(rows)
    data["counts"] = counts
    data["rows"] = [r.as_json() for r in rows]
    if counts["errors"]:
        save_staged(imp, data)
        raise ImportRowsError(f"{counts['errors']} rows have problems, so nothing was "
                              "imported.")
    now = utcnow()
    actor_id = actor.id
    # Organizations first: one per new name.
    new_orgs: dict[str, int] = {}
    for row in rows:
        name = row.values.get("organization")
        wanted = row.action == "create" or (
            row.action == "update" and "organization" in row.changes)
        if name and not row.org and wanted:
            new_orgs[org_key(name)] = -1
    org_rows = {}
    for row in rows:
        name = row.values.get("organization")
        if name and org_key(name) in new_orgs and org_key(name) not in org_rows:
            org_rows[org_key(name)] = {
                "name": name, "type": OrgType(row.values.get("organization_type") or "other"),
                "sphere": None, "tags": "", "do_not_contact": False,
                "owner_id": actor_id, "source": f"CSV import #{imp.id}",
                "created_at": now, "updated_at": now}
    if org_rows:
        keys = list(org_rows)
        ids = db.session.scalars(insert(Organization).returning(
            Organization.id, sort_by_parameter_order=True), [org_rows[k] for k in keys]).all()
        new_orgs = dict(zip(keys, ids, strict=True))

    def org_of(row) -> tuple[int | None, str | None]:
        if row.org:
            return row.org[0], row.org[1]
        name = row.values.get("organization")
        return (new_orgs[org_key(name)], name) if name else (None, None)

    created = [r for r in rows if r.action == "create"]
    contact_rows = []
    for row in created:
        v = row.values
        org_id, org_name = org_of(row)
        last = v.get("last_name") or ""
        contact_rows.append({
            "first_name": v["first_name"], "last_name": last,
            "sort_name": f"{last} {v['first_name']}".strip().lower(),
            "pronouns": v.get("pronouns") or None, "title": v.get("title") or None,
            "organization_id": org_id,
            "sphere": Sphere(v["sphere"]) if v.get("sphere") else None,
            "address": v.get("address") or None, "website": v.get("website") or None,
            "preferred_channel": Channel(v["preferred_channel"])
            if v.get("preferred_channel") else None,
            "tags": v["tags"], "source": v.get("source") or f"CSV import #{imp.id}",
            "owner_id": actor_id, "do_not_contact": v["do_not_contact"],
            "stance": Stance(v.get("stance") or "unknown"),
            "influence": Influence(v.get("influence") or "medium"),
            "is_media": v["is_media"], "beat": v.get("beat") or None,
            "coverage_area": v.get("coverage_area") or None,
            "search_text": search_text_of(v, org_name), "import_id": imp.id,
            "created_at": now, "updated_at": now})
    contact_ids: list[int] = []
    if contact_rows:
        # A plain executemany (RETURNING over thousands of rows is much slower). The new ids
        # are ours alone (import_id) and ascend in insertion order, so they line up with
        # the rows; the count check makes sure.
        db.session.execute(insert(Contact.__table__), contact_rows)
        contact_ids = list(db.session.scalars(
            select(Contact.id).where(Contact.import_id == imp.id).order_by(Contact.id)))
        if len(contact_ids) != len(contact_rows):
            raise RuntimeError("imported contacts don't line up with their rows")
    emails, phones, stances = [], [], []
    for cid, row, crow in zip(contact_ids, created, contact_rows, strict=True):
        emails.extend({"contact_id": cid, "email": e} for e in row.values["emails"])
        phones.extend({"contact_id": cid, "number": p} for p in row.values["phones"])
        stances.append({"contact_id": cid, "by_id": actor_id, "at": now, "from_stance": None,
                        "to_stance": crow["stance"], "from_influence": None,
                        "to_influence": crow["influence"],
                        "reason": f"Imported from CSV (import #{imp.id})"})
    updated = _apply_updates([r for r in rows if r.action == "update"], current, imp,
                             actor_id, now, org_of, emails, phones, stances)
    # Core executemany: the ORM's bulk path adds nothing here but time.
    if emails:
        db.session.execute(insert(ContactEmail.__table__), emails)
    if phones:
        db.session.execute(insert(ContactPhone.__table__), phones)
    if stances:
        db.session.execute(insert(StanceChange.__table__), stances)
    result = {"created": len(contact_ids), "updated": len(updated),
              "unchanged": counts["unchanged"], "organizations": len(new_orgs)}
    data["result"] = {**result, "updated_contacts": updated,
                      "organization_ids": sorted(new_orgs.values())}
    save_staged(imp, data)
    imp.confirmed_at = now
    imp.created_count = len(contact_ids)
    record("contact.import", f"Imported contacts from CSV (import #{imp.id}, "
           f"{imp.filename}): {result['created']} added, {result['updated']} updated, "
           f"{result['organizations']} organizations added", imp, actor)
    db.session.flush()
    return result


def _apply_updates(rows, current, imp, actor_id, now, org_of, emails, phones,
                   stances) -> list[dict]:
    """Fill in matched contacts (one executemany per shape of change); return what undo
    needs to put each back."""
    updated = []
    batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        changes = row.changes
        cid = row.match["id"]
        was = current[cid]
        values: dict[str, Any] = {f: changes[f] for f in FILLABLE if f in changes}
        org_name = was["organization_name"]
        if "organization" in changes:
            values["organization_id"], org_name = org_of(row)
        for field in ("tags", "do_not_contact", "is_media"):
            if field in changes:
                values[field] = changes[field]
        if "stance" in changes:
            values["stance"] = changes["stance"]
            values["influence"] = changes.get("influence") or was["influence"]
            stances.append({"contact_id": cid, "by_id": actor_id, "at": now,
                            "from_stance": Stance(was["stance"]),
                            "to_stance": Stance(values["stance"]),
                            "from_influence": Influence(was["influence"]),
                            "to_influence": Influence(values["influence"]),
                            "reason": f"Imported from CSV (import #{imp.id})"})
        before = {f: was[f] for f in values}
        after = dict(values)
        new = {**was, **values}
        probe = {"first_name": new["first_name"], "last_name": new["last_name"],
                 "title": new["title"], "beat": new["beat"],
                 "coverage_area": new["coverage_area"], "tags": new["tags"],
                 "emails": was["emails"] + changes.get("emails", []),
                 "phones": was["phones"] + changes.get("phones", [])}
        values["search_text"] = search_text_of(probe, org_name)
        for enum_field, cls in (("sphere", Sphere), ("preferred_channel", Channel),
                                ("stance", Stance), ("influence", Influence)):
            if values.get(enum_field):
                values[enum_field] = cls(values[enum_field])
        values["updated_at"] = now
        values["b_id"] = cid
        batches.setdefault(tuple(sorted(values)), []).append(values)
        emails.extend({"contact_id": cid, "email": e} for e in changes.get("emails", []))
        phones.extend({"contact_id": cid, "number": p} for p in changes.get("phones", []))
        updated.append({"id": cid, "before": before, "after": after,
                        "emails": changes.get("emails", []),
                        "phones": changes.get("phones", [])})
    table = Contact.__table__
    for params in batches.values():
        db.session.execute(update(table).where(table.c.id == bindparam("b_id")), params)
    return updated
