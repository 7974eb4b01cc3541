"""Counts in words: "1 contact", "3 contacts", "1 person", "1,204 people". The one home of
plural-aware counts, in Python and (as the `plural` and `noun` filters) in every template."""

from __future__ import annotations


def noun(count: int, one: str, many: str | None = None) -> str:
    """The noun that agrees with `count`: `noun(1, "note")` is "note", `noun(2, "person",
    "people")` is "people" (for copy that sets the number apart, as in <strong>3</strong>)."""
    return one if count == 1 else (many or one + "s")


def plural(count: int, one: str, many: str | None = None, capped: bool = False) -> str:
    """`count` and the noun that agrees with it: `plural(1, "note")` is "1 note",
    `plural(3, "person", "people")` is "3 people"; thousands are grouped ("1,204"); a count
    that stopped at a cap reads "1,000+ contacts"."""
    if capped:
        return f"{count:,}+ {many or one + 's'}"
    return f"{count:,} {noun(count, one, many)}"
