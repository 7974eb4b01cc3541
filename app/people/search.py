"""Full-text search: FTS5 on SQLite, tsvector + GIN on PostgreSQL, behind one function."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Integer, and_, column, false, or_, select, text
from sqlalchemy import table as sql_table
from sqlalchemy.sql.elements import ColumnElement, TextClause

from app.extensions import db, dialect

# The index objects (FTS5 tables and their triggers on SQLite; a document table, its GIN
# indexes and triggers on PostgreSQL) are made by migrations 0002, 0008 and 0009, which keep
# their own copy of the SQL. One search document per contact: its own words with the text of
# its ordinary notes; the text of its sensitive notes goes in a second table, which only
# admin and liaison searches read.

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

_BULK_DOCS_PG = (
    # What contact_docs_fts_refresh() makes, for a range of new contacts in one grouped pass.
    "INSERT INTO contact_docs_fts (contact_id, own, notes, private) "
    "SELECT c.id, c.search_text, coalesce(g.public, ''), coalesce(g.private, '') "
    "FROM contacts c LEFT JOIN (SELECT nc.contact_id AS id, "
    "string_agg(n.summary || ' ' || n.body, ' ') FILTER (WHERE NOT n.sensitive) AS public, "
    "string_agg(n.summary || ' ' || n.body, ' ') FILTER (WHERE n.sensitive) AS private "
    "FROM note_contacts nc JOIN notes n ON n.id = nc.note_id "
    "WHERE nc.contact_id >= :lo AND nc.contact_id < :hi GROUP BY nc.contact_id) g "
    "ON g.id = c.id WHERE c.id >= :lo AND c.id < :hi"
)
# Contacts per statement when indexing a bulk load on PostgreSQL: each batch's grouping fits
# in memory, and a long load reports progress instead of sitting in one statement.
BULK_BATCH = 25_000

# Migration 0009 (SQLite): read-only views of the two contact indexes' term lists.
VOCAB = {"contact_docs_fts": "contact_docs_fts_vocab",
         "contact_private_fts": "contact_private_fts_vocab"}

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

    def condition(self, id_column, sure_first: bool = True) -> ColumnElement[bool]:
        """`id_column` (contacts.id, or an expression of it to steer SQLite's planner away
        from the id lookup) is a matching contact. `sure_first=False` leaves out the
        `everywhere` list where it isn't the whole match: for a walk that will meet a
        contact it doesn't hold anyway (and then build every list)."""
        if self.tsquery:
            sql = (f"SELECT contact_id AS id FROM contact_docs_fts "  # noqa: S608 (a constant)
                   f"WHERE {self.tsquery[0]} @@ to_tsquery('simple', :contact_match)")
            return id_column.in_(text(sql).bindparams(contact_match=self.tsquery[1])
                                 .columns(column("id", Integer)))
        n = 0
        alternatives = []
        if self.everywhere and sure_first and not self.exact():
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
    if dialect() == "postgresql":
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


PG_TAG_PREFILTER_UP_TO = 5000


def tag_prefilter(tags: list[str], id_column, carriers: int) -> list[ColumnElement[bool]]:
    """An index-backed condition that holds for every contact tagged any of `tags` (a
    contact's tags are among its own words: names, organization, title, tags; not its notes),
    for the exact tag test to narrow; `carriers` is how many active contacts carry them.

    SQLite, always: without it a rare tag meant reading all 50,000 contacts (55 ms for a
    page); with the whole document (notes too) a common word such as "housing" let four times
    as many contacts through as carry the tag. PostgreSQL, for tags at most
    PG_TAG_PREFILTER_UP_TO contacts carry: its GIN index builds the whole set of a word's
    contacts before a row is read, far cheaper than reading every contact for a rare tag (one
    contact in 500,000: 267 → 21 ms for the page and its count), dearer than walking the
    (archived, tags) index for a common one. Only for tags of plain words: PostgreSQL's
    parser keeps "example.org" or "3/4" whole, where our words split them."""
    words = [tokens(tag) for tag in tags]
    if not tags or not all(words):
        return []
    if dialect() == "postgresql":
        plain = all(all(_PLAIN.fullmatch(w) for w in group) and " ".join(group) == tag
                    for tag, group in zip(tags, words, strict=True))
        if not plain or carriers > PG_TAG_PREFILTER_UP_TO:
            return []
        sql = ("SELECT id FROM contacts WHERE to_tsvector('simple', search_text) "
               "@@ to_tsquery('simple', :tag_words)")
        match = _tsquery([[(w, False) for w in group] for group in words])
    else:
        sql = "SELECT rowid AS id FROM contact_own_fts WHERE contact_own_fts MATCH :tag_words"
        match = " OR ".join("(" + " AND ".join(_fts5(w, False) for w in group) + ")"
                            for group in words)
    return [id_column.in_(text(sql).bindparams(tag_words=match).columns(column("id", Integer)))]


def _name_prefix_sql(table: str, pg_column: str, pg_table: str, param: str,
                     words: list[str]) -> tuple[str, str]:
    """(SQL selecting `id`, its bound query) for rows holding every word as a word prefix:
    FTS5 with prefix indexes on SQLite, the GIN-indexed tsvector on PostgreSQL."""
    if dialect() == "postgresql":
        sql = (f"SELECT id FROM {pg_table} WHERE to_tsvector('simple', {pg_column}) "  # noqa: S608
               f"@@ to_tsquery('simple', :{param})")
        return sql, _tsquery([[(w, True) for w in words]])
    sql = f"SELECT rowid AS id FROM {table} WHERE {table} MATCH :{param}"  # noqa: S608
    return sql, " AND ".join(_fts5(w, True) for w in words)


def own_words_matching(query: str, limit: int) -> TextClause | None:
    """A SELECT of at most `limit` ids of contacts (archived ones too) whose own words —
    names, organization, title, emails, phones, tags; never notes — hold every word of
    `query` as a prefix: what a picker offers. None for a query with no words."""
    words = tokens(query)
    if not words:
        return None
    sql, match = _name_prefix_sql("contact_own_fts", "search_text", "contacts", "own_match",
                                  words)
    return text(f"{sql} LIMIT {int(limit)}").bindparams(own_match=match).columns(
        column("id", Integer))


def organization_names_matching(query: str, limit: int) -> TextClause | None:
    """A SELECT of at most `limit` ids of organizations (archived ones too) whose name holds
    every word of `query` as a prefix. None for a query with no words."""
    words = tokens(query)
    if not words:
        return None
    sql, match = _name_prefix_sql("organization_names_fts", "name", "organizations",
                                  "name_match", words)
    return text(f"{sql} LIMIT {int(limit)}").bindparams(name_match=match).columns(
        column("id", Integer))


def note_ids_matching(query: str) -> ColumnElement | None:
    """A SELECT of note ids whose summary or body matches (callers filter sensitivity)."""
    words = tokens(query)
    if not words:
        return None
    if dialect() == "postgresql":
        sql = ("SELECT id FROM notes WHERE to_tsvector('simple', summary || ' ' || body) "
               "@@ to_tsquery('simple', :note_only_match)")
        match = _tsquery([[(w, True) for w in words]])
    else:
        sql = "SELECT rowid AS id FROM notes_fts WHERE notes_fts MATCH :note_only_match"
        match = " ".join(_fts5(w, True) for w in words)
    return text(sql).bindparams(note_only_match=match).columns(column("id", Integer))


# --- bulk loading (flask demo --scale) -------------------------------------------------


@contextmanager
def bulk_load(progress: Callable[[str], None] = lambda _: None) -> Iterator[None]:
    """Hold back per-row index upkeep while a bulk load adds contacts and notes, then index
    the new rows once: one bulk FTS insert beats 550,000 trigger firings. Only rows added
    inside the block are indexed, so it is for loads that add and don't change. `progress`
    hears how the indexing goes (it can take minutes at 500,000 contacts)."""
    # The index covers notes' text (its triggers name the notes table), so this reads
    # that table by name too, rather than importing the notes domain into the base.
    first_contact = (db.session.scalar(text("SELECT max(id) FROM contacts")) or 0) + 1
    first_note = (db.session.scalar(text("SELECT max(id) FROM notes")) or 0) + 1
    ids = {"first_contact": first_contact, "first_note": first_note}
    if dialect() == "sqlite":
        # Index building needs more than SQLite's 2 MB default page cache. (synchronous can't
        # change inside the load's one transaction, and in WAL mode a commit doesn't fsync.)
        db.session.execute(text("PRAGMA cache_size = -262144"))
        # The per-row index triggers an insert-only load would fire, read from the database
        # and put back exactly as the migrations made them.
        triggers = db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
            "(name = 'notes_fts_ai' OR name GLOB 'contact_docs_fts_*' "
            "OR name GLOB 'contact_own_fts_*') ORDER BY rowid")).all()
        for name, _ in triggers:
            db.session.execute(text(f'DROP TRIGGER "{name}"'))
        yield
        db.session.execute(text(_BULK_DOCS_SQLITE), ids)
        db.session.execute(text(_BULK_PRIVATE_SQLITE), ids)
        db.session.execute(text("INSERT INTO contact_own_fts (rowid, search_text) "
                                "SELECT id, search_text FROM contacts WHERE id >= :first_contact"),
                           ids)
        db.session.execute(text("INSERT INTO notes_fts (rowid, summary, body) "
                                "SELECT id, summary, body FROM notes WHERE id >= :first_note"),
                           ids)
        for _, sql in triggers:
            db.session.execute(text(sql))
        return
    triggers = db.session.execute(text(
        "SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
        "WHERE NOT tgisinternal AND starts_with(tgname, 'contact_docs_fts_')")).all()
    for name, table in triggers:
        db.session.execute(text(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"'))
    # The documents' GIN indexes are built once at the end, as the migration made them:
    # one build beats growing them row by row.
    gin = db.session.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'contact_docs_fts' "
        "AND indexdef LIKE '% USING gin %' ORDER BY indexname")).all()
    for name, _ in gin:
        db.session.execute(text(f'DROP INDEX "{name}"'))
    yield
    # The planner's statistics still describe the tables as they were before the load (a
    # handful of rows): with them, grouping each batch's notes became a nested loop that
    # ran for minutes. ANALYZE sees this transaction's own rows.
    db.session.execute(text("ANALYZE contacts, notes, note_contacts"))
    last = db.session.scalar(text("SELECT max(id) FROM contacts")) or 0
    for lo in range(first_contact, last + 1, BULK_BATCH):
        db.session.execute(text(_BULK_DOCS_PG), {"lo": lo, "hi": lo + BULK_BATCH})
        progress(f"Indexed contacts {lo}-{min(lo + BULK_BATCH, last + 1) - 1} of {last}.")
    db.session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for name, definition in gin:
        progress(f"Building {name}.")
        db.session.execute(text(definition))
    for name, table in triggers:
        db.session.execute(text(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"'))
