"""CSV import of contacts: read and check an upload, stage a preview, write it all or nothing,
and undo a whole import.

How an import behaves (shown on the upload page too):

- Columns are mapped by header (see HEADERS; case, spaces, "-" and "_" don't matter).
  A first name (or a full "name") column is required; unknown columns are listed and ignored.
- The file must be UTF-8 (a byte-order mark is fine). Windows-1252, as older Excel writes it,
  is accepted only when it decodes cleanly, and the preview says so. Anything else is refused
  with a message rather than guessed.
- A row whose email matches an existing contact (emails compared lower-cased) **updates** that
  contact, filling in only what is empty: it never overwrites what someone recorded. New
  emails, phones and tags are added; "do not contact" and "media" can be switched on, never
  off; a stance is set only where it was "not yet known". A matched row that adds nothing is
  left alone. Every other row **creates** a contact; likely duplicates (same phone, similar
  name in the same organization) are shown so the file can be fixed first.
- Organizations are matched by name (case and spacing ignored), or created.
- Any row with a problem blocks the whole import: nothing is written until the file is clean.
- Undo removes the contacts and organizations the import created (except any that anything
  links to since, as each domain says: those stay, and the undo says which and why) and puts
  back the fields, emails and phones it filled in on existing contacts, where nobody changed
  them since.
- Cells that look like spreadsheet formulas are stored as plain text (exports neutralize
  them again); line breaks inside one-line fields collapse to spaces; everything is escaped
  when shown.
- The parsed upload is staged in the contact_imports row (JSON), never in process memory, and
  a preview expires after PREVIEW_HOURS.

The steps live in their own modules: `reading` (the file, its columns, one row), `staged`
(the typed row a preview keeps), `planning` (what each row will do), `writing` (staging and
confirming) and `undo`. This package gathers the API the import pages use.
"""

from app.people.imports.planning import CHANGE_LABELS, plan
from app.people.imports.reading import (
    HEADERS,
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
    purge_expired,
    stage,
)

__all__ = [
    "CHANGE_LABELS", "HEADERS", "MAX_BYTES", "MAX_ROWS", "PREVIEW_HOURS", "ImportFileError",
    "ImportRowsError", "StagedRow", "check_email", "clean_row", "confirm", "decode",
    "is_expired", "parse", "plan", "purge_expired", "stage", "staged_rows", "undo",
]
