"""Page numbers from the query string, clamped, and the offset and limit that go with them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, func, select

from app.extensions import db

MAX_PAGE = 100_000  # past any real list; keeps OFFSET far inside an integer's range
# Counting stops this many rows past the page ("1,000+"): a list's count then costs about
# what its page costs, at 50,000 rows or 5 million, and nobody pages through them all.
COUNT_CAP = 1000


def page_number(args: Mapping[str, str] | None = None, name: str = "page") -> int:
    """The `page` query argument in [1, MAX_PAGE]: only ASCII digits count ("-1", "abc" and
    "²" are page 1), and a number longer than MAX_PAGE's digits is MAX_PAGE."""
    raw = (request.args if args is None else args).get(name) or ""
    if not (raw.isascii() and raw.isdigit()):
        return 1
    if len(raw) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(int(raw), 1), MAX_PAGE)


@dataclass(frozen=True)
class Page:
    """One page of `total` rows, `size` to a page."""

    number: int
    size: int
    total: int
    capped: bool = False  # there are more than `total` rows (counting stopped)

    @property
    def pages(self) -> int:
        return max((self.total + self.size - 1) // self.size, 1)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def limit(self) -> int:
        return self.size

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def slice(self, rows: list) -> list:
        """This page of rows already in memory."""
        return rows[self.offset:self.offset + self.size]


def paginate(total: int, size: int, args: Mapping[str, str] | None = None,
             name: str = "page") -> Page:
    """The page the request asks for (in its `name` argument: a page with two lists pages
    each by its own), clamped to [1, last page] of `total` rows."""
    return Page(min(page_number(args, name), Page(1, size, total).pages), size, total)


def capped_count(query: Select, cap: int | None = None) -> tuple[int, bool]:
    """How many rows `query` selects, counting no further than `cap` (COUNT_CAP unless given;
    one statement), and whether it stopped there: shown as "1,000+", never a count that reads
    the whole table."""
    cap = COUNT_CAP if cap is None else cap
    counted = db.session.scalar(
        select(func.count()).select_from(query.limit(cap + 1).subquery())) or 0
    return min(counted, cap), counted > cap


def paginate_capped(query: Select, size: int, args: Mapping[str, str] | None = None) -> Page:
    """Like paginate, counting `query`'s rows only up to COUNT_CAP past the asked-for page;
    `capped` says the count stopped. The page then shows "1,000+" and a way on."""
    total, capped = capped_count(query, page_number(args) * size + COUNT_CAP)
    return Page(min(page_number(args), Page(1, size, total).pages), size, total, capped)
