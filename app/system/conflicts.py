"""Two people editing one record: the second save is caught, never silently written over.

A versioned model (SQLAlchemy's `version_id_col`, bumped by every update) sends its
version in the edit form's hidden `version` field. On save the view locks the row, and if
the version moved on since the form was shown, it answers 409 with the form as the person
filled it in, what differs between their version and the saved one side by side, and the
saved version's number in the form, so saving again is a deliberate choice to keep theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from wtforms import Form
from wtforms.fields import BooleanField, HiddenField, SubmitField

Normalizer = Callable[[str], str]


@dataclass(frozen=True)
class Difference:
    """One field on which the two versions disagree, as each would show it."""

    label: str
    yours: str
    saved: str


@dataclass(frozen=True)
class Conflict:
    """What the conflict notice shows: the fields that differ, and who saved the newer
    version and when (from the audit trail, when it knows)."""

    differences: list[Difference] = field(default_factory=list)
    saved_by: str | None = None
    saved_at: datetime | None = None


def is_stale(submitted: str | None, current: int) -> bool:
    """Whether a form's version (the hidden field's text) is not the record's version now.
    A missing or unreadable one counts as stale: we can't tell what the person saw."""
    text = (submitted or "").strip()
    return not (text.isascii() and text.isdigit() and len(text) < 10) or int(text) != current


def shown(form_field) -> str:
    """A field's value as the form shows it: a choice's label, Yes/No, or the text."""
    if isinstance(form_field, BooleanField):
        return "Yes" if form_field.data else "No"
    if getattr(form_field, "choices", None) is not None:
        for value, label, *_ in form_field.iter_choices():
            if str(value) == str(form_field.data):
                return str(label)
    return "" if form_field.data is None else str(form_field.data)


def _same(a: str, b: str) -> bool:
    # Line breaks and repeated spaces are how a text was typed, not what it says.
    return " ".join(a.split()) == " ".join(b.split())


def differences(yours: Form, saved: Form, *, skip: tuple[str, ...] = (),
                normalize: Mapping[str, Normalizer] | None = None) -> list[Difference]:
    """The fields on which the submitted form and the saved record's form disagree, in the
    form's order. `normalize` maps a field's name to what its text means (tags sorted,
    phones in one format), so writing the same thing another way is no difference."""
    normalize = normalize or {}
    out = []
    for form_field in yours:
        if isinstance(form_field, HiddenField | SubmitField) or form_field.name in skip:
            continue
        clean = normalize.get(form_field.name, str)
        mine, theirs = clean(shown(form_field)), clean(shown(saved[form_field.name]))
        if not _same(mine, theirs):
            out.append(Difference(str(form_field.label.text), mine, theirs))
    return out
