"""CSV import: upload → preview (per-row problems, duplicates) → confirm, all or nothing; undo;
bad files refused with a clear message; staff refused; no input makes a 500."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.people import imports
from app.people.contacts import load_contact
from app.people.models import (
    Contact,
    ContactEmail,
    ContactImport,
    ContactPhone,
    Organization,
    Stance,
    StanceChange,
)
from tests import factories
from tests.conftest import count_queries

HEADER = "First name,Last name,Email,Phone,Organization,Title,Stance,Tags\n"


def upload(client, content: bytes | str, name: str = "contacts.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post("/people/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def staged(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    match = re.search(r"/people/import/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def field_error(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'<p class="field-error" id="file-error">(.*?)</p>', html, re.S)
    assert match, html[:3000]
    return match.group(1)


# --- the happy path ------------------------------------------------------------------------


def test_upload_preview_confirm(as_liaison):
    csv_text = HEADER + (
        "Rosa,Delgado,ROSA@Example.org,555-555-0101,Millrace Association,Organizer,ally,"
        "\"budget, council\"\n"
        "Sam,Lee,sam@example.org;sam.lee@example.org,,millrace  association,,Challenging,\n")
    import_id = staged(upload(as_liaison, csv_text))
    assert count(Contact) == 0  # a preview writes no contacts

    preview = as_liaison.get(f"/people/import/{import_id}")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Rosa" in html and "rosa@example.org" in html
    assert "<strong>2</strong> new contacts" in html
    assert "Import 2 contacts" in html

    response = as_liaison.post(f"/people/import/{import_id}/confirm")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/people/import/{import_id}")
    rosa = db.session.scalar(select(Contact).where(Contact.first_name == "Rosa"))
    assert rosa.stance == Stance.ally and rosa.title == "Organizer"
    assert rosa.tag_list == ["budget", "council"] and rosa.import_id == import_id
    rosa = load_contact(rosa.id)
    assert [e.email for e in rosa.emails] == ["rosa@example.org"]
    assert [p.number for p in rosa.phones] == ["+15555550101"]
    sam = load_contact(db.session.scalar(select(Contact.id).where(Contact.first_name == "Sam")))
    assert sorted(e.email for e in sam.emails) == ["sam.lee@example.org", "sam@example.org"]
    assert sam.stance == Stance.challenger
    # One organization, matched by name across spacing and case.
    assert count(Organization) == 1 and rosa.organization_id == sam.organization_id
    assert count(StanceChange) == 2
    imp = db.session.get(ContactImport, import_id)
    assert imp.confirmed_at and imp.created_count == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.import"))
    assert "2 added" in event.summary

    listing = as_liaison.get("/people/?q=delgado").get_data(as_text=True)
    assert "Rosa" in listing
    summary = as_liaison.get(f"/people/import/{import_id}").get_data(as_text=True)
    assert "Undo this import" in summary
    # Confirming twice does nothing more.
    assert as_liaison.post(f"/people/import/{import_id}/confirm").status_code == 303
    assert count(Contact) == 2


def test_headers_by_alias_bom_and_semicolons(as_admin):
    text = "\ufeffFull Name;E-mail;Mobile;Company;Sphere;Do not contact\n" \
           "Ana María Ruiz;ana@example.org;(555) 555-0199;Iglesia San Juan;Faith communities;yes\n"
    import_id = staged(upload(as_admin, text))
    assert as_admin.post(f"/people/import/{import_id}/confirm").status_code == 303
    ana = db.session.scalar(select(Contact))
    assert (ana.first_name, ana.last_name) == ("Ana", "María Ruiz")
    assert ana.sphere.value == "faith" and ana.do_not_contact


def test_windows_1252_is_accepted_and_said(as_liaison):
    text = HEADER + "José,Núñez,jose@example.org,,Café “Élan”,,,\nZoë,O\u2019Brien,,,,,,\n"
    import_id = staged(upload(as_liaison, text.encode("cp1252")))
    html = as_liaison.get(f"/people/import/{import_id}").get_data(as_text=True)
    assert "read as Windows-1252" in html and "José" in html


def test_export_round_trip_changes_nothing(as_liaison, contact):
    exported = as_liaison.get("/people/export.csv").get_data()
    import_id = staged(upload(as_liaison, exported))
    imp = db.session.get(ContactImport, import_id)
    assert imp.rows["counts"]["unchanged"] == 1 and imp.rows["counts"]["errors"] == 0


# --- preview: problems per row and duplicates ----------------------------------------------


def test_preview_shows_problems_per_row_and_nothing_is_written(as_liaison):
    csv_text = HEADER + ("Rosa,Delgado,rosa@example.org,,,,,\n"
                         ",NoFirst,nofirst@example.org,,,,,\n"
                         "Bad,Row,not-an-email,12,,,wat,\n"
                         "Twin,One,rosa@example.org,,,,,\n")
    import_id = staged(upload(as_liaison, csv_text))
    html = unescape(as_liaison.get(f"/people/import/{import_id}?show=problems")
                    .get_data(as_text=True))
    assert 'id="import-line-3"' in html and "First name is missing." in html
    line4 = html.split('id="import-line-4"')[1].split("</tr>")[0]
    assert "“not-an-email” isn't an email address" in line4
    assert "Include the area code" in line4 and "Stance “wat”" in line4
    assert "is also on line 2" in html  # same email twice in one file
    assert 'id="import-line-2"' not in html  # the filter shows only problem rows
    assert "nothing is imported while any row has a problem" in html

    response = as_liaison.post(f"/people/import/{import_id}/confirm")
    assert response.status_code == 422
    assert count(Contact) == 0 and count(Organization) == 0 and count(StanceChange) == 0
    assert db.session.get(ContactImport, import_id).confirmed_at is None


def test_duplicates_and_matches_are_shown(as_liaison, contact, org):
    csv_text = HEADER + (
        "Alma,Ortiz,ALMA@Example.ORG,,,Council aide,,housing\n"
        "Alma,Ortis,alma.o@example.org,,Riverbend City Council,,,\n"
        "Pat,Kim,pat@example.org,(555) 555-0123,,,,\n")
    import_id = staged(upload(as_liaison, csv_text))
    html = as_liaison.get(f"/people/import/{import_id}").get_data(as_text=True)
    line2 = html.split('id="import-line-2"')[1].split("</tr>")[0]
    assert "Fill in" in line2 and "Alma Ortiz" in line2 and "title" in line2
    line3 = html.split('id="import-line-3"')[1].split("</tr>")[0]
    assert "similar name in the same organization" in line3
    line4 = html.split('id="import-line-4"')[1].split("</tr>")[0]
    assert "same phone" in line4 and f"/people/{contact.id}" in line4
    assert "<strong>1</strong> existing contact to fill in" in html
    assert "<strong>2</strong> possible duplicates" in html


# --- all or nothing ----------------------------------------------------------------------------


def test_a_row_that_goes_bad_before_confirming_writes_nothing(as_liaison):
    csv_text = HEADER + ("Rosa,Delgado,rosa@example.org,,New Org,,,\n"
                         "Kai,Two,kai@example.org;kai2@example.org,,,,,\n")
    import_id = staged(upload(as_liaison, csv_text))
    # Between preview and confirm, Kai's two addresses turn out to be two different people.
    factories.make_contact(first_name="K", emails=["kai@example.org"])
    factories.make_contact(first_name="K2", emails=["kai2@example.org"])
    db.session.commit()
    response = as_liaison.post(f"/people/import/{import_id}/confirm")
    assert response.status_code == 422
    assert "nothing was imported" in response.get_data(as_text=True)
    assert count(Contact) == 2 and count(Organization) == 0
    assert db.session.get(ContactImport, import_id).confirmed_at is None
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.import"))


# --- undo --------------------------------------------------------------------------------------


def test_undo_removes_created_and_restores_updated(as_liaison, contact, org):
    cid = contact.id
    before_search = contact.search_text
    csv_text = HEADER + (
        "Alma,Ortiz,alma@example.org,555-555-0177,Other Org,Council aide,ally,housing\n"
        "Rosa,Delgado,rosa@example.org,,Brand New Org,,,\n")
    import_id = staged(upload(as_liaison, csv_text))
    assert as_liaison.post(f"/people/import/{import_id}/confirm").status_code == 303
    alma = load_contact(cid)
    assert alma.title == "Council aide" and alma.stance == Stance.ally
    assert alma.organization_id == org.id  # filled in only what was empty
    assert sorted(p.number for p in alma.phones) == ["+15555550123", "+15555550177"]
    assert alma.tag_list == ["housing"]
    assert count(Contact) == 2 and count(Organization) == 2
    # Somebody edits the title after the import: undo leaves that edit alone.
    db.session.expire_all()

    response = as_liaison.post(f"/people/import/{import_id}/undo")
    assert response.status_code == 303
    db.session.expire_all()
    alma = load_contact(cid)
    assert alma.title is None and alma.stance == Stance.unknown and alma.tags == ""
    assert [p.number for p in alma.phones] == ["+15555550123"]
    assert [e.email for e in alma.emails] == ["alma@example.org"]
    assert alma.search_text == before_search
    assert count(Contact) == 1 and count(Organization) == 1
    assert count(ContactEmail) == 1 and count(ContactPhone) == 1
    assert db.session.get(ContactImport, import_id).undone_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.import_undo"))
    assert "1 contacts removed" in event.summary
    # Undo is once.
    assert as_liaison.post(f"/people/import/{import_id}/undo").status_code == 303
    assert count(Contact) == 1


def test_undo_keeps_added_contacts_with_notes_and_later_edits(as_liaison, contact):
    csv_text = HEADER + ("Rosa,Delgado,rosa@example.org,,,,,\n"
                         "Sam,Lee,sam@example.org,,,,,\n"
                         "Alma,Ortiz,alma@example.org,,,Aide,,\n")
    import_id = staged(upload(as_liaison, csv_text))
    as_liaison.post(f"/people/import/{import_id}/confirm")
    rosa = db.session.scalar(select(Contact).where(Contact.first_name == "Rosa"))
    factories.make_note([rosa])
    alma = db.session.get(Contact, contact.id)
    alma.title = "Chief of staff"  # edited after the import
    db.session.commit()
    html = as_liaison.post(f"/people/import/{import_id}/undo", follow_redirects=True) \
        .get_data(as_text=True)
    assert "1 kept" in html
    names = set(db.session.scalars(select(Contact.first_name)))
    assert names == {"Rosa", "Alma"}
    assert db.session.get(Contact, contact.id).title == "Chief of staff"


# --- bad files -----------------------------------------------------------------------------


BAD_FILES = {
    "wrong encoding": (b"First name,Last name\n" + "山田,太郎\n".encode("shift_jis"),
                       "isn't UTF-8"),
    "missing header": (b"Email,Phone\nrosa@example.org,555-555-0101\n", "First name"),
    "binary": (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 4,
               "binary file"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "binary file"),
    "empty": (b"", "empty"),
    "blank": (b"\n\n  \n", "empty"),
    "header only": (HEADER.encode(), "no contacts under it"),
    "oversize": (HEADER.encode() + b"Rosa,Delgado,rosa@example.org,,,,,\n" * 600_000,
                 "the limit is 5 MB"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_get_a_clear_message_and_write_nothing(as_liaison, case):
    content, message = BAD_FILES[case]
    response = upload(as_liaison, content)
    assert response.status_code == 422
    assert message in field_error(response).replace("&#39;", "'")
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count(ContactImport) == 0 and count(Contact) == 0


def test_no_file_chosen(as_liaison):
    response = as_liaison.post("/people/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a CSV file" in field_error(response)


# --- hostile input -----------------------------------------------------------------------------


def test_hostile_cells_stored_as_text_and_escaped(as_liaison):
    csv_text = HEADER + ('"=HYPERLINK(""http://evil.example"")","<script>alert(1)</script>",'
                         'x@example.org,,,"Line one\r\nline two",,\n'
                         "'=1+2,Plain,y@example.org,,,,,\n")
    import_id = staged(upload(as_liaison, csv_text))
    html = as_liaison.get(f"/people/import/{import_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    as_liaison.post(f"/people/import/{import_id}/confirm")
    first = db.session.scalar(select(Contact).where(Contact.last_name.contains("script")))
    assert first.first_name == '=HYPERLINK("http://evil.example")'
    assert first.title == "Line one line two"
    # Our export's "'" guard comes off on the way in; the text is still only text.
    assert db.session.scalar(select(Contact.first_name).where(Contact.last_name == "Plain")) \
        == "=1+2"
    page = as_liaison.get(f"/people/{first.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    exported = as_liaison.get("/people/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in exported and "'=1+2" in exported


# --- who may import, and whose preview it is ---------------------------------------------------


def test_staff_cannot_import(as_staff, as_liaison):
    assert as_staff.get("/people/import").status_code == 403
    assert upload(as_staff, HEADER + "Rosa,D,r@example.org,,,,,\n").status_code == 403
    import_id = staged(upload(as_liaison, HEADER + "Rosa,D,r@example.org,,,,,\n"))
    assert as_staff.get(f"/people/import/{import_id}").status_code == 403
    assert as_staff.post(f"/people/import/{import_id}/confirm").status_code == 403
    assert as_staff.post(f"/people/import/{import_id}/undo").status_code == 403
    assert count(Contact) == 0
    assert "Import from CSV" not in as_staff.get("/people/").get_data(as_text=True)


def test_a_preview_is_its_uploaders_and_expires(as_liaison, as_admin):
    import_id = staged(upload(as_liaison, HEADER + "Rosa,D,r@example.org,,,,,\n"))
    assert as_admin.get(f"/people/import/{import_id}").status_code == 404
    assert as_admin.post(f"/people/import/{import_id}/confirm").status_code == 404
    imp = db.session.get(ContactImport, import_id)
    imp.created_at -= timedelta(hours=imports.PREVIEW_HOURS + 1)
    db.session.commit()
    assert as_liaison.get(f"/people/import/{import_id}").status_code == 404
    assert as_liaison.post(f"/people/import/{import_id}/confirm").status_code == 404
    # The next upload sweeps expired previews away.
    staged(upload(as_liaison, HEADER + "Sam,L,s@example.org,,,,,\n"))
    remaining = db.session.scalars(select(ContactImport)).all()
    assert len(remaining) == 1 and remaining[0].rows["rows"][0]["values"]["first_name"] == "Sam"


def test_discard_a_preview(as_liaison):
    import_id = staged(upload(as_liaison, HEADER + "Rosa,D,r@example.org,,,,,\n"))
    response = as_liaison.post(f"/people/import/{import_id}/discard")
    assert response.status_code == 303
    assert db.session.get(ContactImport, import_id) is None and count(Contact) == 0


# --- SQL per page ------------------------------------------------------------------------------


def _rows(n: int, start: int = 0) -> str:
    return HEADER + "".join(f"P{i},Last{i},p{i}@example.org,,Org {i % 7},,ally,\n"
                            for i in range(start, start + n))


def test_query_counts_constant(as_liaison):
    small = staged(upload(as_liaison, _rows(10)))
    big = staged(upload(as_liaison, _rows(1000, 100)))
    counts = []
    for import_id in (small, big):
        for url in (f"/people/import/{import_id}", f"/people/import/{import_id}?show=create",
                    "/people/import"):
            with count_queries() as n:
                assert as_liaison.get(url).status_code == 200
            counts.append(n())
    assert counts[:3] == counts[3:] and max(counts) <= 12, counts
    assert as_liaison.post(f"/people/import/{big}/confirm").status_code == 303
    assert count(Contact) == 1000


# --- no input makes a 500 ------------------------------------------------------------------------


CELLS = st.one_of(st.text(max_size=30), st.sampled_from(
    ["", "ally", "Challenging", "=1+1", "'@SUM(A1)", "555-555-0101", "a@b.org", "A@B.ORG",
     "yes", "maybe", "Org", "\x00", "\r\n", "🙂", '"', "x" * 300]))
HEADERS = st.lists(st.sampled_from(
    ["First name", "Last name", "Email", "Phone", "Organization", "Stance", "Tags", "Name",
     "Influence", "Sphere", "Do not contact", "Media", "Title", "junk", ""]),
    min_size=1, max_size=6)
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _to_csv(header, rows) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def test_no_csv_ever_makes_a_500(as_liaison, contact):
    @SETTINGS
    @given(HEADERS, st.lists(st.lists(CELLS, max_size=7), max_size=6),
           st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    def check(header, rows, encoding):
        body = _to_csv(header, rows).encode(encoding, errors="replace")
        response = upload(as_liaison, body)
        assert response.status_code in (303, 422), response.status_code
        if response.status_code == 303:
            location = response.headers["Location"]
            assert as_liaison.get(location).status_code == 200
            assert as_liaison.post(location + "/confirm").status_code in (303, 422)
            if db.session.get(ContactImport, int(location.rsplit("/", 1)[1])).confirmed_at:
                assert as_liaison.post(location + "/undo").status_code == 303
        db.session.rollback()

    check()


def test_no_bytes_ever_make_a_500(as_liaison):
    @SETTINGS
    @given(st.binary(max_size=2000))
    def check(data):
        assert upload(as_liaison, data).status_code in (303, 422)
        db.session.rollback()

    check()
