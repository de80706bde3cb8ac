"""The library index's tables (see reader.core.catalog), and writing one
article's rows into them."""

from __future__ import annotations

import sqlite3

import orjson

from reader.core.catalog_queries import CACHED, NOT_ENGLISH, WANTED
from reader.core.catalog_rows import ArticleRows
from reader.core.fulltext import TOKENIZER

SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- What a filter looks at, narrow so that a scan of it is quick. An article's
-- rowid is its row's in article_fts.
CREATE TABLE articles(
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    added TEXT NOT NULL,
    title_key TEXT NOT NULL,     -- folded: for sorting
    word_count INTEGER NOT NULL,
    annotation_count INTEGER NOT NULL,
    has_note INTEGER NOT NULL,   -- a note of the reader's on the whole article
    tag_keys TEXT NOT NULL,      -- every tag (its own, its annotations'), folded, delimited
    labels INTEGER NOT NULL,     -- a bit per entity label it has
    author_key TEXT NOT NULL,    -- folded: for author: and source:
    source_key TEXT NOT NULL,
    entity_state INTEGER NOT NULL,
    inodes TEXT NOT NULL         -- its text's and store's inode numbers (see reconcile)
);
-- What is shown and kept, by the article's rowid.
CREATE TABLE details(
    rowid INTEGER PRIMARY KEY,
    author TEXT NOT NULL,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    tags TEXT NOT NULL,          -- JSON: the reader's tags on the whole article
    note TEXT NOT NULL,          -- the reader's note on the whole article
    annotation_tags TEXT NOT NULL,     -- JSON: the tags used on its annotations
    corrections INTEGER NOT NULL,
    entity_key TEXT NOT NULL,    -- the recogniser key its entities are cached under
    fts_key TEXT NOT NULL,       -- what its article_fts row is made of
    names TEXT NOT NULL,         -- JSON: its entities' names, as in mentions
    stamp TEXT NOT NULL,         -- size and mtime of its text and store files
    problems TEXT NOT NULL       -- what could not be read, one line each
);
CREATE TABLE notes(
    rowid INTEGER PRIMARY KEY,   -- its row in note_fts
    article INTEGER NOT NULL,    -- articles.rowid
    id TEXT,                     -- the annotation's; NULL: the article's own tags and note
    start INTEGER NOT NULL,
    state TEXT NOT NULL,
    score REAL NOT NULL,
    record BLOB NOT NULL,        -- the annotation as placed (JSON, the store's layout)
    exact TEXT NOT NULL,         -- its quote
    tags TEXT NOT NULL,          -- JSON: its own tags (an article's own: the article's)
    tag_keys TEXT NOT NULL,      -- its tags and its article's, folded, delimited
    note TEXT NOT NULL,
    day TEXT NOT NULL,           -- when it was made (the article's date for its own)
    line TEXT NOT NULL           -- what reader notes prints for it (see note_line)
);
CREATE TABLE mentions(
    name TEXT NOT NULL,          -- an entity's name as entity: compares it (name_key)
    article INTEGER NOT NULL,
    PRIMARY KEY(name, article)
) WITHOUT ROWID;
-- The articles read, by id (a copy of annotations/.read.json: see reader.core.reading).
CREATE TABLE reads(id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE article_fts USING fts5(
    title, author, body, content='', tokenize='{TOKENIZER}'
);
CREATE VIRTUAL TABLE note_fts USING fts5(
    title, author, source, tags, quote, note, tokenize='{TOKENIZER}'
);
"""
TABLES = {
    "meta", "articles", "details", "notes", "mentions", "reads", "article_fts",
    "note_fts",
}  # fmt: skip
# Made after the rows when the index is built: sorting once is quicker than
# keeping each B-tree in order through 100,000 inserts.
INDEXES = f"""
CREATE INDEX articles_date ON articles(date DESC, title_key);
CREATE INDEX articles_added ON articles(added DESC);
CREATE INDEX articles_title ON articles(title_key);
CREATE INDEX articles_words ON articles(word_count DESC);
CREATE INDEX articles_notes ON articles(annotation_count DESC, date DESC);
CREATE INDEX articles_wanted ON articles(added DESC) WHERE entity_state = {WANTED};
CREATE INDEX details_hash ON details(text_sha256);
CREATE INDEX details_source ON details(source) WHERE source != '';
CREATE INDEX details_problems ON details(rowid) WHERE problems != '';
CREATE INDEX notes_article ON notes(article);
CREATE INDEX notes_state ON notes(state);
"""
# article_fts is contentless (the texts are in articles/): its rows cannot be
# deleted. An article whose text, title or author changes takes a new row
# there, and with it a new rowid; its old row is no one's (counted in meta "dead").
_ARTICLE_COLUMNS = [
    "id", "title", "date", "added", "title_key", "word_count", "annotation_count", "has_note",
    "tag_keys", "labels", "author_key", "source_key", "entity_state", "inodes",
]  # fmt: skip
_DETAIL_COLUMNS = [
    "author", "source", "format", "text_sha256", "tags", "note", "annotation_tags",
    "corrections", "entity_key", "fts_key", "names", "stamp", "problems",
]  # fmt: skip


def _insert(table: str, columns: list[str]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table}(rowid, {', '.join(columns)}) VALUES (?, {marks})"


def _update_changed(
    connection: sqlite3.Connection, table: str, columns: list[str], values: tuple, rowid: int
) -> None:
    """Set the columns whose values changed: an index over columns left out of an
    UPDATE is not rewritten (a note saved touches a count and a stamp, not the
    date, title or word indexes: fewer pages written, at any library size)."""
    old = connection.execute(
        f"SELECT {', '.join(columns)} FROM {table} WHERE rowid = ?", (rowid,)
    ).fetchone()
    changed = [
        (c, v)
        for c, v, o in zip(columns, values, old or [None] * len(columns), strict=True)
        if v != o
    ]
    if changed:
        assignments = ", ".join(f"{column} = ?" for column, _ in changed)
        connection.execute(
            f"UPDATE {table} SET {assignments} WHERE rowid = ?",
            (*(value for _, value in changed), rowid),
        )


_INSERT_ARTICLE = _insert("articles", _ARTICLE_COLUMNS)
_INSERT_DETAILS = _insert("details", _DETAIL_COLUMNS)


def get_meta(connection: sqlite3.Connection, key: str) -> str | None:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(connection: sqlite3.Connection, key: str, value: str) -> None:
    connection.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def store_rows(connection: sqlite3.Connection, rows: ArticleRows, *, loading: bool = False) -> None:
    """Write an article's rows, in place of those it had. ``loading``: a rebuild,
    whose mentions go to ``mentions_load``, sorted into ``mentions`` at its end."""
    old = connection.execute(
        "SELECT a.rowid, d.fts_key, d.names, a.entity_state, d.text_sha256 "
        "FROM articles a JOIN details d ON d.rowid = a.rowid WHERE a.id = ?",
        (rows.article_id,),
    ).fetchone()
    values = dict(rows.values, fts_key=rows.fts_key)
    if rows.values["entity_key"]:
        values["entity_state"] = CACHED
    elif old is not None and old[3] == NOT_ENGLISH and old[4] == rows.text_sha256:
        values["entity_state"] = NOT_ENGLISH  # found so by the background recogniser
    else:
        values["entity_state"] = WANTED
    articles = tuple(values[column] for column in _ARTICLE_COLUMNS)
    details = tuple(values[column] for column in _DETAIL_COLUMNS)
    if old is not None and old[1] == rows.fts_key:  # the same text, title and author
        rowid = old[0]
        _update_changed(connection, "articles", _ARTICLE_COLUMNS, articles, rowid)
        _update_changed(connection, "details", _DETAIL_COLUMNS, details, rowid)
        _delete_notes(connection, rowid)
        if old[2] != values["names"]:
            _write_mentions(connection, rowid, orjson.loads(old[2]), rows.names)
    else:  # a new article, or a new row in article_fts: a new rowid
        if old is not None:
            _delete_rows(connection, old[0], orjson.loads(old[2]))
        rowid = connection.execute(
            "INSERT INTO article_fts(title, author, body) VALUES (?, ?, ?)", rows.fts
        ).lastrowid
        assert rowid is not None  # (an INSERT's)
        connection.execute(_INSERT_ARTICLE, (rowid, *articles))
        connection.execute(_INSERT_DETAILS, (rowid, *details))
        if loading:
            connection.executemany(
                "INSERT INTO mentions_load(name, article) VALUES (?, ?)",
                [(name, rowid) for name in rows.names],
            )
        else:
            _write_mentions(connection, rowid, [], rows.names)
    for *note, searched in rows.notes:
        note_rowid = connection.execute(
            "INSERT INTO notes(article, id, start, state, score, record, exact, tags, "
            "tag_keys, note, day, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rowid, *note),
        ).lastrowid
        connection.execute(
            "INSERT INTO note_fts(rowid, title, author, source, tags, quote, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (note_rowid, *searched),
        )


def delete_article(connection: sqlite3.Connection, article_id: str) -> None:
    """Delete an article's rows (its text is gone)."""
    row = connection.execute(
        "SELECT a.rowid, d.names FROM articles a JOIN details d ON d.rowid = a.rowid "
        "WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if row is not None:
        _delete_rows(connection, row[0], orjson.loads(row[1]))


def _delete_rows(connection: sqlite3.Connection, rowid: int, names: list[str]) -> None:
    _delete_notes(connection, rowid)
    _write_mentions(connection, rowid, names, [])
    connection.execute("DELETE FROM articles WHERE rowid = ?", (rowid,))
    connection.execute("DELETE FROM details WHERE rowid = ?", (rowid,))
    dead = int(get_meta(connection, "dead") or 0) + 1  # its row in article_fts
    set_meta(connection, "dead", str(dead))


def _delete_notes(connection: sqlite3.Connection, rowid: int) -> None:
    connection.execute(
        "DELETE FROM note_fts WHERE rowid IN (SELECT rowid FROM notes WHERE article = ?)",
        (rowid,),
    )
    connection.execute("DELETE FROM notes WHERE article = ?", (rowid,))


def _write_mentions(
    connection: sqlite3.Connection, rowid: int, old: list[str], new: list[str]
) -> None:
    gone, came = set(old) - set(new), set(new) - set(old)
    connection.executemany(
        "DELETE FROM mentions WHERE name = ? AND article = ?", [(n, rowid) for n in gone]
    )
    connection.executemany(
        "INSERT OR IGNORE INTO mentions(name, article) VALUES (?, ?)", [(n, rowid) for n in came]
    )
