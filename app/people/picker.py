"""Search-as-you-type pickers for people and organizations (templates/_macros/picker.html):
what a picker finds (a contact by its own words, an organization by its name; never by
notes), and the form field behind it. The field reads the ticked boxes (or radio) and the
text typed into the search box; without JavaScript nothing is ticked from a search, so on
submit the typed text is resolved: one match is chosen, none or several is an error beside
the field ("which one?"), listing the matches to tick."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import CompoundSelect, Select, TextClause, func, select, union
from wtforms import Field, ValidationError
from wtforms.utils import unset_value

from app.extensions import db
from app.people import search
from app.people.models import Contact, ContactEmail, Organization, OrgType
from app.system import words

SHOWN = 10  # matches listed under a picker's search box
PROBED = 200  # matches read to rank and count ("200+ match")
ID_MAX = 2**31 - 1
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class Option:
    """One contact or organization as a picker lists it."""

    id: int
    label: str
    detail: str = ""
    archived: bool = False


@dataclass(frozen=True)
class Found:
    """What a search found: the first SHOWN matches (exact names first, then by name) and how
    many there are (PROBED means "at least that many")."""

    options: list[Option]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.options)


def ids_from(values: Iterable) -> list[int]:
    """Ids from form values, in order, once each; anything else is dropped."""
    out: list[int] = []
    for value in values:
        value = str(value)
        if value.isascii() and value.isdecimal() and len(value) <= 10 \
                and 0 < int(value) <= ID_MAX and int(value) not in out:
            out.append(int(value))
    return out


def _also(matching: TextClause, exact: Select) -> CompoundSelect:
    """The ids a search probed, and those of the name typed exactly: one id list (a UNION;
    PostgreSQL answers an OR of two INs by reading every row, 330 ms at 500,000)."""
    return union(exact, select(matching.subquery().c.id))


def _words(text: str) -> str:
    return " ".join((text or "").lower().split())[:200]


# --- contacts ------------------------------------------------------------------------------


def _contact_rows(condition) -> list[tuple]:
    first_email = (select(func.min(ContactEmail.email))
                   .where(ContactEmail.contact_id == Contact.id).scalar_subquery())
    return db.session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Contact.sort_name,
               Contact.title, Contact.archived_at, Organization.name, first_email)
        .outerjoin(Organization, Organization.id == Contact.organization_id)
        .where(condition)).all()


def _contact_option(row: tuple) -> Option:
    cid, first, last, _, title, archived, org, email = row
    detail = ", ".join(x for x in (title, org) if x) or email or ""
    return Option(cid, f"{first} {last}".strip(), detail, archived is not None)


def _exact_sort_names(text: str) -> list[str]:
    """The sort names (`last first`, lower-case) a typed full name can stand for: "Ana de la
    Cruz" is first "Ana", last "de la Cruz" or first "Ana de", last "la Cruz"…"""
    words = _words(text).split(" ")
    if not words[0]:
        return []
    names = {" ".join(words)}
    for cut in range(1, len(words)):
        names.add(" ".join(words[cut:] + words[:cut]))
    return sorted(names)


def find_contacts(text: str, exclude: Iterable[int] = (), **_) -> Found:
    """Active contacts whose own words start with every typed word (a full name typed exactly
    comes first), for a picker. One statement, whatever the number of contacts."""
    matching = search.own_words_matching(text, PROBED)
    if matching is None:
        return Found([], 0)
    exact = _exact_sort_names(text)
    ids = _also(matching, select(Contact.id).where(Contact.sort_name.in_(exact)))
    rows = _contact_rows(Contact.id.in_(ids) & Contact.archived_at.is_(None))
    excluded = set(exclude)
    rows = [r for r in rows if r[0] not in excluded]
    rows.sort(key=lambda r: (r[3] not in exact, r[3], r[0]))
    return Found([_contact_option(r) for r in rows[:SHOWN]], min(len(rows), PROBED))


def contact_options(ids: Iterable[int]) -> list[Option]:
    """The contacts with these ids (archived ones too), by name."""
    ids = list(ids)
    if not ids:
        return []
    rows = sorted(_contact_rows(Contact.id.in_(ids)), key=lambda r: (r[3], r[0]))
    return [_contact_option(r) for r in rows]


# --- organizations -------------------------------------------------------------------------


def _org_option(row: tuple) -> Option:
    oid, name, kind, archived = row
    return Option(oid, name, OrgType(kind).label if kind else "", archived is not None)


def _org_rows(condition) -> list[tuple]:
    return db.session.execute(
        select(Organization.id, Organization.name, Organization.type, Organization.archived_at)
        .where(condition)).all()


def find_organizations(text: str, exclude: Iterable[int] = (),
                       org_type: OrgType | None = None) -> Found:
    """Active organizations (of `org_type`, if given) whose name starts words with every
    typed word; the name typed exactly first, then names that start with it."""
    matching = search.organization_names_matching(text, PROBED)
    if matching is None:
        return Found([], 0)
    typed = " ".join(text.split())
    ids = _also(matching, select(Organization.id).where(Organization.name == typed))
    condition = Organization.id.in_(ids) & Organization.archived_at.is_(None)
    if org_type is not None:
        condition &= Organization.type == org_type
    excluded = set(exclude)
    rows = [r for r in _org_rows(condition) if r[0] not in excluded]
    lowered = _words(text)
    rows.sort(key=lambda r: (r[1].lower() != lowered, not r[1].lower().startswith(lowered),
                             r[1].lower(), r[0]))
    return Found([_org_option(r) for r in rows[:SHOWN]], min(len(rows), PROBED))


def organization_options(ids: Iterable[int]) -> list[Option]:
    """The organizations with these ids (archived ones too), by name."""
    ids = list(ids)
    if not ids:
        return []
    rows = sorted(_org_rows(Organization.id.in_(ids)), key=lambda r: (r[1].lower(), r[0]))
    return [_org_option(r) for r in rows]


# --- kinds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What a picker picks: its words, how it searches and where its search answers."""

    name: str
    one: str
    many: str
    endpoint: str
    find: Callable[..., Found]
    options: Callable[[Iterable[int]], list[Option]]
    show: str  # the endpoint of one record's page, and its argument
    show_arg: str

    @property
    def a(self) -> str:
        """ "a person", "an organization"."""
        return f"{'an' if self.one[0] in 'aeiou' else 'a'} {self.one}"

    def exact(self, option: Option, text: str) -> bool:
        return option.label.lower() == _words(text)


KINDS = {
    "contact": Kind("contact", "person", "people", "people.pick_contacts", find_contacts,
                    contact_options, "people.show", "contact_id"),
    "organization": Kind("organization", "organization", "organizations",
                         "people.pick_organizations", find_organizations,
                         organization_options, "people.organization_show", "org_id"),
}


def plural(count: int, kind: Kind, capped: bool = False) -> str:
    """ "1 person", "12 people", "200+ organizations"."""
    return words.plural(count, kind.one, kind.many, capped)


# --- the form field --------------------------------------------------------------------------


class PickerField(Field):
    """Contacts or organizations chosen with a picker: a list of ids (`multiple`), or one id
    or None. Rendered by the `picker` macro, never by WTForms. `org_type` narrows an
    organization picker (a coalition's record is an organization of type coalition)."""

    def __init__(self, label=None, validators=None, *, kind: str, multiple: bool = True,
                 org_type: OrgType | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kind = KINDS[kind]
        self.multiple = multiple
        self.org_type = org_type
        self.typed = ""
        self._junk = False
        self.found: Found | None = None
        self._options: tuple[tuple[int, ...], list[Option]] | None = None

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.typed = ""
        if formdata is not None:
            self.typed = " ".join((formdata.get(f"{self.name}-q") or "").split())[:200]
        super().process(formdata, data, extra_filters)

    def process_formdata(self, valuelist):
        ids = ids_from(valuelist)
        # "" is the radio that chooses nobody (as "0" was, in the selects pickers replaced);
        # anything else that isn't an id was never offered.
        self._junk = any(v not in ("", "0") and not ids_from([v]) for v in valuelist)
        self.data = ids if self.multiple else (ids[0] if ids else None)

    def _value(self) -> str:
        return self.typed

    @property
    def ids(self) -> list[int]:
        """The chosen ids, as a list whatever the mode."""
        if self.multiple:
            return ids_from(self.data or [])
        return ids_from([self.data] if self.data else [])

    def _set(self, ids: list[int]) -> None:
        self.data = ids if self.multiple else (ids[0] if ids else None)

    @property
    def chosen(self) -> list[Option]:
        """The chosen contacts or organizations, read once per set of ids."""
        key = tuple(self.ids)
        if self._options is None or self._options[0] != key:
            self._options = (key, self.kind.options(key))
        return self._options[1]

    def search_args(self) -> dict[str, str]:
        """The query the picker's search box adds to its URL."""
        args = {"field": self.name, "mode": "many" if self.multiple else "one"}
        if self.org_type is not None:
            args["type"] = self.org_type.value
        return args

    def pre_validate(self, form) -> None:
        known = {o.id for o in self.chosen}
        if self._junk or len(known) != len(self.ids):
            self._set([i for i in self.ids if i in known])
            raise ValidationError(f"Choose {self.kind.many if self.multiple else self.kind.a} "
                                  "from the list.")
        self._resolve()

    def _resolve(self) -> None:
        """Turn the typed text into a choice, or say why it can't be one."""
        if not self.typed:
            return
        found = self.kind.find(self.typed, org_type=self.org_type)
        chosen = set(self.ids)
        if any(o.id in chosen for o in found.options):
            self.typed = ""  # it names one already ticked
            return
        exact = [o for o in found.options if self.kind.exact(o, self.typed)]
        pick = exact[0] if len(exact) == 1 else (
            found.options[0] if found.total == 1 else None)
        if pick is not None:
            self._set([*self.ids, pick.id] if self.multiple else [pick.id])
            self.typed = ""
            return
        self.found = found
        if not found.options:
            raise ValidationError(f"No {self.kind.one} matches “{self.typed}”. Check the "
                             f"spelling, or add them first.")
        raise ValidationError(f"{plural(found.total, self.kind, found.total >= PROBED)} match "
                         f"“{self.typed}”: tick the one you mean.")

    def __call__(self, **kwargs) -> Markup:
        raise TypeError("Render a PickerField with the picker macro.")


def field_name(value: str | None) -> str:
    """A picker's field name from a query string (a safe fallback for anything odd)."""
    value = value or ""
    return value if FIELD_NAME.fullmatch(value) else "picked"
