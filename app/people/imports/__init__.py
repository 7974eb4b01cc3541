"""Importing contacts from the address books people really have: read and check an upload,
match its columns to fields, stage a preview, write it all or nothing, and undo a whole
import.

How an import behaves (shown on the upload page too):

- The file is CSV (a Google Contacts, Outlook or CiviCRM export, our own export, or any
  spreadsheet with a header row) or vCard (.vcf: 2.1, 3.0 or 4.0, from a phone or Apple
  Contacts, any number of cards). Known exports are recognized by their headers.
- Between upload and preview, the **column mapping** shows every column with the field it
  goes to: pre-filled from the format (or from the choice last confirmed for exactly these
  headers, remembered by a hash of them), and any column can be changed or left out. Each
  email and phone column adds to the contact's emails and phones; an honorific ("Title" in
  Outlook) goes to the name prefix, not the job title; labels and categories split into
  tags, without the address book's own groups ("* myContacts").
- The file must be UTF-8 (a byte-order mark is fine). Windows-1252, as older Excel writes it,
  is accepted only when it decodes cleanly, and the preview says so. Anything else is refused
  with a message rather than guessed.
- A row whose email (any of them, compared lower-cased) matches an existing contact
  **updates** that contact, filling in only what is empty: it never overwrites what someone
  recorded. New emails, phones and tags are added; "do not contact" and "media" can be
  switched on, never off; a stance is set only where it was "not yet known". The preview
  says what each update changes. A matched row that adds nothing is left alone. Every other
  row **creates** a contact; likely duplicates (same phone, similar name in the same
  organization) are shown so the file can be fixed first.
- A row with no person's name but an organization adds that organization (with its email,
  phone, address and website) if it's new; a row with no name at all is left out.
- Organizations are matched by name (case and spacing ignored), or created.
- Any row with a problem blocks the whole import: nothing is written until the file is clean.
- Undo removes the contacts and organizations the import created (except any that anything
  links to since, as each domain says: those stay, and the undo says which and why) and puts
  back the fields, emails and phones it filled in on existing contacts, where nobody changed
  them since.
- Cells that look like spreadsheet formulas are stored as plain text (exports neutralize
  them again); line breaks inside one-line fields collapse to spaces; everything is escaped
  when shown.
- The parsed upload is staged in the contact_imports row (JSON), never in process memory; a
  preview expires after PREVIEW_HOURS, and confirming drops the file's cells (the columns
  left out included), keeping only what was imported.

The steps live in their own modules: `reading` (the file and one row), `vcards` (cards as
rows), `formats` (which export it is, and its columns' fields), `columns` (the fields a
column can go to, the mapping's rules, remembered mappings), `staged` (the typed row a
preview keeps), `planning` (what each row will do), `writing` (staging, mapping and
confirming) and `undo`. This package gathers the API the import pages use.
"""

from app.people.imports.columns import TARGETS, MappingError
from app.people.imports.formats import by_key as format_by_key
from app.people.imports.planning import describe_changes, plan
from app.people.imports.reading import (
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    check_email,
    clean_row,
    decode,
    parse,
)
from app.people.imports.staged import StagedRow, staged_rows
from app.people.imports.undo import undo
from app.people.imports.writing import (
    PREVIEW_HOURS,
    ImportRowsError,
    confirm,
    is_expired,
    is_previewed,
    map_columns,
    purge_expired,
    stage,
)

__all__ = [
    "MAX_BYTES", "MAX_ROWS", "PREVIEW_HOURS", "TARGETS", "ImportFileError", "ImportRowsError",
    "MappingError", "StagedRow", "check_email", "clean_row", "confirm", "decode",
    "describe_changes", "format_by_key", "is_expired", "is_previewed", "map_columns", "parse",
    "plan", "purge_expired", "stage", "staged_rows", "undo",
]
