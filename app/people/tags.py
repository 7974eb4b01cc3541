"""Tags on contacts and organizations: the vocabulary with its counts, suggestions by any part
of a tag, and renaming, merging and deleting a tag everywhere it is used (admin and liaison,
recorded in the audit trail). Tags are stored as ",a,b," (people.contacts.normalize_tags).

Services flush but never commit; the view commits once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app, g, has_request_context
from sqlalchemy import bindparam, false, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.auth.models import User
from app.extensions import db
from app.people.contacts import build_search_text, normalize_tags
from app.people.models import Contact, Organization
from app.system import changes

MAX_TAG = 40  # normalize_tags keeps at most this many characters


def clean_tag(text: str | None) -> str:
    """A tag as it is stored: lower case, single spaces, no commas, at most MAX_TAG."""
    return " ".join((text or "").replace(",", " ").replace(";", " ").split()).lower()[:MAX_TAG]


@dataclass(frozen=True)
class TagCount:
    """A tag and how many active contacts and organizations carry it."""

    tag: str
    contacts: int
    organizations: int

    @property
    def total(self) -> int:
        return self.contacts + self.organizations


def _count(model) -> Counter:
    """Tag -> active rows of `model` that carry it, from the (archived_at, tags) index: each
    distinct tag string once, however many rows share it."""
    query = (select(model.tags, func.count())
             .where(model.archived_at.is_(None), model.tags != "").group_by(model.tags))
    counts: Counter = Counter()
    for tags, n in db.session.execute(query):
        for tag in tags.split(","):
            if tag:
                counts[tag] += n
    return counts


_TAGGED = (Contact.__tablename__, Organization.__tablename__)


def _counts(model, part: str = "") -> Counter:
    """The tags of `model` containing `part`, with their counts. Counting reads every
    distinct tag string (10 ms at 50,000 contacts), so the counts are kept per app and
    process until contacts or organizations next change (one statement to ask)."""
    stamp = changes.last_change(_TAGGED)[0]
    kept = current_app.extensions.get("tag_counts")
    if kept is None or kept[0] != stamp:
        kept = current_app.extensions["tag_counts"] = (stamp, {})
    if model.__tablename__ not in kept[1]:
        kept[1][model.__tablename__] = _count(model)
    counts = kept[1][model.__tablename__]
    return counts if not part else Counter({t: n for t, n in counts.items() if part in t})


def tag_counts(part: str = "") -> list[TagCount]:
    """Every tag in use (or those containing `part`), with its counts, by name."""
    part = clean_tag(part)
    people, orgs = _counts(Contact, part), _counts(Organization, part)
    return [TagCount(t, people[t], orgs[t]) for t in sorted(set(people) | set(orgs))]


def suggestions(part: str, limit: int = 20) -> list[TagCount]:
    """Tags containing `part` anywhere ("hous" → "housing", "warehouse district"), those
    that start with it first, then the most used."""
    part = clean_tag(part)
    if not part:
        return []
    found = tag_counts(part)
    found.sort(key=lambda t: (not t.tag.startswith(part), -t.total, t.tag))
    return found[:limit]


@dataclass(frozen=True)
class Filtered:
    """What a list's tag filter stands for: the tag itself when it is one, else every tag
    containing the text (possibly none); and how many active rows carry them (at most: a
    row carrying two of them counts twice)."""

    tags: list[str]
    carriers: int


def filtered(text: str | None, model=Contact) -> Filtered:
    """The tags a list's tag filter `text` stands for, and their carriers (read once per
    request)."""
    part = clean_tag(text)
    if not part:
        return Filtered([], 0)
    cache = g.setdefault("_filter_tags", {}) if has_request_context() else {}
    key = (model.__tablename__, part)
    if key not in cache:
        found = _counts(model, part)
        wanted = [part] if part in found else sorted(found)
        cache[key] = Filtered(wanted, sum(found[t] for t in wanted))
    return cache[key]


def filter_tags(text: str | None, model=Contact) -> list[str]:
    """The tags a list's tag filter stands for (see `filtered`)."""
    return filtered(text, model).tags


def tag_condition(text: str | None, model=Contact):
    """The condition a list's tag filter puts on `model` (None when there is no filter)."""
    if not clean_tag(text):
        return None
    wanted = filter_tags(text, model)
    return _carrying(model, wanted) if wanted else false()


# --- changing tags everywhere -----------------------------------------------------------------


def _carrying(model, tags: list[str]):
    condition = None
    for tag in tags:
        term = model.tags.contains(f",{tag},", autoescape=True)
        condition = term if condition is None else condition | term
    return condition


def _new_tags(tags: str, old: list[str], new: str | None) -> str:
    return normalize_tags([t for t in tags.split(",") if t and t not in old]
                          + ([new] if new else []))


def _retag_organizations(old: list[str], new: str | None) -> int:
    rows = db.session.execute(select(Organization.id, Organization.tags)
                              .where(_carrying(Organization, old))).all()
    changes = [{"row_id": i, "new_tags": _new_tags(tags, old, new)} for i, tags in rows]
    table = Organization.__table__
    if changes:
        db.session.execute(update(table).where(table.c.id == bindparam("row_id")).values(
            tags=bindparam("new_tags"), updated_at=table.c.updated_at,
            version=table.c.version + 1), changes)
    return len(changes)


def _retag_contacts(old: list[str], new: str | None) -> int:
    """As for organizations, and each contact's search words follow its tags."""
    ids = list(db.session.scalars(select(Contact.id).where(_carrying(Contact, old))))
    table = Contact.__table__
    for start in range(0, len(ids), 500):
        changes = []
        for contact in db.session.scalars(
                select(Contact).where(Contact.id.in_(ids[start:start + 500])).options(
                    joinedload(Contact.organization), selectinload(Contact.emails),
                    selectinload(Contact.phones))):
            tags = _new_tags(contact.tags, old, new)
            words = SimpleNamespace(**{name: getattr(contact, name) for name in (
                "first_name", "last_name", "title", "beat", "coverage_area")}, tags=tags)
            changes.append({"row_id": contact.id, "new_tags": tags,
                            "new_text": build_search_text(
                                words, contact.organization.name if contact.organization
                                else None, [e.email for e in contact.emails],
                                [p.number for p in contact.phones])})
        if changes:
            db.session.execute(update(table).where(table.c.id == bindparam("row_id")).values(
                tags=bindparam("new_tags"), search_text=bindparam("new_text"),
                updated_at=table.c.updated_at, version=table.c.version + 1), changes)
    return len(ids)


def _apply(old: list[str], new: str | None) -> tuple[int, int]:
    """Replace the tags `old` with `new` (or remove them) everywhere. Records keep their
    "last changed" time: a tag's new name is not news about the person. Their version moves
    on, so an edit form opened before the change answers 409 rather than saving old tags
    back (app/system/conflicts.py)."""
    contacts, orgs = _retag_contacts(old, new), _retag_organizations(old, new)
    db.session.expire_all()
    return contacts, orgs


def counted(contacts: int, orgs: int) -> str:
    """ "3 contacts and 1 organization"."""
    return (f"{contacts} contact{'' if contacts == 1 else 's'} and {orgs} "
            f"organization{'' if orgs == 1 else 's'}")


def rename_tag(old: str, new: str, actor: User | None) -> tuple[int, int]:
    """Rename a tag everywhere (to a tag already in use: the two become one). Returns how
    many contacts and organizations changed."""
    old, new = clean_tag(old), clean_tag(new)
    if not old or not new or old == new:
        raise ValueError("Give the tag a new name.")
    contacts, orgs = _apply([old], new)
    record("tag.rename", f"Renamed the tag “{old}” to “{new}” on {counted(contacts, orgs)}",
           actor=actor)
    return contacts, orgs


def merge_tags(tags: Iterable[str], into: str, actor: User | None) -> tuple[int, int]:
    """Make several tags one: every record carrying any of `tags` carries `into` instead."""
    into = clean_tag(into)
    sources = sorted({clean_tag(t) for t in tags} - {"", into})
    if not into:
        raise ValueError("Name the tag they become.")
    if not sources:
        raise ValueError("Tick the tags to merge.")
    contacts, orgs = _apply(sources, into)
    record("tag.merge", f"Merged the tags {', '.join(f'“{t}”' for t in sources)} into "
           f"“{into}” on {counted(contacts, orgs)}", actor=actor)
    return contacts, orgs


def delete_tag(tag: str, actor: User | None) -> tuple[int, int]:
    """Remove a tag from every contact and organization."""
    tag = clean_tag(tag)
    if not tag:
        raise ValueError("Choose a tag.")
    contacts, orgs = _apply([tag], None)
    record("tag.delete", f"Deleted the tag “{tag}” from {counted(contacts, orgs)}",
           actor=actor)
    return contacts, orgs
