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
    ImportMapping,
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


def uploaded(response) -> int:
    """The id of an upload that went on to its column mapping."""
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    match = re.search(r"/people/import/(\d+)/columns$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def mapping(client, import_id: int) -> dict[str, tuple[str, str]]:
    """The column mapping page's choices: select name → (column header, chosen field)."""
    page = client.get(f"/people/import/{import_id}/columns")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    labels = dict(re.findall(r'<label for="(col_\d+)">(.*?)</label>', html))
    out = {}
    for name, body in re.findall(r'<select[^>]*name="(col_\d+)"[^>]*>(.*?)</select>', html,
                                 re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body)
        out[name] = (unescape(labels[name]), chosen.group(1) if chosen else "")
    return out


def map_columns(client, import_id: int, **changes: str):
    """Post the column mapping as the page offers it, with `changes` (header → field)."""
    form = {name: changes.get(header, field)
            for name, (header, field) in mapping(client, import_id).items()}
    return client.post(f"/people/import/{import_id}/columns", data=form)


def staged(client, response) -> int:
    """The id of an upload taken through its column mapping as suggested, to its preview."""
    import_id = uploaded(response)
    posted = map_columns(client, import_id)
    assert posted.status_code == 303, posted.get_data(as_text=True)[:3000]
    assert posted.headers["Location"].endswith(f"/people/import/{import_id}")
    return import_id


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
    import_id = staged(as_liaison, upload(as_liaison, csv_text))
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
    import_id = staged(as_admin, upload(as_admin, text))
    assert as_admin.post(f"/people/import/{import_id}/confirm").status_code == 303
    ana = db.session.scalar(select(Contact))
    assert (ana.first_name, ana.last_name) == ("Ana", "María Ruiz")
    assert ana.sphere.value == "faith" and ana.do_not_contact


def test_windows_1252_is_accepted_and_said(as_liaison):
    text = HEADER + "José,Núñez,jose@example.org,,Café “Élan”,,,\nZoë,O\u2019Brien,,,,,,\n"
    import_id = staged(as_liaison, upload(as_liaison, text.encode("cp1252")))
    html = as_liaison.get(f"/people/import/{import_id}").get_data(as_text=True)
    assert "read as Windows-1252" in html and "José" in html


def test_export_round_trip_changes_nothing(as_liaison, contact):
    exported = as_liaison.get("/people/export.csv").get_data()
    import_id = staged(as_liaison, upload(as_liaison, exported))
    imp = db.session.get(ContactImport, import_id)
    assert imp.rows["counts"]["unchanged"] == 1 and imp.rows["counts"]["errors"] == 0


# --- preview: problems per row and duplicates ----------------------------------------------


def test_preview_shows_problems_per_row_and_nothing_is_written(as_liaison):
    csv_text = HEADER + ("Rosa,Delgado,rosa@example.org,,,,,\n"
                         ",NoFirst,nofirst@example.org,,,,,\n"
                         "Bad,Row,not-an-email,12,,,wat,\n"
                         "Twin,One,rosa@example.org,,,,,\n")
    import_id = staged(as_liaison, upload(as_liaison, csv_text))
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
    import_id = staged(as_liaison, upload(as_liaison, csv_text))
    html = as_liaison.get(f"/people/import/{import_id}").get_data(as_text=True)
    line2 = html.split('id="import-line-2"')[1].split("</tr>")[0]
    assert "Fill in" in line2 and "Alma Ortiz" in line2 and "title" in line2
    line3 = html.split('id="import-line-3"')[1].split("</tr>")[0]
    assert "similar name in the same organization" in line3
    line4 = html.split('id="import-line-4"')[1].split("</tr>")[0]
    assert "same phone" in line4 and f"/people/{contact.id}" in line4
    assert "<strong>1</strong> existing contact to fill in" in html
    assert "<strong>2</strong> possible duplicates" in html
    assert "job title or role: Council aide" in line2 and "tags: housing" in line2


# --- all or nothing ----------------------------------------------------------------------------


def test_a_row_that_goes_bad_before_confirming_writes_nothing(as_liaison):
    csv_text = HEADER + ("Rosa,Delgado,rosa@example.org,,New Org,,,\n"
                         "Kai,Two,kai@example.org;kai2@example.org,,,,,\n")
    import_id = staged(as_liaison, upload(as_liaison, csv_text))
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
    import_id = staged(as_liaison, upload(as_liaison, csv_text))
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
    assert "1 contact removed" in event.summary
    # Undo is once.
    assert as_liaison.post(f"/people/import/{import_id}/undo").status_code == 303
    assert count(Contact) == 1


def test_undo_keeps_added_contacts_with_notes_and_later_edits(as_liaison, contact):
    csv_text = HEADER + ("Rosa,Delgado,rosa@example.org,,,,,\n"
                         "Sam,Lee,sam@example.org,,,,,\n"
                         "Alma,Ortiz,alma@example.org,,,Aide,,\n")
    import_id = staged(as_liaison, upload(as_liaison, csv_text))
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


# --- the column mapping --------------------------------------------------------------------


SPANISH = "Nombre,Apellido,Correo,Cargo,Cumpleaños\nLucía,Paz,lucia@example.org,Enfermera,3/4\n"


def _field_error(html: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="{name}-error">(.*?)</p>', html, re.S)
    assert match, html[:3000]
    return unescape(match.group(1))


def test_unknown_columns_are_mapped_by_hand_and_remembered(as_liaison):
    import_id = uploaded(upload(as_liaison, SPANISH))
    page = as_liaison.get(f"/people/import/{import_id}/columns").get_data(as_text=True)
    assert "We couldn't tell which column holds the name" in page
    assert "Examples: Lucía" in page
    assert {field for _, field in mapping(as_liaison, import_id).values()} == {""}
    response = map_columns(as_liaison, import_id, Nombre="first_name", Apellido="last_name",
                           Correo="emails", Cargo="title")
    assert response.status_code == 303
    assert as_liaison.post(f"/people/import/{import_id}/confirm").status_code == 303
    lucia = load_contact(db.session.scalar(select(Contact.id)))
    assert (lucia.first_name, lucia.last_name, lucia.title) == ("Lucía", "Paz", "Enfermera")
    assert [e.email for e in lucia.emails] == ["lucia@example.org"]
    # Remembered by a hash of the headers alone: no column name (it could be anyone's data,
    # when a file has no header row) is kept.
    remembered = db.session.scalars(select(ImportMapping)).all()
    assert len(remembered) == 1
    assert remembered[0].fields == ["first_name", "last_name", "emails", "title", None]
    assert "Nombre" not in str(remembered[0].fields) and len(remembered[0].headers_hash) == 64

    # Next month's file with the same columns (written differently) maps itself.
    again = uploaded(upload(as_liaison, "NOMBRE, apellido ,Correo,cargo,Cumpleaños\n"
                                        "Ana,Ruiz,ana@example.org,Maestra,\n"))
    page = as_liaison.get(f"/people/import/{again}/columns").get_data(as_text=True)
    assert "These are the choices confirmed for the same columns" in page
    assert "We couldn't tell" not in page
    assert [f for _, f in mapping(as_liaison, again).values()] == \
        ["first_name", "last_name", "emails", "title"]
    # Other columns are their own set.
    other = uploaded(upload(as_liaison, "Nombre,Correo\nAna,ana2@example.org\n"))
    assert "These are the choices" not in as_liaison.get(
        f"/people/import/{other}/columns").get_data(as_text=True)


def test_a_changed_choice_for_a_known_format_is_remembered(as_liaison):
    body = ("First Name,Last Name,Notes,Labels,E-mail 1 - Label,E-mail 1 - Value\n"
            "Ana,Ruiz,\"Private, please\",Neighbors,,ana@example.org\n")
    first = uploaded(upload(as_liaison, body))
    assert mapping(as_liaison, first)["col_2"] == ("Notes", "background")
    assert map_columns(as_liaison, first, Notes="").status_code == 303
    second = uploaded(upload(as_liaison, body.replace("Ana,Ruiz", "Bo,Lind")
                             .replace("ana@", "bo@")))
    assert mapping(as_liaison, second)["col_2"] == ("Notes", "")
    assert map_columns(as_liaison, second).status_code == 303
    as_liaison.post(f"/people/import/{second}/confirm")
    assert db.session.scalar(select(Contact.background)) is None


def test_two_columns_to_one_field_is_a_422_beside_both(as_liaison):
    import_id = uploaded(upload(as_liaison, "First name,Title,Job title,Email\n"
                                            "Ana,Rev.,Pastor,ana@example.org\n"))
    chosen = mapping(as_liaison, import_id)
    assert chosen["col_1"] == ("Title", "name_prefix")  # next to "Job title": the honorific
    response = map_columns(as_liaison, import_id, Title="title")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for name in ("col_1", "col_2"):
        assert "Only one column can go to job title or role" in _field_error(html, name)
    assert 'aria-invalid="true"' in html and "Please fix these 2" in html
    imp = db.session.get(ContactImport, import_id)
    assert imp.rows["stage"] == "columns" and "rows" not in imp.rows
    assert db.session.scalar(select(func.count()).select_from(ImportMapping)) == 0


def test_no_name_column_is_a_422(as_liaison):
    import_id = uploaded(upload(as_liaison, "Email,Phone\nrosa@example.org,555-555-0101\n"))
    response = map_columns(as_liaison, import_id)
    assert response.status_code == 422
    assert "Choose the column that holds the first name" in unescape(
        response.get_data(as_text=True))
    assert db.session.get(ContactImport, import_id).rows["stage"] == "columns"
    # The preview and confirm wait for the columns.
    assert as_liaison.get(f"/people/import/{import_id}").headers["Location"].endswith(
        f"/people/import/{import_id}/columns")
    assert as_liaison.post(f"/people/import/{import_id}/confirm").status_code == 303
    assert count(Contact) == 0


@pytest.mark.parametrize("value", ["password_hash", "search_text", "x" * 500, "FIRST_NAME"])
def test_a_field_not_offered_is_a_422(as_liaison, value):
    import_id = uploaded(upload(as_liaison, HEADER + "Rosa,D,r@example.org,,,,,\n"))
    form = {name: field for name, (_, field) in mapping(as_liaison, import_id).items()}
    form["col_2"] = value
    response = as_liaison.post(f"/people/import/{import_id}/columns", data=form)
    assert response.status_code == 422
    assert "Choose a field from the list" in _field_error(response.get_data(as_text=True),
                                                          "col_2")


def test_columns_can_be_changed_from_the_preview(as_liaison):
    import_id = staged(as_liaison, upload(as_liaison, HEADER + "Rosa,Delgado,r@example.org,,"
                                                               "Millrace,Organizer,,\n"))
    preview = as_liaison.get(f"/people/import/{import_id}").get_data(as_text=True)
    assert f'href="/people/import/{import_id}/columns"' in preview
    assert map_columns(as_liaison, import_id, Title="").status_code == 303
    imp = db.session.get(ContactImport, import_id)
    assert "title" not in imp.rows["rows"][0]["values"]
    assert "Title" in imp.rows["ignored"]
    as_liaison.post(f"/people/import/{import_id}/confirm")
    assert db.session.scalar(select(Contact.title)) is None
    # Once imported, the columns can't change (the file's cells are gone).
    response = as_liaison.get(f"/people/import/{import_id}/columns")
    assert response.status_code == 303


def test_nothing_to_import_says_so(as_liaison, contact):
    import_id = staged(as_liaison, upload(as_liaison, "First name,Last name,Email\n"
                                                      "Alma,Ortiz,ALMA@example.org\n"))
    html = as_liaison.get(f"/people/import/{import_id}").get_data(as_text=True)
    assert "Nothing to import" in html and "Import 0" not in html
    assert "/confirm" not in html


# --- export ------------------------------------------------------------------------------------


def test_export_opens_cleanly_in_a_spreadsheet(as_liaison, contact):
    import csv

    factories.make_contact(first_name="José", last_name="Núñez", name_prefix="Rev.",
                           phones=["+13125550100", "+442079460958"], emails=["j@example.org"],
                           stance="challenger", tags="=cmd|' /C calc'!A0, faith")
    db.session.commit()
    response = as_liaison.get("/people/export.csv")
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the accents right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    jose = next(r for r in rows if r["First name"] == "José")
    assert jose["Last name"] == "Núñez" and jose["Name prefix"] == "Rev."
    assert jose["Stance"] == "Challenging"
    # A number at home as people dial it; one from abroad international, guarded.
    assert jose["Phones"] == "(312) 555-0100; +44 20 7946 0958"
    alma = next(r for r in rows if r["First name"] == "Alma")
    assert alma["Phones"] == "(555) 555-0123" and alma["Organization"] == \
        "Riverbend City Council"
    assert jose["Tags"].startswith("'=") or not jose["Tags"].startswith("=")
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    # And it reads back in as it went out: nothing to change.
    import_id = staged(as_liaison, upload(as_liaison, raw, "contacts.csv"))
    counts = db.session.get(ContactImport, import_id).rows["counts"]
    assert counts["unchanged"] == 2 and counts["errors"] == 0 and counts["create"] == 0


# --- bad files -----------------------------------------------------------------------------


BAD_FILES = {
    "wrong encoding": (b"First name,Last name\n" + "山田,太郎\n".encode("shift_jis"),
                       "isn't UTF-8"),
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
    assert "Choose a file to upload" in field_error(response)


# --- hostile input -----------------------------------------------------------------------------


def test_hostile_cells_stored_as_text_and_escaped(as_liaison):
    csv_text = HEADER + ('"=HYPERLINK(""http://evil.example"")","<script>alert(1)</script>",'
                         'x@example.org,,,"Line one\r\nline two",,\n'
                         "'=1+2,Plain,y@example.org,,,,,\n")
    import_id = staged(as_liaison, upload(as_liaison, csv_text))
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
    import_id = staged(as_liaison, upload(as_liaison, HEADER + "Rosa,D,r@example.org,,,,,\n"))
    assert as_staff.get(f"/people/import/{import_id}").status_code == 403
    assert as_staff.get(f"/people/import/{import_id}/columns").status_code == 403
    assert as_staff.post(f"/people/import/{import_id}/columns").status_code == 403
    assert as_staff.post(f"/people/import/{import_id}/confirm").status_code == 403
    assert as_staff.post(f"/people/import/{import_id}/undo").status_code == 403
    assert count(Contact) == 0
    assert "Import contacts" not in as_staff.get("/people/").get_data(as_text=True)


def test_a_preview_is_its_uploaders_and_expires(as_liaison, as_admin):
    import_id = staged(as_liaison, upload(as_liaison, HEADER + "Rosa,D,r@example.org,,,,,\n"))
    assert as_admin.get(f"/people/import/{import_id}").status_code == 404
    assert as_admin.get(f"/people/import/{import_id}/columns").status_code == 404
    assert as_admin.post(f"/people/import/{import_id}/confirm").status_code == 404
    imp = db.session.get(ContactImport, import_id)
    imp.created_at -= timedelta(hours=imports.PREVIEW_HOURS + 1)
    db.session.commit()
    assert as_liaison.get(f"/people/import/{import_id}").status_code == 404
    assert as_liaison.post(f"/people/import/{import_id}/confirm").status_code == 404
    # The next upload sweeps expired previews away.
    staged(as_liaison, upload(as_liaison, HEADER + "Sam,L,s@example.org,,,,,\n"))
    remaining = db.session.scalars(select(ContactImport)).all()
    assert len(remaining) == 1 and remaining[0].rows["rows"][0]["values"]["first_name"] == "Sam"


def test_discard_a_preview(as_liaison):
    import_id = staged(as_liaison, upload(as_liaison, HEADER + "Rosa,D,r@example.org,,,,,\n"))
    response = as_liaison.post(f"/people/import/{import_id}/discard")
    assert response.status_code == 303
    assert db.session.get(ContactImport, import_id) is None and count(Contact) == 0


# --- SQL per page ------------------------------------------------------------------------------


def _rows(n: int, start: int = 0) -> str:
    return HEADER + "".join(f"P{i},Last{i},p{i}@example.org,,Org {i % 7},,ally,\n"
                            for i in range(start, start + n))


def test_query_counts_constant(as_liaison):
    small = staged(as_liaison, upload(as_liaison, _rows(10)))
    big = staged(as_liaison, upload(as_liaison, _rows(1000, 100)))
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


def test_column_page_query_counts_constant(as_liaison):
    counts = []
    for n in (10, 1000):
        import_id = uploaded(upload(as_liaison, _rows(n, n)))
        for url in (f"/people/import/{import_id}/columns", "/people/import"):
            with count_queries() as queries:
                assert as_liaison.get(url).status_code == 200
            counts.append(queries())
    assert counts[:2] == counts[2:] and max(counts) <= 12, counts


# --- no input makes a 500 ------------------------------------------------------------------------


CELLS = st.one_of(st.text(max_size=30), st.sampled_from(
    ["", "ally", "Challenging", "=1+1", "'@SUM(A1)", "555-555-0101", "a@b.org", "A@B.ORG",
     "yes", "maybe", "Org", "\x00", "\r\n", "🙂", '"', "x" * 300]))
HEADERS = st.lists(st.sampled_from(
    ["First name", "Last name", "Email", "Phone", "Organization", "Stance", "Tags", "Name",
     "Influence", "Sphere", "Do not contact", "Media", "Title", "junk", "", "Job Title",
     "E-mail 1 - Value", "Phone 1 - Value", "Labels", "Notes", "Company", "Contact ID",
     "Contact Type", "Current Employer", "Middle Name", "Name Prefix", "Address 1 - Formatted",
     "Business Street", "Business City"]),
    min_size=1, max_size=8)
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
        _all_the_way(as_liaison, _to_csv(header, rows).encode(encoding, errors="replace"))

    check()


def _all_the_way(client, body: bytes, name: str = "contacts.csv") -> None:
    """Upload, columns as suggested, preview, confirm, undo: never a 5xx."""
    response = upload(client, body, name)
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 303:
        import_id = uploaded(response)
        mapped = map_columns(client, import_id)
        assert mapped.status_code in (303, 422), mapped.status_code
        location = f"/people/import/{import_id}"
        if mapped.status_code == 303:
            assert client.get(location).status_code == 200
            assert client.get(location + "?show=problems").status_code == 200
            assert client.post(location + "/confirm").status_code in (303, 422)
        if db.session.get(ContactImport, import_id).confirmed_at:
            assert client.post(location + "/undo").status_code == 303
    db.session.rollback()


def test_no_bytes_ever_make_a_500(as_liaison):
    @SETTINGS
    @given(st.binary(max_size=2000))
    def check(data):
        _all_the_way(as_liaison, data)

    check()


VCARD_LINES = st.sampled_from([
    "BEGIN:VCARD", "END:VCARD", "VERSION:2.1", "VERSION:3.0", "VERSION:4.0", "N:Ortiz;Alma;;;",
    "N:;;;;", "N:a;b;c;d;e;f;g", "FN:Alma Ortiz", "FN:", "ORG:Org\\, Inc;Dept", "ORG:;;;",
    "EMAIL:ALMA@EXAMPLE.ORG", "EMAIL:not an email", "TEL:555-555-0101", "TEL:12",
    "TEL;VALUE=uri:tel:+1-555-555-0102;ext=4", "ADR:;;1 Main\\nSt;Town;;;", "ADR:x",
    "NOTE:one\\ntwo\\, three", "NOTE;ENCODING=QUOTED-PRINTABLE:a=0D=0Ab=", "CATEGORIES:a,b",
    "KIND:org", "X-ABShowAs:COMPANY", "BDAY:1990-13-45", "PHOTO;ENCODING=b:AAAA", " folded",
    "item1.EMAIL;type=pref:b@example.org", "TITLE:=cmd", "URL:https://x.example",
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=A9;=ZZ", "BEGIN:VCALENDAR", ":", ";;;",
    "\u00e9\u00e8", "\x00"]) | st.text(max_size=20)


def test_no_vcard_ever_makes_a_500(as_liaison, contact):
    @SETTINGS
    @given(st.lists(VCARD_LINES, max_size=25), st.sampled_from(["\r\n", "\n"]))
    def check(lines, newline):
        body = newline.join(["BEGIN:VCARD", *lines, "END:VCARD", ""]).encode(
            "utf-8", errors="replace")
        _all_the_way(as_liaison, body, "phone.vcf")

    check()
