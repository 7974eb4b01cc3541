"""One page-number policy for every list: digits only, clamped to the pages there are."""

from __future__ import annotations

import pytest

from app.audit.services import record
from app.extensions import db
from app.system.pagination import MAX_PAGE, page_number, paginate


@pytest.mark.parametrize(("raw", "expected"), [
    (None, 1), ("", 1), ("3", 3), ("007", 7), ("0", 1), ("-1", 1), ("+2", 1), (" 2", 1),
    ("abc", 1), ("1e3", 1), ("²", 1), ("٣", 1), ("2.5", 1),
    (str(MAX_PAGE), MAX_PAGE), ("99999999999999999999", MAX_PAGE), ("9" * 5000, MAX_PAGE),
])
def test_page_number_reads_ascii_digits_only(raw, expected):
    assert page_number({} if raw is None else {"page": raw}) == expected


def test_paginate_clamps_to_the_last_page():
    page = paginate(101, 25, {"page": "99999999999999999999"})
    assert (page.number, page.pages, page.offset, page.limit) == (5, 5, 100, 25)
    assert not page.has_next
    assert page.slice(list(range(101))) == [100]
    empty = paginate(0, 25, {"page": "4"})
    assert (empty.number, empty.pages, empty.offset) == (1, 1, 0)
    middle = paginate(101, 25, {"page": "2"})
    assert middle.has_next and middle.slice(list(range(101))) == list(range(25, 50))


@pytest.mark.parametrize("path", ["/events/", "/tours/manage/", "/admin/audit/", "/outbox/",
                                  "/press/manage/inquiries", "/people/organizations/"])
def test_a_huge_page_number_is_no_error(as_admin, path):
    assert as_admin.get(f"{path}?page=99999999999999999999").status_code == 200


def test_a_page_past_the_end_shows_the_last_one(as_admin):
    for n in range(60):  # the trail shows 50 to a page
        record("x.paged", f"Event number {n}")
    db.session.commit()
    last = as_admin.get("/admin/audit/?page=99999999999999999999", headers={"HX-Request": "true"})
    assert "Page 2 of 2" in last.text and "Event number 0<" in last.text
