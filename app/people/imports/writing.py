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
from app.people import phones
from app.people.contacts import build_search_text
from app.people.imports import columns, formats
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
from app.people.lifecycle import plural
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


SAMPLES = 3  # example values the column mapping shows per column


def _samples(headers: list[str], rows: list[tuple[int, list[str]]]) -> list[list[str]]:
    """A few distinct values of each column (an empty list for a column with none)."""
    out: list[list[str]] = []
    for index in range(len(headers)):
        seen: list[str] = []
        for _line, cells in rows:
            value = one_line(cells[index])[:60] if index < len(cells) else ""
            if value and value not in seen:
                seen.append(value)
                if len(seen) == SAMPLES:
                    break
        out.append(seen)
    return out


def stage(filename: str, data: bytes, actor: User) -> ContactImport:
    """Read an upload (CSV or vCard) and stage it for its column mapping: the cells, the
    format its headers say it is, and each column's field as last confirmed for these
    headers, else as the format suggests. Nothing about contacts is written yet.
    ImportFileError if the file as a whole can't be used."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
                              f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files.")
    text, encoding = decode(data)
    parsed = parse(text)
    fmt = formats.VCARD if parsed.kind == "vcard" else formats.recognize(parsed.headers)
    fields, remembered_at = formats.suggest(fmt, parsed.headers), None
    known = columns.remembered(parsed.headers)
    if known is not None and len(known.fields) == len(parsed.headers):
        fields = [f if f in columns.BY_KEY else None for f in known.fields]
        remembered_at = known.updated_at.isoformat()
    purge_expired()
    name = one_line(filename or "upload.csv")[-200:] or "upload.csv"
    imp = ContactImport(filename=name, created_by_id=actor.id, rows={
        "stage": "columns", "encoding": encoding, "format": fmt.key,
        "unit": "card" if parsed.kind == "vcard" else "line",
        "headers": parsed.headers, "fields": fields, "remembered_at": remembered_at,
        "samples": _samples(parsed.headers, parsed.rows), "broken": parsed.broken,
        "cells": parsed.rows})
    db.session.add(imp)
    db.session.flush()
    return imp


def map_columns(imp: ContactImport, fields: list[str | None]) -> dict[str, int]:
    """Read every staged row with `fields` as its columns' fields and plan the preview;
    the mapping is remembered for these headers. MappingError (nothing changed) if the
    mapping can't be used. Returns the preview's counts."""
    if imp.confirmed_at is not None or "cells" not in imp.rows:
        raise columns.MappingError({}, ["This file was already imported: its columns can't "
                                        "change now."])
    data = dict(imp.rows)
    headers = data["headers"]
    columns.check(fields, headers)
    rows = []
    for line, message in data.get("broken", []):
        rows.append(StagedRow(line=line, values={"kind": "person", "first_name": "",
                                                 "last_name": "", "emails": [],
                                                 "phones": [], "tags": ""},
                              parse_errors=[message]))
    region = phones.region()
    for line, cells in data["cells"]:
        values, errors, notes = clean_row(fields, cells, region)
        rows.append(StagedRow(line=line, values=values, parse_errors=errors,
                              parse_notes=notes))
    rows.sort(key=lambda r: r.line)
    counts, _ = plan(rows, data["unit"])
    columns.remember(headers, fields)
    data.update(stage="preview", fields=fields, counts=counts,
                # Columns with something in them that the import leaves out.
                ignored=[h for h, f, samples in zip(headers, fields, data["samples"],
                                                    strict=True) if samples and not f],
                rows=[r.as_json() for r in rows])
    save_staged(imp, data)
    db.session.flush()
    return counts


def is_previewed(imp: ContactImport) -> bool:
    """True once the columns are mapped and the rows planned (imports staged before the
    mapping step existed went straight to their preview)."""
    return imp.rows.get("stage", "preview") == "preview"


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
    commits once. The file's cells (ignored columns included) are dropped from the record."""
    if not is_previewed(imp):
        raise ImportRowsError("Match the file's columns to fields first.")
    data = dict(imp.rows)
    rows = staged_rows(data)
    counts, current = plan(rows, data.get("unit", "line"))
    data["counts"] = counts
    data["rows"] = [r.as_json() for r in rows]
    if counts["errors"]:
        save_staged(imp, data)
        raise ImportRowsError(f"{plural(counts['errors'], 'row has', 'rows have')} problems, "
                              "so nothing was imported.")
    now = utcnow()
    actor_id = actor.id
    label = f"import #{imp.id}"
    # Organizations first: one per new name, from an organization's own row if it has one.
    org_rows: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r.action != "organization"):
        name = row.values.get("organization")
        wanted = row.action in ("create", "organization") or (
            row.action == "update" and "organization" in row.changes)
        if not name or row.org or not wanted or org_key(name) in org_rows:
            continue
        v = row.values
        own = row.action == "organization"
        org_rows[org_key(name)] = {
            "name": name, "type": OrgType(v.get("organization_type") or "other"),
            "sphere": Sphere(v["sphere"]) if own and v.get("sphere") else None,
            "email": v["emails"][0] if own and v["emails"] else None,
            "phone": v["phones"][0] if own and v["phones"] else None,
            "address": (v.get("address") or None) if own else None,
            "website": (v.get("website") or None) if own else None,
            "tags": v["tags"] if own else "", "do_not_contact": own and v["do_not_contact"],
            "owner_id": actor_id, "source": (v.get("source") if own else None) or label,
            "created_at": now, "updated_at": now}
    new_orgs: dict[str, int] = {}
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
            "name_prefix": v.get("name_prefix") or None,
            "name_suffix": v.get("name_suffix") or None,
            "pronouns": v.get("pronouns") or None, "title": v.get("title") or None,
            "organization_id": org_id,
            "sphere": Sphere(v["sphere"]) if v.get("sphere") else None,
            "address": v.get("address") or None, "website": v.get("website") or None,
            "preferred_channel": Channel(v["preferred_channel"])
            if v.get("preferred_channel") else None,
            "tags": v["tags"], "source": v.get("source") or f"Imported ({label})",
            "owner_id": actor_id, "do_not_contact": v["do_not_contact"],
            "stance": Stance(v.get("stance") or "unknown"),
            "influence": Influence(v.get("influence") or "medium"),
            "is_media": v["is_media"], "beat": v.get("beat") or None,
            "coverage_area": v.get("coverage_area") or None,
            "approach_notes": v.get("approach_notes") or None,
            "background": v.get("background") or None,
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
                        "reason": f"Imported ({label}, {imp.filename})"})
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
              "unchanged": counts["unchanged"], "organizations": len(new_orgs),
              "skipped": counts["skip"]}
    data["result"] = {**result, "updated_contacts": updated,
                      "organization_ids": sorted(new_orgs.values())}
    # The file itself (every column, those left out too) isn't kept past the import.
    for key in ("cells", "samples", "broken"):
        data.pop(key, None)
    save_staged(imp, data)
    imp.confirmed_at = now
    imp.created_count = len(contact_ids)
    record("contact.import", f"Imported contacts ({label}, {imp.filename}): "
           f"{result['created']} added, {result['updated']} updated, "
           f"{plural(result['organizations'], 'organization')} added", imp, actor)
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
                            "reason": f"Imported (import #{imp.id}, {imp.filename})"})
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
