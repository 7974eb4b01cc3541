"""Full-text search: FTS5 on SQLite, tsvector + GIN on PostgreSQL, behind one function."""

from __future__ import annotations

import re

from sqlalchemy import Integer, column, text
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db

# The index objects live in the migration (0002); these are its statements, per dialect.
INDEX_SQL = {
    "sqlite": [
        "CREATE VIRTUAL TABLE contacts_fts USING fts5(search_text, content='contacts', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        "CREATE TRIGGER contacts_fts_ai AFTER INSERT ON contacts BEGIN "
        "INSERT INTO contacts_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        "CREATE TRIGGER contacts_fts_ad AFTER DELETE ON contacts BEGIN "
        "INSERT INTO contacts_fts(contacts_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END",
        "CREATE TRIGGER contacts_fts_au AFTER UPDATE OF search_text ON contacts BEGIN "
        "INSERT INTO contacts_fts(contacts_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO contacts_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        "CREATE VIRTUAL TABLE notes_fts USING fts5(summary, body, content='notes', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        "CREATE TRIGGER notes_fts_ai AFTER INSERT ON notes BEGIN "
        "INSERT INTO notes_fts(rowid, summary, body) VALUES (new.id, new.summary, new.body); END",
        "CREATE TRIGGER notes_fts_ad AFTER DELETE ON notes BEGIN "
        "INSERT INTO notes_fts(notes_fts, rowid, summary, body) "
        "VALUES ('delete', old.id, old.summary, old.body); END",
        "CREATE TRIGGER notes_fts_au AFTER UPDATE OF summary, body ON notes BEGIN "
        "INSERT INTO notes_fts(notes_fts, rowid, summary, body) "
        "VALUES ('delete', old.id, old.summary, old.body); "
        "INSERT INTO notes_fts(rowid, summary, body) VALUES (new.id, new.summary, new.body); END",
    ],
    "postgresql": [
        "CREATE INDEX ix_contacts_fts ON contacts USING gin (to_tsvector('simple', search_text))",
        "CREATE INDEX ix_notes_fts ON notes USING gin "
        "(to_tsvector('simple', summary || ' ' || body))",
    ],
}
DROP_SQL = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS notes_fts_au",
        "DROP TRIGGER IF EXISTS notes_fts_ad",
        "DROP TRIGGER IF EXISTS notes_fts_ai",
        "DROP TABLE IF EXISTS notes_fts",
        "DROP TRIGGER IF EXISTS contacts_fts_au",
        "DROP TRIGGER IF EXISTS contacts_fts_ad",
        "DROP TRIGGER IF EXISTS contacts_fts_ai",
        "DROP TABLE IF EXISTS contacts_fts",
    ],
    "postgresql": [
        "DROP INDEX IF EXISTS ix_notes_fts",
        "DROP INDEX IF EXISTS ix_contacts_fts",
    ],
}

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(query: str) -> list[str]:
    """The words of a query, as the index splits them (at most 8, each at most 40 chars)."""
    return [t.lower()[:40] for t in _TOKEN.findall(query or "")][:8]


def _dialect() -> str:
    return db.engine.dialect.name


def _match_expression(words: list[str]) -> str:
    if _dialect() == "postgresql":
        return " & ".join(f"{w}:*" for w in words)
    # Each word quoted (so no FTS syntax gets through) and matched as a prefix.
    return " ".join('"' + w.replace('"', "") + '"*' for w in words)


def contact_ids_matching(query: str):
    """A SELECT of contact ids whose own text (names, organization, emails, phones, tags)
    matches every word of `query`, or None for an empty query."""
    words = tokens(query)
    if not words:
        return None
    match = _match_expression(words)
    if _dialect() == "postgresql":
        sql = ("SELECT id FROM contacts WHERE to_tsvector('simple', search_text) "
               "@@ to_tsquery('simple', :contact_match)")
    else:
        sql = "SELECT rowid AS id FROM contacts_fts WHERE contacts_fts MATCH :contact_match"
    return text(sql).bindparams(contact_match=match).columns(column("id", Integer))


def contact_ids_by_notes(query: str, include_sensitive: bool):
    """A SELECT of contact ids linked to notes whose text matches; sensitive notes count
    only for people allowed to read them."""
    words = tokens(query)
    if not words:
        return None
    match = _match_expression(words)
    if _dialect() == "postgresql":
        sql = ("SELECT nc.contact_id AS id FROM notes n JOIN note_contacts nc ON nc.note_id = n.id "
               "WHERE to_tsvector('simple', n.summary || ' ' || n.body) "
               "@@ to_tsquery('simple', :note_match)")
    else:
        sql = ("SELECT nc.contact_id AS id FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid "
               "JOIN note_contacts nc ON nc.note_id = n.id WHERE notes_fts MATCH :note_match")
    if not include_sensitive:
        sql += " AND n.sensitive = false" if _dialect() == "postgresql" else " AND n.sensitive = 0"
    return text(sql).bindparams(note_match=match).columns(column("id", Integer))


def note_ids_matching(query: str) -> ColumnElement | None:
    """A SELECT of note ids whose summary or body matches (callers filter sensitivity)."""
    words = tokens(query)
    if not words:
        return None
    match = _match_expression(words)
    if _dialect() == "postgresql":
        sql = ("SELECT id FROM notes WHERE to_tsvector('simple', summary || ' ' || body) "
               "@@ to_tsquery('simple', :note_only_match)")
    else:
        sql = "SELECT rowid AS id FROM notes_fts WHERE notes_fts MATCH :note_only_match"
    return text(sql).bindparams(note_only_match=match).columns(column("id", Integer))
