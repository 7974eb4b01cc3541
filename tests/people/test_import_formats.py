"""Importing the address books people really have: a realistic export from each (Google
Contacts today and its older CSV, Outlook new and classic, CiviCRM, vCards from an iPhone, an
Android phone and a vCard 4.0 writer), each with accents, a byte-order mark, quoted commas,
multi-line notes, an organization's own row, a row with no name, and a person already here
under an upper-case email. Every field lands where it should; the person already here is
filled in, not added twice.

The files in import_files/ hold the same people, as each tool writes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.people.contacts import load_contact
from app.people.models import Contact, ContactImport, Organization
from tests.people.test_import import map_columns, mapping, upload, uploaded

FILES = Path(__file__).parent / "import_files"
NOTE = "Met at the overdose awareness vigil, August.\nPrefers texts after 5 pm."
ROSA_EMAILS = {"rosa@sanjuan.example", "rosa.delgado@example.org"}
ROSA_PHONES = {"+15552101000", "+15552101001"}

# What each file says, where the tools differ: the format it is recognized as, Rosa's and
# Tomás's tags, whether it carries a second email and phone, Tomás's opt-out.
CASES = {
    "google.csv": {"format": "a Google Contacts export", "rosa_tags": ["faith leaders"],
                   "tomas_tags": ["neighbors"]},
    "google_legacy.csv": {"format": "the older “Google CSV”", "rosa_tags": ["faith leaders"],
                          "tomas_tags": ["neighbors"]},
    "outlook.csv": {"format": "an Outlook export", "rosa_tags": [], "tomas_tags": []},
    "outlook_classic.csv": {"format": "an Outlook export", "rosa_tags": ["faith leaders"],
                            "tomas_tags": ["neighbors"],
                            "tomas_note": "Left out an Exchange directory address"},
    "civicrm.csv": {"format": "a CiviCRM contact export",
                    "rosa_tags": ["coalition partner", "faith leaders"],
                    "tomas_tags": ["neighbors"], "single": True, "opted_out": True,
                    "rosa_source": "Vigil sign-in sheet", "clinic_address": "400 River Rd"},
    "apple.vcf": {"format": "a vCard file", "rosa_tags": ["faith leaders"],
                  "tomas_tags": ["neighbors"], "unit": "card"},
    "android.vcf": {"format": "a vCard file", "rosa_tags": [], "tomas_tags": [],
                    "unit": "card"},
    "contacts_v4.vcf": {"format": "a vCard file", "rosa_tags": ["faith leaders"],
                        "tomas_tags": ["neighbors"], "unit": "card"},
}


def _by_first(first: str) -> Contact:
    contact_id = db.session.scalar(select(Contact.id).where(Contact.first_name.like(first)))
    assert contact_id, first
    return load_contact(contact_id)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("name", list(CASES))
def test_every_field_lands_where_it_should(as_liaison, contact, name):
    case = CASES[name]
    alma_id = contact.id
    import_id = uploaded(upload(as_liaison, (FILES / name).read_bytes(), name))
    columns = as_liaison.get(f"/people/import/{import_id}/columns").get_data(as_text=True)
    assert case["format"] in columns.replace("&#34;", '"')
    assert "We couldn't tell which column holds the name" not in columns
    assert map_columns(as_liaison, import_id).status_code == 303

    preview = as_liaison.get(f"/people/import/{import_id}").get_data(as_text=True)
    counts = db.session.get(ContactImport, import_id).rows["counts"]
    assert (counts["create"], counts["update"], counts["organizations"], counts["skip"],
            counts["errors"], counts["new_organizations"]) == (2, 1, 1, 1, 0, 3), counts
    alma_row = preview.split("Fill in")[1].split("</tr>")[0]
    assert "Alma Ortiz" in alma_row and "adds phone (555) 555-0177" in alma_row
    assert "job title or role: Council aide" in alma_row
    assert "Import 3 contacts and 1 organization" in preview
    if case.get("unit") == "card":
        assert '<th scope="col">Card</th>' in preview

    assert as_liaison.post(f"/people/import/{import_id}/confirm").status_code == 303
    assert _count(Contact) == 3  # Rosa and Tomás added; Alma filled in, not added again

    rosa = _by_first("Rosa%")
    assert (rosa.name_prefix, rosa.first_name, rosa.last_name, rosa.name_suffix) == \
        ("Rev.", "Rosa María", "Delgado Ruíz", None)
    assert rosa.formal_name == "Rev. Rosa María Delgado Ruíz"
    assert rosa.title == "Pastor"  # the honorific never glued onto the job title
    assert db.session.get(Organization, rosa.organization_id).name == \
        "Iglesia San Juan, Riverbend"
    emails = {e.email for e in rosa.emails}
    numbers = {p.number for p in rosa.phones}
    if case.get("single"):  # CiviCRM's export holds the primary email and phone only
        assert (emails, numbers) == ({"rosa@sanjuan.example"}, {"+15552101000"})
    else:
        assert (emails, numbers) == (ROSA_EMAILS, ROSA_PHONES)
    for part in ("12 Elm St", "Apt 3", "Riverbend", "60601"):
        assert part in rosa.address, rosa.address
    assert "\n" not in rosa.address
    assert rosa.website == "https://sanjuan.example"
    assert rosa.background == NOTE  # line break kept, quoted comma kept
    assert rosa.tag_list == case["rosa_tags"]
    assert rosa.source == case.get("rosa_source", f"Imported (import #{import_id})")

    tomas = _by_first("Tom%")
    assert (tomas.first_name, tomas.last_name, tomas.name_suffix, tomas.name_prefix) == \
        ("Tomás", "Núñez", "Jr.", None)
    assert tomas.title == "Board chair"
    assert db.session.get(Organization, tomas.organization_id).name == \
        "Millrace Neighborhood Association"
    assert [e.email for e in tomas.emails] == ["tomas@millrace.example"]
    assert [p.number for p in tomas.phones] == ["+15552103000"]
    assert tomas.tag_list == case["tomas_tags"]
    assert tomas.do_not_contact is bool(case.get("opted_out"))

    alma = load_contact(alma_id)
    assert alma.title == "Council aide"
    assert alma.organization.name == "Riverbend City Council"  # filled in, never overwritten
    assert {p.number for p in alma.phones} == {"+15555550123", "+15555550177"}
    assert {e.email for e in alma.emails} == (
        {"alma@example.org"} if case.get("single")
        else {"alma@example.org", "a.ortiz@riverbend.example"})

    clinic = db.session.scalar(select(Organization).where(
        Organization.name == "Riverbend Free Clinic"))
    assert (clinic.phone, clinic.email, clinic.website) == \
        ("+15552104000", "front@rfc.example", "https://rfc.example")
    if case.get("clinic_address"):
        assert case["clinic_address"] in clinic.address
    assert not db.session.scalar(select(Contact.id).where(Contact.first_name.like("Riverbend%")))
    # The file's cells (the columns left out too) aren't kept once imported.
    assert "cells" not in db.session.get(ContactImport, import_id).rows

    if case.get("tomas_note"):
        staged = db.session.get(ContactImport, import_id).rows["rows"]
        assert any(case["tomas_note"] in n for r in staged for n in r["parse_notes"])


def test_classic_outlook_as_windows_1252(as_liaison, contact):
    """The classic Outlook wizard writes the system's code page, without a byte-order mark."""
    text = (FILES / "outlook_classic.csv").read_text("utf-8-sig")
    import_id = uploaded(upload(as_liaison, text.encode("cp1252"), "outlook.csv"))
    assert map_columns(as_liaison, import_id).status_code == 303
    assert as_liaison.post(f"/people/import/{import_id}/confirm").status_code == 303
    assert _by_first("Tom%").last_name == "Núñez"
    assert _by_first("Rosa%").background == NOTE


def test_outlook_title_is_the_honorific_and_company_rows_are_organizations(as_liaison):
    """Outlook's "Title" goes to the name prefix, "Job Title" to the job: pre-filled so."""
    import_id = uploaded(upload(as_liaison, (FILES / "outlook.csv").read_bytes()))
    chosen = {header: field for header, field in mapping(as_liaison, import_id).values()}
    assert chosen["Title"] == "name_prefix" and chosen["Job Title"] == "title"
    assert chosen["Suffix"] == "name_suffix" and chosen["Company"] == "organization"
    assert chosen["E-mail Address"] == chosen["E-mail 2 Address"] == "emails"
    assert chosen["Mobile Phone"] == chosen["Business Phone"] == "phones"
    # Faxes and the company's switchboard are not the person's phone.
    assert chosen["Business Fax"] == chosen["Company Main Phone"] == ""
    assert chosen["Notes"] == "background"


def test_google_labels_split_into_tags_without_system_groups(as_liaison):
    body = ("First Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value\n"
            "Ana,Ruiz,* myContacts ::: Neighbors ::: Faith leaders ::: * starred,,"
            "ana@example.org\n")
    import_id = uploaded(upload(as_liaison, body))
    assert map_columns(as_liaison, import_id).status_code == 303
    as_liaison.post(f"/people/import/{import_id}/confirm")
    assert _by_first("Ana").tag_list == ["faith leaders", "neighbors"]


def test_a_broken_card_is_one_row_with_a_problem(as_liaison):
    body = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Okoye;Bea;;;\r\nFN:Bea Okoye\r\n"
            "EMAIL:bea@example.org\r\nEND:VCARD\r\n"
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Sam;;;\r\nFN:Sam Lee\r\n"
            "BDAY;VALUE=date:not-a-date\r\n" + "X-JUNK;;;=:\r\n" + "END:VCARD\r\n"
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Short\r\n")
    import_id = uploaded(upload(as_liaison, body, "phone.vcf"))
    assert map_columns(as_liaison, import_id).status_code == 303
    rows = db.session.get(ContactImport, import_id).rows["rows"]
    by_card = {r["line"]: r for r in rows}
    assert by_card[1]["action"] == "create"
    assert any("no END:VCARD" in e for e in by_card[3]["errors"])
    preview = as_liaison.get(f"/people/import/{import_id}?show=problems")
    assert preview.status_code == 200 and "no END:VCARD" in preview.get_data(as_text=True)


def test_hostile_card_is_stored_as_text_and_escaped(as_liaison):
    body = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:<script>alert(1)</script>;=HYPERLINK(\"x\");;;\r\n"
            "FN:x\r\nORG:@SUM(A1)\r\nNOTE:line one\\nline two\\n<b>bold</b>\r\n"
            "EMAIL:evil@example.org\r\nEND:VCARD\r\n")
    import_id = uploaded(upload(as_liaison, body, "evil.vcf"))
    assert map_columns(as_liaison, import_id).status_code == 303
    page = as_liaison.get(f"/people/import/{import_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    as_liaison.post(f"/people/import/{import_id}/confirm")
    person = _by_first("=HYPERLINK%")
    assert person.last_name == "<script>alert(1)</script>"
    assert person.background == "line one\nline two\n<b>bold</b>"
    shown = as_liaison.get(f"/people/{person.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in shown and "<b>bold</b>" not in shown
    exported = as_liaison.get("/people/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in exported and "'@SUM(A1)" in exported


def test_undo_takes_back_what_an_address_book_added(as_liaison, contact):
    import_id = uploaded(upload(as_liaison, (FILES / "civicrm.csv").read_bytes(), "civi.csv"))
    assert map_columns(as_liaison, import_id).status_code == 303
    assert as_liaison.post(f"/people/import/{import_id}/confirm").status_code == 303
    assert _count(Organization) == 4  # the council, the church, the association, the clinic
    response = as_liaison.post(f"/people/import/{import_id}/undo")
    assert response.status_code == 303
    assert _count(Contact) == 1 and _count(Organization) == 1
    alma = load_contact(contact.id)
    assert alma.title is None and [p.number for p in alma.phones] == ["+15555550123"]
