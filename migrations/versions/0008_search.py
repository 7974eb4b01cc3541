"""search: one full-text document per contact (its words and its notes' text)

Revision ID: 0008_search
Revises: 0007_integration
"""

from alembic import op

revision = '0008_search'
down_revision = '0007_integration'
branch_labels = None
depends_on = None

# One search document per contact: the contact's own words with the text of its ordinary
# notes; the text of its sensitive notes goes in a second table, which only admin and liaison
# searches read. detail=none: searches are words and prefixes, never phrases, so positions
# aren't stored.
_PUBLIC_DOC = (
    "INSERT INTO contact_docs_fts (rowid, own, notes) SELECT c.id, c.search_text, "
    "coalesce((SELECT group_concat(n.summary || ' ' || n.body, ' ') FROM note_contacts nc "
    "JOIN notes n ON n.id = nc.note_id WHERE nc.contact_id = c.id AND n.sensitive = 0), '') "
    "FROM contacts c WHERE c.id IN ({ids})"
)
_PRIVATE_DOC = (
    "INSERT INTO contact_private_fts (rowid, notes) SELECT nc.contact_id, "
    "group_concat(n.summary || ' ' || n.body, ' ') FROM note_contacts nc "
    "JOIN notes n ON n.id = nc.note_id WHERE nc.contact_id IN ({ids}) AND n.sensitive = 1 "
    "GROUP BY nc.contact_id"
)


def _sqlite_refresh(ids):
    """Trigger body: rebuild the documents of the contacts `ids` names."""
    return ("DELETE FROM contact_docs_fts WHERE rowid IN (" + ids + "); "
            "DELETE FROM contact_private_fts WHERE rowid IN (" + ids + "); "
            + _PUBLIC_DOC.format(ids=ids) + "; " + _PRIVATE_DOC.format(ids=ids) + ";")


_LINKED = "SELECT contact_id FROM note_contacts WHERE note_id = new.id"
DOC_TRIGGERS_SQLITE = [
    "CREATE TRIGGER contact_docs_fts_ci AFTER INSERT ON contacts BEGIN "
    + _sqlite_refresh("new.id") + " END",
    "CREATE TRIGGER contact_docs_fts_cu AFTER UPDATE OF search_text ON contacts BEGIN "
    + _sqlite_refresh("new.id") + " END",
    "CREATE TRIGGER contact_docs_fts_cd AFTER DELETE ON contacts BEGIN "
    "DELETE FROM contact_docs_fts WHERE rowid = old.id; "
    "DELETE FROM contact_private_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER contact_docs_fts_li AFTER INSERT ON note_contacts BEGIN "
    + _sqlite_refresh("new.contact_id") + " END",
    "CREATE TRIGGER contact_docs_fts_lu AFTER UPDATE ON note_contacts BEGIN "
    + _sqlite_refresh("old.contact_id, new.contact_id") + " END",
    "CREATE TRIGGER contact_docs_fts_ld AFTER DELETE ON note_contacts BEGIN "
    + _sqlite_refresh("old.contact_id") + " END",
    "CREATE TRIGGER contact_docs_fts_nu AFTER UPDATE OF summary, body, sensitive ON notes "
    "BEGIN " + _sqlite_refresh(_LINKED) + " END",
]

_PG_REFRESH = """
CREATE FUNCTION contact_docs_fts_refresh(ids integer[]) RETURNS void AS $$
BEGIN
  DELETE FROM contact_docs_fts WHERE contact_id = ANY(ids);
  INSERT INTO contact_docs_fts (contact_id, own, notes, private)
  SELECT c.id, c.search_text,
    coalesce((SELECT string_agg(n.summary || ' ' || n.body, ' ') FROM note_contacts nc
      JOIN notes n ON n.id = nc.note_id WHERE nc.contact_id = c.id AND NOT n.sensitive), ''),
    coalesce((SELECT string_agg(n.summary || ' ' || n.body, ' ') FROM note_contacts nc
      JOIN notes n ON n.id = nc.note_id WHERE nc.contact_id = c.id AND n.sensitive), '')
  FROM contacts c WHERE c.id = ANY(ids);
END $$ LANGUAGE plpgsql
"""
_PG_TRIGGER_FN = """
CREATE FUNCTION contact_docs_fts_trigger() RETURNS trigger AS $$
BEGIN
  IF TG_TABLE_NAME = 'contacts' THEN
    PERFORM contact_docs_fts_refresh(ARRAY[NEW.id]);
  ELSIF TG_TABLE_NAME = 'notes' THEN
    PERFORM contact_docs_fts_refresh(ARRAY(SELECT contact_id FROM note_contacts
                                          WHERE note_id = NEW.id));
  ELSIF TG_OP = 'INSERT' THEN
    PERFORM contact_docs_fts_refresh(ARRAY[NEW.contact_id]);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM contact_docs_fts_refresh(ARRAY[OLD.contact_id]);
  ELSE
    PERFORM contact_docs_fts_refresh(ARRAY[OLD.contact_id, NEW.contact_id]);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""
DOC_TRIGGERS_PG = [
    "CREATE TRIGGER contact_docs_fts_c AFTER INSERT OR UPDATE OF search_text ON contacts "
    "FOR EACH ROW EXECUTE FUNCTION contact_docs_fts_trigger()",
    "CREATE TRIGGER contact_docs_fts_l AFTER INSERT OR UPDATE OR DELETE ON note_contacts "
    "FOR EACH ROW EXECUTE FUNCTION contact_docs_fts_trigger()",
    "CREATE TRIGGER contact_docs_fts_n AFTER UPDATE OF summary, body, sensitive ON notes "
    "FOR EACH ROW EXECUTE FUNCTION contact_docs_fts_trigger()",
]

# The notes index of 0002, and the same rebuilt without positions (detail=none).
_NOTES_FTS_DROP = [
    "DROP TRIGGER IF EXISTS notes_fts_au",
    "DROP TRIGGER IF EXISTS notes_fts_ad",
    "DROP TRIGGER IF EXISTS notes_fts_ai",
    "DROP TABLE IF EXISTS notes_fts",
]
_NOTES_FTS_TRIGGERS = [
    "CREATE TRIGGER notes_fts_ai AFTER INSERT ON notes BEGIN "
    "INSERT INTO notes_fts(rowid, summary, body) VALUES (new.id, new.summary, new.body); END",
    "CREATE TRIGGER notes_fts_ad AFTER DELETE ON notes BEGIN "
    "INSERT INTO notes_fts(notes_fts, rowid, summary, body) "
    "VALUES ('delete', old.id, old.summary, old.body); END",
    "CREATE TRIGGER notes_fts_au AFTER UPDATE OF summary, body ON notes BEGIN "
    "INSERT INTO notes_fts(notes_fts, rowid, summary, body) "
    "VALUES ('delete', old.id, old.summary, old.body); "
    "INSERT INTO notes_fts(rowid, summary, body) VALUES (new.id, new.summary, new.body); END",
]
_NOTES_FTS_0002 = [
    "CREATE VIRTUAL TABLE notes_fts USING fts5(summary, body, content='notes', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    *_NOTES_FTS_TRIGGERS,
]
_NOTES_FTS_0008 = [
    "CREATE VIRTUAL TABLE notes_fts USING fts5(summary, body, content='notes', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', detail=none)",
    *_NOTES_FTS_TRIGGERS,
]
# The contacts-only index of 0002, which the per-contact documents replace.
_CONTACTS_FTS_DROP = [
    "DROP TRIGGER IF EXISTS contacts_fts_au",
    "DROP TRIGGER IF EXISTS contacts_fts_ad",
    "DROP TRIGGER IF EXISTS contacts_fts_ai",
    "DROP TABLE IF EXISTS contacts_fts",
]
_CONTACTS_FTS_0002 = [
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
]

DOCS_SQL = {
    "sqlite": [
        *_NOTES_FTS_DROP,
        *_NOTES_FTS_0008,
        "INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')",
        "CREATE VIRTUAL TABLE contact_docs_fts USING fts5(own, notes, "
        "tokenize='unicode61 remove_diacritics 2', detail=none)",
        "CREATE VIRTUAL TABLE contact_private_fts USING fts5(notes, "
        "tokenize='unicode61 remove_diacritics 2', detail=none)",
        # Documents for the contacts already there, in one grouped pass over their notes.
        "INSERT INTO contact_docs_fts (rowid, own, notes) "
        "SELECT c.id, c.search_text, coalesce(g.public, '') "
        "FROM contacts c LEFT JOIN (SELECT nc.contact_id AS id, "
        "group_concat(CASE WHEN n.sensitive = 0 THEN n.summary || ' ' || n.body END, ' ') "
        "AS public "
        "FROM note_contacts nc JOIN notes n ON n.id = nc.note_id "
        "WHERE nc.contact_id >= 0 GROUP BY nc.contact_id) g ON g.id = c.id "
        "WHERE c.id >= 0",
        "INSERT INTO contact_private_fts (rowid, notes) SELECT nc.contact_id, "
        "group_concat(n.summary || ' ' || n.body, ' ') FROM note_contacts nc "
        "JOIN notes n ON n.id = nc.note_id WHERE nc.contact_id >= 0 "
        "AND n.sensitive = 1 GROUP BY nc.contact_id",
        *DOC_TRIGGERS_SQLITE,
        *_CONTACTS_FTS_DROP,
    ],
    "postgresql": [
        "CREATE TABLE contact_docs_fts (contact_id integer PRIMARY KEY "
        "REFERENCES contacts(id) ON DELETE CASCADE, own text NOT NULL, notes text NOT NULL, "
        "private text NOT NULL, "
        "public_tsv tsvector GENERATED ALWAYS AS "
        "(to_tsvector('simple', own || ' ' || notes)) STORED, "
        "all_tsv tsvector GENERATED ALWAYS AS "
        "(to_tsvector('simple', own || ' ' || notes || ' ' || private)) STORED)",
        "CREATE INDEX ix_contact_docs_fts_public ON contact_docs_fts USING gin (public_tsv)",
        "CREATE INDEX ix_contact_docs_fts_all ON contact_docs_fts USING gin (all_tsv)",
        _PG_REFRESH,
        _PG_TRIGGER_FN,
        "SELECT contact_docs_fts_refresh(ARRAY(SELECT id FROM contacts))",
        *DOC_TRIGGERS_PG,
        "DROP INDEX IF EXISTS ix_contacts_fts",
    ],
}
DOCS_DROP_SQL = {
    "sqlite": [
        *[f"DROP TRIGGER IF EXISTS {q.split()[2]}" for q in DOC_TRIGGERS_SQLITE],
        "DROP TABLE IF EXISTS contact_docs_fts",
        "DROP TABLE IF EXISTS contact_private_fts",
        *_NOTES_FTS_DROP,
        *_NOTES_FTS_0002,
        "INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')",
        *_CONTACTS_FTS_0002,
        "INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild')",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS contact_docs_fts_c ON contacts",
        "DROP TRIGGER IF EXISTS contact_docs_fts_l ON note_contacts",
        "DROP TRIGGER IF EXISTS contact_docs_fts_n ON notes",
        "DROP FUNCTION IF EXISTS contact_docs_fts_trigger()",
        "DROP FUNCTION IF EXISTS contact_docs_fts_refresh(integer[])",
        "DROP TABLE IF EXISTS contact_docs_fts",
        "CREATE INDEX ix_contacts_fts ON contacts USING gin (to_tsvector('simple', search_text))",
    ],
}


def upgrade():
    for sql in DOCS_SQL.get(op.get_bind().dialect.name, []):
        op.execute(sql)


def downgrade():
    for sql in DOCS_DROP_SQL.get(op.get_bind().dialect.name, []):
        op.execute(sql)
