"""Full-text search: FTS5 on SQLite, tsvector + GIN on PostgreSQL, behind one function."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Integer, and_, column, false, or_, select, text
from sqlalchemy import table as sql_table
from sqlalchemy.sql.elements import ColumnElement, TextClause

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

# One search document per contact (migration 0008): the contact's own words with the text of
# its ordinary notes; the text of its sensitive notes goes in a second table, which only
# admin and liaison searches read. Searching 500,000 notes and joining back to contacts cost
# ~1 s for common words; one document per contact makes a match one index lookup whose result
# is already a set of contact ids. detail=none: searches are words and prefixes, never
# phrases, so positions aren't stored (half the index build time).
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


def _sqlite_refresh(ids: str) -> str:
    """Trigger body: rebuild the documents of the contacts `ids` names (trigger SQL, no input)."""
    return ("DELETE FROM contact_docs_fts WHERE rowid IN (" + ids + "); "  # noqa: S608
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

_BULK_DOCS_SQLITE = (
    # The same documents the triggers build, made in one grouped pass over the new notes
    # instead of two correlated lookups per contact.
    "INSERT INTO contact_docs_fts (rowid, own, notes) "
    "SELECT c.id, c.search_text, coalesce(g.public, '') "
    "FROM contacts c LEFT JOIN (SELECT nc.contact_id AS id, "
    "group_concat(CASE WHEN n.sensitive = 0 THEN n.summary || ' ' || n.body END, ' ') AS public "
    "FROM note_contacts nc JOIN notes n ON n.id = nc.note_id "
    "WHERE nc.contact_id >= :first_contact GROUP BY nc.contact_id) g ON g.id = c.id "
    "WHERE c.id >= :first_contact"
)
_BULK_PRIVATE_SQLITE = (
    "INSERT INTO contact_private_fts (rowid, notes) SELECT nc.contact_id, "
    "group_concat(n.summary || ' ' || n.body, ' ') FROM note_contacts nc "
    "JOIN notes n ON n.id = nc.note_id WHERE nc.contact_id >= :first_contact "
    "AND n.sensitive = 1 GROUP BY nc.contact_id"
)
_NOTES_FTS_0002 = [q for q in INDEX_SQL["sqlite"] if "notes_fts" in q]
_NOTES_FTS_DROP = [q for q in DROP_SQL["sqlite"] if "notes_fts" in q]
# Notes keep their own index (the notes list searches it), rebuilt without positions too.
_NOTES_FTS_0008 = [q.replace("remove_diacritics 2')", "remove_diacritics 2', detail=none)")
                   for q in _NOTES_FTS_0002]

DOCS_SQL = {
    "sqlite": [
        *_NOTES_FTS_DROP,
        *_NOTES_FTS_0008,
        "INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')",
        "CREATE VIRTUAL TABLE contact_docs_fts USING fts5(own, notes, "
        "tokenize='unicode61 remove_diacritics 2', detail=none)",
        "CREATE VIRTUAL TABLE contact_private_fts USING fts5(notes, "
        "tokenize='unicode61 remove_diacritics 2', detail=none)",
        # Documents for the contacts already there (the bulk statements, from the first id).
        *(q.replace(":first_contact", "0") for q in (_BULK_DOCS_SQLITE, _BULK_PRIVATE_SQLITE)),
        *DOC_TRIGGERS_SQLITE,
        # The per-contact document replaces the contacts-only index of 0002.
        *[q for q in DROP_SQL["sqlite"] if "contacts_fts" in q],
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
        *[q for q in INDEX_SQL["sqlite"] if "contacts_fts" in q],
        "INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild')",
    ],
    "postgresql": [
        *[f"DROP TRIGGER IF EXISTS {q.split()[2]} ON {q.split(' ON ')[1].split()[0]}"
          for q in DOC_TRIGGERS_PG],
        "DROP FUNCTION IF EXISTS contact_docs_fts_trigger()",
        "DROP FUNCTION IF EXISTS contact_docs_fts_refresh(integer[])",
        "DROP TABLE IF EXISTS contact_docs_fts",
        INDEX_SQL["postgresql"][0],
    ],
}

# Migration 0009 (SQLite): read-only views of the two contact indexes' term lists.
# Named *_fts_* so autogenerate leaves them alone (app.database.include_name).
VOCAB = {"contact_docs_fts": "contact_docs_fts_vocab",
         "contact_private_fts": "contact_private_fts_vocab"}
VOCAB_SQL = [f"CREATE VIRTUAL TABLE {vocab} USING fts5vocab({table}, 'row')"
             for table, vocab in VOCAB.items()]
VOCAB_DROP_SQL = [f"DROP TABLE IF EXISTS {vocab}" for vocab in VOCAB.values()]

# unicode61 splits words at "_" too (punctuation), so a query word never holds one: a phrase
# in a detail=none index would be an error.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_PHONE = re.compile(r"[\d\s().+-]+")
_PLAIN = re.compile(r"[a-z0-9]+")

# A prefix that stands for at most this many terms is matched as those terms (OR'd); more, and
# FTS5 expands it itself.
EXPAND_CAP = 50

Word = tuple[str, bool]  # (word, matched as a prefix)


def tokens(query: str) -> list[str]:
    """The words of a query, as the index splits them (at most 8, each at most 40 chars)."""
    return [t.lower()[:40] for t in _TOKEN.findall(query or "")][:8]


def query_words(query: str) -> list[list[Word]]:
    """What a query asks for: alternatives (any may match) of words (all must match), each
    word matched whole or as a prefix. Ordinarily one alternative, every word a prefix."""
    words = tokens(query)
    if not words:
        return []
    if len(words) > 1 and _PHONE.fullmatch(query.strip()) and all(w.isdigit() for w in words):
        # A phone number typed in groups ("555-302-0415"): the digits together as a prefix of
        # a whole number, or the groups as indexed (all but the last one complete). Each group
        # as a prefix would stand for every number in an area code.
        last = len(words) - 1
        return [[("".join(words)[:40], True)], [(w, i == last) for i, w in enumerate(words)]]
    return [[(w, True) for w in words]]


def _dialect() -> str:
    return db.engine.dialect.name


def _fts5(word: str, prefix: bool) -> str:
    # Words are letters and digits only (tokens()), quoted so no FTS syntax gets through.
    return f'"{word}"*' if prefix else f'"{word}"'


def _tsquery(alternatives: list[list[Word]]) -> str:
    return " | ".join("(" + " & ".join(f"{w}:*" if p else w for w, p in alt) + ")"
                      for alt in alternatives)


def _expansions(alternatives: list[list[Word]], tables: list[str]) -> dict:
    """{(table, prefix): the terms it stands for, or None for more than EXPAND_CAP}, for the
    plain (ASCII) prefixes, read from the vocabulary tables in one statement. FTS5 would
    merge the doclists of every term a prefix stands for before returning a row (6 ms for a
    word 30,000 documents hold); the same words as whole terms cost 1 ms and stream."""
    keys = list(dict.fromkeys((t, w) for t in tables for alt in alternatives for w, p in alt
                              if p and _PLAIN.fullmatch(w)))
    if not keys:
        return {}
    parts, params = [], {}
    for i, (table, word) in enumerate(keys):
        parts.append(f"SELECT {i} AS k, term FROM (SELECT term FROM {VOCAB[table]} "  # noqa: S608
                     f"WHERE term >= :lo{i} AND term < :hi{i} LIMIT {EXPAND_CAP + 1})")
        params[f"lo{i}"], params[f"hi{i}"] = word, word[:-1] + chr(ord(word[-1]) + 1)
    found: dict = {key: [] for key in keys}
    for k, term in db.session.execute(text(" UNION ALL ".join(parts)), params):
        found[keys[k]].append(term)
    return {key: (terms if len(terms) <= EXPAND_CAP else None) for key, terms in found.items()}


def _fts5_word(table: str, word: str, prefix: bool, expanded: dict) -> str | None:
    """One word's MATCH expression for one table, or None when the table can't match it."""
    terms = expanded.get((table, word)) if prefix and _PLAIN.fullmatch(word) else None
    if not prefix or terms is None:
        return _fts5(word, prefix)
    if not terms:
        return None
    return " OR ".join(_fts5(t, False) for t in terms).join("()") if len(terms) > 1 \
        else _fts5(terms[0], False)


Member = list[tuple[str, str]]  # (table, MATCH expression): a contact in any of them matches


@dataclass
class ContactMatch:
    """A parsed contact search: any alternative may match; within one, every member must; a
    member matches a contact one of its (table, MATCH expression) pairs finds. Each pair is a
    list subquery SQLite evaluates once per statement, so the match is a plain condition on
    contacts.id that filters, counts and sorts compose with (and no UNION/INTERSECT temp
    tables: two IN lists cost half one IN over a UNION)."""

    alternatives: list[list[Member]]
    tsquery: tuple[str, str] | None = None  # PostgreSQL: (tsvector column, tsquery)
    # Every word in the ordinary documents, as one MATCH: contacts it finds match for sure,
    # and for most searches it is the whole match.
    everywhere: str | None = None

    def _fts(self, table: str, expression: str, n: int) -> TextClause:
        sql = f"SELECT rowid AS id FROM {table} WHERE {table} MATCH :fts_{n}"  # noqa: S608
        return text(sql).bindparams(**{f"fts_{n}": expression}).columns(column("id", Integer))

    def condition(self, id_column) -> ColumnElement[bool]:
        """`id_column` (contacts.id, or an expression of it to steer SQLite's planner away
        from the id lookup) is a matching contact."""
        if self.tsquery:
            sql = (f"SELECT contact_id AS id FROM contact_docs_fts "  # noqa: S608 (a constant)
                   f"WHERE {self.tsquery[0]} @@ to_tsquery('simple', :contact_match)")
            return id_column.in_(text(sql).bindparams(contact_match=self.tsquery[1])
                                 .columns(column("id", Integer)))
        n = 0
        alternatives = []
        if self.everywhere and not self.exact():
            # Checked first: SQLite builds an IN list when first asked, so the per-word lists
            # are built only if some contact isn't found by this one.
            alternatives.append(id_column.in_(self._fts("contact_docs_fts", self.everywhere, n)))
            n += 1
        for alt in self.alternatives:
            members = []
            for member in alt:
                members.append(or_(*[id_column.in_(self._fts(t, e, n + i))
                                     for i, (t, e) in enumerate(member)]))
                n += len(member)
            alternatives.append(and_(*members))
        return or_(false(), *alternatives)

    def exact(self) -> bool:
        """Whether `everywhere` is the whole match."""
        return len(self.alternatives) == 1 and self.alternatives[0] == [
            [("contact_docs_fts", self.everywhere)]]

    def driver(self) -> TextClause | None:
        """The `everywhere` FTS query (streams ids in order, so a capped count stops early
        instead of building the whole list), when there is one."""
        return self._fts("contact_docs_fts", self.everywhere, 0) if self.everywhere else None


def contact_match(query: str, include_sensitive: bool) -> ContactMatch | None:
    """What a search box query matches, or None for an empty query: contacts whose own text
    (names, organization, emails, phones, tags) or notes hold every word. Sensitive notes
    count only for people allowed to read them. A word may match in the contact's text or
    any of its notes."""
    alternatives = query_words(query)
    if not alternatives:
        return None
    if _dialect() == "postgresql":
        return ContactMatch([], ("all_tsv" if include_sensitive else "public_tsv",
                                 _tsquery(alternatives)))
    tables = ["contact_docs_fts"] + (["contact_private_fts"] if include_sensitive else [])
    expanded = _expansions(alternatives, tables)
    found, everywhere = [], None
    for alt in alternatives:
        per_word = [{t: _fts5_word(t, word, prefix, expanded) for t in tables}
                    for word, prefix in alt]
        if not all(any(w.values()) for w in per_word):
            continue  # a word no document holds: this alternative matches nobody
        # Words only the ordinary documents can match are ANDed inside one MATCH (the index
        # intersects them: explicit AND, as FTS5's implicit AND joins phrases only); a word
        # sensitive notes may match is either table's.
        own = [w["contact_docs_fts"] for w in per_word if not w.get("contact_private_fts")]
        members = [[("contact_docs_fts", " AND ".join(own))]] if own else []
        members += [[(t, e) for t, e in w.items() if e]
                    for w in per_word if w.get("contact_private_fts")]
        found.append(members)
        if len(alternatives) == 1 and all(w["contact_docs_fts"] for w in per_word):
            everywhere = " AND ".join(w["contact_docs_fts"] for w in per_word)
    return ContactMatch(found, everywhere=everywhere)


def contact_ids_matching(query: str, include_sensitive: bool):
    """A SELECT of the ids of contacts `query` matches (see contact_match), or None."""
    match = contact_match(query, include_sensitive)
    if match is None:
        return None
    contacts = sql_table("contacts", column("id", Integer))
    return select(contacts.c.id).where(match.condition(contacts.c.id))


def tag_prefilter(tag: str, id_column) -> list[ColumnElement[bool]]:
    """SQLite: an index-backed condition that holds for every contact tagged `tag` (a contact's
    tags are words of its document), for the exact tag test to narrow. Without it a rare tag
    meant reading all 50,000 contacts (55 ms for a page)."""
    words = tokens(tag)
    if _dialect() != "sqlite" or not words:
        return []
    sql = "SELECT rowid AS id FROM contact_docs_fts WHERE contact_docs_fts MATCH :tag_words"
    return [id_column.in_(text(sql).bindparams(
        tag_words=" AND ".join(_fts5(w, False) for w in words)).columns(column("id", Integer)))]


def note_ids_matching(query: str) -> ColumnElement | None:
    """A SELECT of note ids whose summary or body matches (callers filter sensitivity)."""
    words = tokens(query)
    if not words:
        return None
    if _dialect() == "postgresql":
        sql = ("SELECT id FROM notes WHERE to_tsvector('simple', summary || ' ' || body) "
               "@@ to_tsquery('simple', :note_only_match)")
        match = _tsquery([[(w, True) for w in words]])
    else:
        sql = "SELECT rowid AS id FROM notes_fts WHERE notes_fts MATCH :note_only_match"
        match = " ".join(_fts5(w, True) for w in words)
    return text(sql).bindparams(note_only_match=match).columns(column("id", Integer))


# --- bulk loading (flask demo --scale) -------------------------------------------------

_NOTES_FTS_AI = next(q for q in INDEX_SQL["sqlite"] if "TRIGGER notes_fts_ai" in q)


@contextmanager
def bulk_load() -> Iterator[None]:
    """Hold back per-row index upkeep while a bulk load adds contacts and notes, then index
    the new rows once: one bulk FTS insert beats 550,000 trigger firings. Only rows added
    inside the block are indexed, so it is for loads that add and don't change."""
    # The index covers notes' text (its triggers above name the notes table), so this reads
    # that table by name too, rather than importing the notes domain into the base.
    first_contact = (db.session.scalar(text("SELECT max(id) FROM contacts")) or 0) + 1
    first_note = (db.session.scalar(text("SELECT max(id) FROM notes")) or 0) + 1
    ids = {"first_contact": first_contact, "first_note": first_note}
    if _dialect() == "sqlite":
        # Index building needs more than SQLite's 2 MB default page cache. (synchronous can't
        # change inside the load's one transaction, and in WAL mode a commit doesn't fsync.)
        db.session.execute(text("PRAGMA cache_size = -262144"))
        for name in ["notes_fts_ai", *(q.split()[2] for q in DOC_TRIGGERS_SQLITE)]:
            db.session.execute(text(f"DROP TRIGGER {name}"))
        yield
        db.session.execute(text(_BULK_DOCS_SQLITE), ids)
        db.session.execute(text(_BULK_PRIVATE_SQLITE), ids)
        db.session.execute(text("INSERT INTO notes_fts (rowid, summary, body) "
                                "SELECT id, summary, body FROM notes WHERE id >= :first_note"),
                           ids)
        for sql in [_NOTES_FTS_AI, *DOC_TRIGGERS_SQLITE]:
            db.session.execute(text(sql))
        return
    triggers = [(q.split()[2], q.split(" ON ")[1].split()[0]) for q in DOC_TRIGGERS_PG]
    for name, table in triggers:
        db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {name}"))
    yield
    db.session.execute(text("SELECT contact_docs_fts_refresh(ARRAY(SELECT id FROM contacts "
                            "WHERE id >= :first_contact))"), ids)
    for name, table in triggers:
        db.session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {name}"))
