"""The library index: a derived SQLite database, so that listing, filtering and
searching cost the same at any library size.

``annotations/.index/library-v<N>.sqlite`` (WAL mode, a busy timeout) holds per
article its metadata, word count, tags (its own and its annotations'), note
count, entity names and labels, and its annotations as placed on its text;
FTS5 tables index the text, title and author of every article
(``article_fts``) and the quotes, tags and notes of every annotation
(``note_fts``). See :mod:`reader.core.query` for the SQL of a query.

The texts and the TinyDB stores stay the only source of truth: the index is
never the only copy of anything. It is brought up to date

- by every write of reader's, for the article written, after the durable
  store write (:meth:`Catalog.update`, called by the library's stores);
- by :meth:`Catalog.reconcile`, for changes made by hand or by other programs:
  each article's row keeps the size and mtime of its two files, and the
  folders' mtimes as of the last update are kept too, so finding that nothing
  changed costs two ``stat`` calls, and what changed is all that is read;
- by :meth:`Catalog.rebuild` when it is missing, unreadable or of another
  version, with a progress callback, under a lock so one process builds it.

Each update reads the article's files inside its write transaction, so of two
processes updating one article the one that commits last read the files last:
no update is lost.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from reader.core.fulltext import TOKENIZER, fold, index_text, phrase
from reader.core.models import Annotation, ArticleInfo
from reader.core.query import (
    Query,
    article_where,
    label_mask,
    name_key,
    note_where,
    tag_keys,
)
from reader.core.store import annotation_from_record, annotation_to_record, flocked

if TYPE_CHECKING:
    from reader.core.library import ArticleSnapshot, Library

INDEX_VERSION = 1
INDEX_DIR = ".index"
BATCH = 256  # articles per transaction when many are (re)indexed
Progress = Callable[[int, int], None]  # (done, total)
EVERYTHING = Query()

# Entity states: what the background recogniser has left to do.
WANTED, CACHED, NOT_ENGLISH = 0, 1, 2

SORTS = {
    "date": "a.date DESC, a.title_key, a.rowid",
    "added": "a.added DESC, a.rowid DESC",
    "title": "a.title_key, a.date DESC, a.rowid",
    "words": "a.word_count DESC, a.rowid",
    "notes": "a.note_count DESC, a.date DESC, a.rowid",
}

SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles(
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    date TEXT NOT NULL,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    word_count INTEGER NOT NULL,
    added TEXT NOT NULL,
    tags TEXT NOT NULL,          -- JSON: the reader's tags on the whole article
    note TEXT NOT NULL,          -- the reader's note on the whole article
    note_tags TEXT NOT NULL,     -- JSON: the tags used on its annotations
    note_count INTEGER NOT NULL,
    title_key TEXT NOT NULL,     -- folded, for sorting and author:/source:
    author_key TEXT NOT NULL,
    source_key TEXT NOT NULL,
    tag_keys TEXT NOT NULL,      -- every tag, folded, between separators
    labels INTEGER NOT NULL,     -- a bit per entity label it has
    corrections INTEGER NOT NULL,
    entity_key TEXT NOT NULL,    -- the recogniser key its entities are cached under
    entity_state INTEGER NOT NULL,
    fts INTEGER NOT NULL,        -- its row in article_fts
    fts_key TEXT NOT NULL,       -- what that row was made of
    names TEXT NOT NULL,         -- its entities' names as in mentions (JSON)
    stamp TEXT NOT NULL,         -- size and mtime of its text and store files
    problems TEXT NOT NULL       -- what could not be read, one line each
);
CREATE INDEX articles_date ON articles(date DESC, title_key);
CREATE INDEX articles_added ON articles(added DESC);
CREATE INDEX articles_title ON articles(title_key);
CREATE INDEX articles_words ON articles(word_count DESC);
CREATE INDEX articles_notes ON articles(note_count DESC, date DESC);
CREATE INDEX articles_hash ON articles(text_sha256);
CREATE INDEX articles_source ON articles(source) WHERE source != '';
CREATE INDEX articles_fts ON articles(fts);
CREATE INDEX articles_wanted ON articles(added DESC) WHERE entity_state = {WANTED};
CREATE INDEX articles_problems ON articles(id) WHERE problems != '';
CREATE TABLE notes(
    rowid INTEGER PRIMARY KEY,
    article INTEGER NOT NULL,    -- articles.rowid
    id TEXT,                     -- the annotation's; NULL: the article's own tags and note
    start INTEGER NOT NULL,
    state TEXT NOT NULL,
    score REAL NOT NULL,
    record BLOB NOT NULL,        -- the annotation as placed (JSON, the store's layout)
    tag_keys TEXT NOT NULL,      -- its tags and its article's, folded
    note TEXT NOT NULL,
    day TEXT NOT NULL            -- when it was made (the article's date for its own)
);
CREATE INDEX notes_article ON notes(article);
CREATE INDEX notes_state ON notes(state);
CREATE TABLE mentions(
    name TEXT NOT NULL,          -- an entity's name as entity: compares it (name_key)
    article INTEGER NOT NULL,
    PRIMARY KEY(name, article)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE article_fts USING fts5(
    title, author, body, content='', tokenize='{TOKENIZER}'
);
CREATE VIRTUAL TABLE note_fts USING fts5(
    title, author, source, tags, quote, note, tokenize='{TOKENIZER}'
);
"""
# article_fts is contentless (the texts are in articles/): its rows cannot be
# deleted, so an article whose text, title or author changes gets a new row
# and its old one is no longer any article's (counted in meta "dead").

_ROW_COLUMNS = "a.rowid, a.id, a.title, a.author, a.date, a.source, a.format, a.text_sha256, "
_ROW_COLUMNS += "a.word_count, a.added, a.tags, a.note, a.note_tags, a.note_count"


def _info(row: tuple) -> ArticleInfo:
    return ArticleInfo(
        id=row[1],
        title=row[2],
        author=row[3],
        date=row[4],
        source=row[5],
        format=row[6],
        text_sha256=row[7],
        word_count=row[8],
        added=row[9],
        tags=tuple(orjson.loads(row[10])),
        note=row[11],
        note_tags=tuple(orjson.loads(row[12])),
        note_count=row[13],
    )


def _stat_stamp(text: os.stat_result, store: os.stat_result | None) -> str:
    if store is None:
        return f"{text.st_size}:{text.st_mtime_ns}:-:-"
    return f"{text.st_size}:{text.st_mtime_ns}:{store.st_size}:{store.st_mtime_ns}"


def _files(folder: Path, suffix: str) -> dict[str, os.stat_result]:
    found: dict[str, os.stat_result] = {}
    with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(suffix) and not entry.name.startswith("."):
                with contextlib.suppress(OSError):
                    found[entry.name[: -len(suffix)]] = entry.stat()
    return found


def _rule_texts(new: str, old: str | None) -> set[str]:
    """The texts of the rules in one signature and not the other."""
    try:
        before = {tuple(r) for r in orjson.loads(old)} if old else set()
    except (orjson.JSONDecodeError, TypeError):
        before = set()
    after = {tuple(r) for r in orjson.loads(new)}
    return {rule[2] for rule in before ^ after}


def _digest(*parts: object) -> str:
    return hashlib.blake2b(orjson.dumps(parts), digest_size=12).hexdigest()


@dataclass(frozen=True)
class Changes:
    """What a reconciliation found and brought into the index."""

    updated: int = 0
    removed: int = 0

    def __bool__(self) -> bool:
        return bool(self.updated or self.removed)


class Catalog:
    """The index of one library. Thread-safe: each thread has its own connection."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._local = threading.local()
        self._ready = False
        self._where: Path | None = None

    # --- where, and connections ------------------------------------------------------

    @property
    def folder(self) -> Path:
        """Beside the stores; in the user's cache folder when the library cannot
        be written (a read-only library still lists and searches)."""
        if self._where is None:
            folder = self.library.annotations_dir / INDEX_DIR
            try:
                folder.mkdir(exist_ok=True)
                writable = os.access(folder, os.W_OK)
            except OSError:
                writable = False
            if not writable:
                from platformdirs import user_cache_dir

                root = str(self.library.root.resolve()).encode()
                digest = hashlib.sha256(root).hexdigest()[:16]
                folder = Path(user_cache_dir("reader", appauthor=False)) / "index" / digest
                folder.mkdir(parents=True, exist_ok=True)
            self._where = folder
        return self._where

    @property
    def path(self) -> Path:
        return self.folder / f"library-v{INDEX_VERSION}.sqlite"

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # derived data: no fsync per commit
            connection.execute("PRAGMA cache_size=-8000")
            self._local.connection = connection
        return connection

    def close(self) -> None:
        """Close this thread's connection."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def _meta(self, connection: sqlite3.Connection, key: str) -> str | None:
        row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _set_meta(connection: sqlite3.Connection, key: str, value: str) -> None:
        connection.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = self.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    # --- state -------------------------------------------------------------------------

    def is_ready(self) -> bool:
        """Whether the index exists, complete and readable (never builds it)."""
        if self._ready:
            return True
        if not self.library.articles_dir.is_dir() or not self.path.exists():
            return False
        try:
            self._ready = self._meta(self.connection(), "complete") == "1"
        except sqlite3.DatabaseError:
            self._ready = False
        return self._ready

    def ensure(self, progress: Progress | None = None) -> Changes:
        """Make the index ready: built when missing, unreadable or of another
        version, else reconciled with the files when the folders changed."""
        if not self.is_ready():
            return self.rebuild(progress)
        return self.reconcile(progress=progress)

    def data_version(self) -> int:
        """Changes when another connection (another process) commits."""
        return self.connection().execute("PRAGMA data_version").fetchone()[0]

    def _folder_stamps(self) -> str:
        stamps = []
        for folder in (self.library.articles_dir, self.library.annotations_dir):
            try:
                stamps.append(str(folder.stat().st_mtime_ns))
            except OSError:
                stamps.append("-")
        rules = self.library.rule_store().path
        try:
            stat = rules.stat()
            stamps.append(f"{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            stamps.append("-")
        return " ".join(stamps)

    def folders_changed(self) -> bool:
        """Whether files came, went or were replaced (by another program: reader's
        own writes keep the stamp) since the index was last brought up to date."""
        return self._folder_stamps() != self._meta(self.connection(), "folders")

    # --- building and reconciling -------------------------------------------------------

    def rebuild(self, progress: Progress | None = None) -> Changes:
        """Build the index afresh from the files (one process at a time: another
        waits, then finds it built)."""
        with flocked(self.folder / "build.lock"):
            self._ready = False
            if self.is_ready():  # built by another process while we waited
                return self.reconcile(progress=progress)
            self.close()
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self.path}{suffix}")
            for old in self.folder.glob("library-v*.sqlite*"):  # other versions' files
                with contextlib.suppress(OSError):
                    old.unlink()
            connection = self.connection()
            connection.executescript(SCHEMA)
            folders = self._folder_stamps()  # before reading: what changes next is seen
            ids = sorted(self.library.article_ids_on_disk())
            self.update_many(ids, progress)
            with self._transaction() as connection:
                self._set_meta(connection, "folders", folders)
                self._set_meta(connection, "rules", self._rules_signature())
                self._set_meta(connection, "complete", "1")
            self._ready = True
            return Changes(updated=len(ids))

    def reconcile(self, *, full: bool = False, progress: Progress | None = None) -> Changes:
        """Bring the index up to date with changes made to the files by other
        programs. Unless ``full``, only when the folders changed (two ``stat``
        calls say so); then one ``scandir`` of each folder finds what changed by
        its size and mtime, and only that is read. ``full`` also finds files
        edited in place (which leave their folder's mtime as it was)."""
        if not self.is_ready():
            return Changes()
        connection = self.connection()
        folders = self._folder_stamps()
        rules = self._rules_signature()
        old_rules = self._meta(connection, "rules")
        changed: set[str] = set()
        gone: list[str] = []
        if full or folders != self._meta(connection, "folders"):
            self.library.remove_stray_temporaries()
            texts = _files(self.library.articles_dir, ".txt")
            stores = _files(self.library.annotations_dir, ".json")
            known = dict(connection.execute("SELECT id, stamp FROM articles"))
            changed = {
                article_id
                for article_id, stat in texts.items()
                if known.get(article_id) != _stat_stamp(stat, stores.get(article_id))
                and self.library.is_article_id(article_id)
            }
            gone = [article_id for article_id in known if article_id not in texts]
        if rules != old_rules:  # the articles naming what a library-wide rule is about
            changed |= self._naming(_rule_texts(rules, old_rules))
        if not changed and not gone and folders == self._meta(connection, "folders"):
            return Changes()
        self.update_many(sorted(changed), progress)
        self.remove(gone)
        with self._transaction() as connection:
            self._set_meta(connection, "folders", folders)
            self._set_meta(connection, "rules", rules)
        return Changes(updated=len(changed), removed=len(gone))

    def _rules_signature(self) -> str:
        """The library-wide rules, as kept in meta "rules" to tell what changed."""
        rules = sorted({(r.action, r.label, r.text) for r in self.library.rules()})
        return orjson.dumps(rules).decode()

    def _naming(self, texts: set[str]) -> set[str]:
        """Ids of the articles with an entity of one of these names, or the name
        in their text (where a rule may make one)."""
        connection = self.connection()
        found: set[str] = set()
        for text in texts:
            found.update(
                row[0]
                for row in connection.execute(
                    "SELECT a.id FROM articles a JOIN mentions m ON m.article = a.rowid "
                    "WHERE m.name = ?",
                    (name_key(text),),
                )
            )
            if any(c.isalnum() for c in text):
                found.update(
                    row[0]
                    for row in connection.execute(
                        "SELECT a.id FROM articles a WHERE a.fts IN "
                        "(SELECT rowid FROM article_fts WHERE article_fts MATCH ?)",
                        (phrase(text),),
                    )
                )
        return found

    # --- one article ---------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, article_ids: Iterable[str] = ()) -> Iterator[None]:
        """Around a write of reader's own to these articles' files: then their rows
        are brought up to date, and the folders' new stamp taken as known, unless
        they had changed before the write (by another program: that change is
        left for :meth:`reconcile` to find)."""
        ready = self.is_ready() and not getattr(self._local, "updating", False)
        before = self._folder_stamps() if ready else None
        yield
        if ready:  # inside an update already (a store set aside and recovered): it reads on
            self.update_many(article_ids, before=before)

    def update(self, article_id: str) -> None:
        """Bring one article's rows up to date with its files."""
        if self.is_ready():
            self.update_many([article_id])

    def update_many(
        self,
        article_ids: Iterable[str],
        progress: Progress | None = None,
        *,
        before: str | None = None,
    ) -> None:
        """Bring these articles' rows up to date with their files, in batches.
        ``before``: the folders' stamp before reader's own write to them."""
        article_ids = list(article_ids)
        total = len(article_ids)
        for start in range(0, max(total, 1), BATCH):
            batch = article_ids[start : start + BATCH]
            self._local.updating = True
            try:
                with self._transaction() as connection:
                    for article_id in batch:
                        self._write_article(connection, article_id)
                    last = start + BATCH >= total
                    if last and before is not None and self._meta(connection, "folders") == before:
                        self._set_meta(connection, "folders", self._folder_stamps())
            finally:
                self._local.updating = False
            if progress is not None and batch:
                progress(min(start + BATCH, total), total)

    def remove(self, article_ids: Iterable[str]) -> None:
        article_ids = list(article_ids)
        if not article_ids:
            return
        with self._transaction() as connection:
            for article_id in article_ids:
                self._delete(connection, article_id)

    def _delete(self, connection: sqlite3.Connection, article_id: str) -> None:
        row = connection.execute(
            "SELECT rowid FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return
        self._delete_notes(connection, row[0])
        connection.execute("DELETE FROM mentions WHERE article = ?", (row[0],))
        connection.execute("DELETE FROM articles WHERE rowid = ?", (row[0],))
        self._count_dead(connection)

    def _count_dead(self, connection: sqlite3.Connection) -> None:
        dead = int(self._meta(connection, "dead") or 0) + 1
        self._set_meta(connection, "dead", str(dead))

    @staticmethod
    def _delete_notes(connection: sqlite3.Connection, rowid: int) -> None:
        connection.execute(
            "DELETE FROM note_fts WHERE rowid IN (SELECT rowid FROM notes WHERE article = ?)",
            (rowid,),
        )
        connection.execute("DELETE FROM notes WHERE article = ?", (rowid,))

    def _write_article(self, connection: sqlite3.Connection, article_id: str) -> None:
        """Read one article's files (inside the transaction) into its rows."""
        library = self.library
        try:
            text_stat = os.stat(library.text_path(article_id))
        except OSError:
            self._delete(connection, article_id)
            return
        try:
            store_stat: os.stat_result | None = os.stat(library.store_path(article_id))
        except OSError:
            store_stat = None
        stamp = _stat_stamp(text_stat, store_stat)  # before reading: a later change is seen
        snapshot = library.snapshot(article_id)
        if snapshot is None:  # gone meanwhile
            self._delete(connection, article_id)
            return
        old = connection.execute(
            "SELECT rowid, fts, fts_key, names, entity_state, text_sha256 "
            "FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        info = snapshot.info
        fts_key = _digest(info.title, info.author, info.text_sha256)
        if old is not None and old[2] == fts_key:
            fts = old[1]
        else:
            fts = connection.execute(
                "INSERT INTO article_fts(title, author, body) VALUES (?, ?, ?)",
                (index_text(info.title), index_text(info.author), index_text(snapshot.text)),
            ).lastrowid
            if old is not None:
                self._count_dead(connection)
        names = sorted({name_key(text) for text in {e.text for e in snapshot.entities}} - {""})
        names_json = orjson.dumps(names).decode()
        if snapshot.entity_key:
            state = CACHED
        elif old is not None and old[4] == NOT_ENGLISH and old[5] == info.text_sha256:
            state = NOT_ENGLISH  # found by the background recogniser: kept for this text
        else:
            state = WANTED
        all_tags = (*info.tags, *info.note_tags)
        values = (
            article_id,
            info.title,
            info.author,
            info.date,
            info.source,
            info.format,
            info.text_sha256,
            info.word_count,
            info.added,
            orjson.dumps(list(info.tags)).decode(),
            info.note,
            orjson.dumps(list(info.note_tags)).decode(),
            info.note_count,
            fold(info.title),
            fold(info.author),
            fold(info.source),
            tag_keys(all_tags),
            label_mask({e.label for e in snapshot.entities}),
            snapshot.corrections,
            snapshot.entity_key,
            state,
            fts,
            fts_key,
            names_json,
            stamp,
            "\n".join(snapshot.problems),
        )
        rowid = connection.execute(
            "INSERT INTO articles(id, title, author, date, source, format, text_sha256, "
            "word_count, added, tags, note, note_tags, note_count, title_key, author_key, "
            "source_key, tag_keys, labels, corrections, entity_key, entity_state, fts, "
            "fts_key, names, stamp, problems) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET title = excluded.title, author = excluded.author, "
            "date = excluded.date, source = excluded.source, format = excluded.format, "
            "text_sha256 = excluded.text_sha256, word_count = excluded.word_count, "
            "added = excluded.added, tags = excluded.tags, note = excluded.note, "
            "note_tags = excluded.note_tags, note_count = excluded.note_count, "
            "title_key = excluded.title_key, author_key = excluded.author_key, "
            "source_key = excluded.source_key, tag_keys = excluded.tag_keys, "
            "labels = excluded.labels, corrections = excluded.corrections, "
            "entity_key = excluded.entity_key, entity_state = excluded.entity_state, "
            "fts = excluded.fts, fts_key = excluded.fts_key, names = excluded.names, "
            "stamp = excluded.stamp, problems = excluded.problems "
            "RETURNING rowid",
            values,
        ).fetchone()[0]
        self._write_notes(connection, rowid, snapshot)
        if old is None or old[3] != names_json:
            self._write_mentions(connection, rowid, orjson.loads(old[3]) if old else [], names)

    @staticmethod
    def _write_mentions(
        connection: sqlite3.Connection, rowid: int, old: list[str], new: list[str]
    ) -> None:
        gone, came = set(old) - set(new), set(new) - set(old)
        connection.executemany(
            "DELETE FROM mentions WHERE name = ? AND article = ?", [(n, rowid) for n in gone]
        )
        connection.executemany(
            "INSERT OR IGNORE INTO mentions(name, article) VALUES (?, ?)",
            [(n, rowid) for n in came],
        )

    def _write_notes(
        self, connection: sqlite3.Connection, rowid: int, snapshot: ArticleSnapshot
    ) -> None:
        info = snapshot.info
        self._delete_notes(connection, rowid)
        if info.tags or info.note:  # the article's own tags and note
            self._write_note(connection, rowid, info, None)
        for annotation in snapshot.annotations:
            self._write_note(connection, rowid, info, annotation)

    @staticmethod
    def _write_note(
        connection: sqlite3.Connection,
        rowid: int,
        info: ArticleInfo,
        annotation: Annotation | None,
    ) -> None:
        if annotation is None:
            values = (None, 0, "article", 1.0, b"{}", tag_keys(info.tags), info.note, info.date)
            tags, quote = info.tags, ""
        else:
            tags, quote = (*annotation.tags, *info.tags), annotation.exact
            values = (
                annotation.id,
                annotation.start,
                annotation.state,
                annotation.score,
                orjson.dumps(annotation_to_record(annotation)),
                tag_keys(tags),
                annotation.note,
                annotation.created[:10] or info.date,
            )
        note_rowid = connection.execute(
            "INSERT INTO notes(article, id, start, state, score, record, tag_keys, note, day) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rowid, *values),
        ).lastrowid
        connection.execute(
            "INSERT INTO note_fts(rowid, title, author, source, tags, quote, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                note_rowid,
                index_text(info.title),
                index_text(info.author),
                info.source,
                index_text(" ".join(tags)),
                index_text(quote),
                index_text(values[6]),
            ),
        )

    # --- queries ---------------------------------------------------------------------------

    def count(self) -> int:
        return self.connection().execute("SELECT count(*) FROM articles").fetchone()[0]

    def article_ids(self, query: Query = EVERYTHING, sort: str = "date") -> list[int]:
        """The row ids of the articles matching ``query``, in ``sort`` order."""
        where, params = article_where(query)
        sql = f"SELECT a.rowid FROM articles a WHERE {where} ORDER BY {SORTS[sort]}"
        return [row[0] for row in self.connection().execute(sql, params)]

    def infos(self, rowids: Iterable[int] | None = None) -> list[ArticleInfo]:
        """The metadata of these rows (all articles, newest first, without ``rowids``)."""
        if rowids is None:
            return list(self.iter_infos())
        wanted = list(rowids)
        found = self.rows(wanted)
        return [found[r] for r in wanted if r in found]

    def rows(self, rowids: list[int]) -> dict[int, ArticleInfo]:
        """The metadata of these rows, by row id (rows gone are missing)."""
        connection = self.connection()
        found: dict[int, ArticleInfo] = {}
        for start in range(0, len(rowids), 500):
            chunk = rowids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {_ROW_COLUMNS} FROM articles a WHERE a.rowid IN ({marks})"
            found.update((row[0], _info(row)) for row in connection.execute(sql, chunk))
        return found

    def info(self, article_id: str) -> ArticleInfo | None:
        row = (
            self.connection()
            .execute(f"SELECT {_ROW_COLUMNS} FROM articles a WHERE a.id = ?", (article_id,))
            .fetchone()
        )
        return _info(row) if row else None

    def rowid(self, article_id: str) -> int | None:
        row = (
            self.connection()
            .execute("SELECT rowid FROM articles WHERE id = ?", (article_id,))
            .fetchone()
        )
        return row[0] if row else None

    def find(self, *, text_sha256: str = "", source: str = "") -> str | None:
        """The id of an article with this text, or from this source."""
        column, value = ("text_sha256", text_sha256) if text_sha256 else ("source", source)
        row = (
            self.connection()
            .execute(f"SELECT id FROM articles WHERE {column} = ? LIMIT 1", (value,))
            .fetchone()
        )
        return row[0] if row else None

    def lines(self, query: Query = EVERYTHING, sort: str = "date") -> Iterator[str]:
        """``reader list``'s lines: id, date, words, notes, title (tab-separated)."""
        where, params = article_where(query)
        sql = (
            "SELECT a.id || char(9) || a.date || char(9) || a.word_count || char(9) || "
            f"a.note_count || char(9) || a.title FROM articles a WHERE {where} "
            f"ORDER BY {SORTS[sort]}"
        )
        cursor = self.connection().execute(sql, params)
        while rows := cursor.fetchmany(4096):
            yield from (row[0] for row in rows)

    def notes(self, query: Query = EVERYTHING) -> Iterator[tuple[ArticleInfo, Annotation | None]]:
        """Annotations (and articles' own tags and notes, as None) matching ``query``:
        the articles' own first, then article by article, newest first, in text order."""
        where, params = note_where(query)
        sql = (
            f"SELECT {_ROW_COLUMNS}, n.id, n.state, n.score, n.record FROM notes n "
            f"JOIN articles a ON a.rowid = n.article WHERE {where} "
            f"ORDER BY n.id IS NOT NULL, {SORTS['date']}, n.start, n.rowid"
        )
        infos: dict[int, ArticleInfo] = {}
        for row in self.connection().execute(sql, params):
            info = infos.get(row[0]) or infos.setdefault(row[0], _info(row))
            if row[14] is None:
                yield info, None
                continue
            annotation = annotation_from_record(orjson.loads(row[17]))
            yield info, replace(annotation, state=row[15], score=row[16])

    def pending_entities(self, limit: int | None = None) -> list[str]:
        """Ids of the articles whose entities are still to be found, newest added first."""
        sql = f"SELECT id FROM articles WHERE entity_state = {WANTED} ORDER BY added DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [row[0] for row in self.connection().execute(sql)]

    def count_pending_entities(self) -> int:
        sql = f"SELECT count(*) FROM articles WHERE entity_state = {WANTED}"
        return self.connection().execute(sql).fetchone()[0]

    def outdated_entities(self, key: str) -> list[str]:
        """Ids of the articles without entities cached under the recogniser ``key``."""
        sql = f"SELECT id FROM articles WHERE entity_key != ? AND entity_state != {NOT_ENGLISH}"
        return [row[0] for row in self.connection().execute(sql, (key,))]

    def mark_not_english(self, article_id: str, text_sha256: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                f"UPDATE articles SET entity_state = {NOT_ENGLISH} "
                "WHERE id = ? AND text_sha256 = ? AND entity_key = ''",
                (article_id, text_sha256),
            )

    def corrected(self) -> list[str]:
        """Ids of the articles with entity corrections of the reader's."""
        sql = "SELECT id FROM articles WHERE corrections > 0"
        return [row[0] for row in self.connection().execute(sql)]

    def iter_infos(self, query: Query = EVERYTHING, sort: str = "date") -> Iterator[ArticleInfo]:
        """The metadata of the articles matching ``query``, in ``sort`` order."""
        where, params = article_where(query)
        sql = f"SELECT {_ROW_COLUMNS} FROM articles a WHERE {where} ORDER BY {SORTS[sort]}"
        cursor = self.connection().execute(sql, params)
        while rows := cursor.fetchmany(1024):
            yield from map(_info, rows)

    def problems(self) -> list[str]:
        """What could not be read, as found when each article was last indexed."""
        sql = "SELECT problems FROM articles WHERE problems != '' ORDER BY id"
        return [line for (text,) in self.connection().execute(sql) for line in text.split("\n")]
