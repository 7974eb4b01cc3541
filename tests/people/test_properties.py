"""Property-based tests: no form input makes a 500; CSV cells never start a formula."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.people.csvio import DANGEROUS_FIRST, neutralize, write_rows
from tests import factories

text = st.text(max_size=300)
junk = st.one_of(text, st.integers().map(str), st.sampled_from(
    ["", "0", "-1", "99999999999999999999", "2026-02-30", "ally", "\x00", "=1+1", "🙂"]))
FORMS = {
    "/people/new": ["first_name", "last_name", "emails", "phones", "stance", "influence",
                    "organization_id", "owner_id", "sphere", "keep_in_touch_days", "tags",
                    "website", "preferred_channel", "confirm_duplicate", "is_media"],
    "/people/organizations/new": ["name", "type", "sphere", "email", "phone", "owner_id",
                                  "tags"],
    "/notes/new": ["occurred_on", "channel", "summary", "body", "body_format", "contact_ids",
                   "organization_ids", "sensitive"],
    "/notes/commitments/new": ["what", "contact_id", "organization_id", "owner_id", "due_on"],
    "/notes/commitments/{commitment}/close": ["status", "explained_on", "explained_how"],
    "/people/{contact}/edit": ["first_name", "stance", "influence", "emails", "phones"],
}
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("url", list(FORMS))
def test_forms_never_500(as_liaison, contact, url):
    commitment = factories.make_commitment(contact_id=contact.id)
    db.session.commit()
    target = url.format(contact=contact.id, commitment=commitment.id)

    @SETTINGS
    @given(st.fixed_dictionaries({}, optional={k: junk for k in FORMS[url]}))
    def check(data):
        if "/edit" in url:  # the version the form showed, as a browser sends it
            db.session.refresh(contact)
            data = {**data, "version": str(contact.version)}
        response = as_liaison.post(target, data=data)
        assert response.status_code in (303, 422), (data, response.status_code)
        db.session.rollback()

    check()


@given(st.lists(st.lists(st.text(max_size=40), min_size=1, max_size=5), min_size=1,
                max_size=10))
def test_csv_cells_never_start_a_formula(rows):
    parsed = list(csv.reader(io.StringIO("".join(write_rows(rows)), newline="")))
    for row in parsed:
        for cell in row:
            assert not cell.startswith(DANGEROUS_FIRST)
    for original, row in zip(rows, parsed, strict=True):
        for value, cell in zip(original, row, strict=True):
            assert cell == neutralize(value)
            assert cell.removeprefix("'") == value or cell == value


@given(st.text(max_size=50))
def test_neutralize_keeps_ordinary_text(value):
    if not value.startswith(DANGEROUS_FIRST):
        assert neutralize(value) == value
    else:
        assert neutralize(value) == "'" + value
