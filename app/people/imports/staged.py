"""The typed row an import preview keeps: what was read from one line of the file, and what
planning decided it will do. Stored as JSON in the import's `rows` (never in process memory)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class StagedRow:
    """One row on its way in."""

    line: int  # the file's line number, as the person sees it in their spreadsheet
    values: dict[str, Any]  # cleaned values by field (see reading.clean_row)
    parse_errors: list[str] = field(default_factory=list)  # from reading the row
    parse_notes: list[str] = field(default_factory=list)  # from reading the row, not blocking
    errors: list[str] = field(default_factory=list)  # parse errors plus planning's
    notes: list[str] = field(default_factory=list)  # worth a look, not blocking
    # create, update or unchanged (a person); organization (a new organization's own row);
    # skip (no name at all: left out); error
    action: str = "create"
    match_id: int | None = None  # the existing contact its email matched
    match: dict[str, Any] | None = None  # {"id", "name"} of that contact, while it exists
    org: list[Any] | None = None  # [id, name] of the existing organization it names
    changes: dict[str, Any] = field(default_factory=dict)  # what an update fills in
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # {"id", "name", "reason"}
    same_phone_as: int | None = None  # an earlier line of the file with the same phone

    def as_json(self) -> dict[str, Any]:
        # Shallow on purpose: dataclasses.asdict deep-copies every value, which is most of
        # the time a 10,000-row import spends staging. The dict is serialized at once.
        return {f.name: getattr(self, f.name) for f in _FIELDS}

    @property
    def kind(self) -> str:
        """person, organization (a row naming only an organization) or skip (no name)."""
        return self.values.get("kind", "person")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StagedRow:
        return cls(**{k: v for k, v in data.items() if k in _NAMES})


_FIELDS = fields(StagedRow)
_NAMES = frozenset(f.name for f in _FIELDS)


def staged_rows(data: dict[str, Any]) -> list[StagedRow]:
    """The rows of an import's staged JSON."""
    return [StagedRow.from_json(r) for r in data.get("rows", [])]
