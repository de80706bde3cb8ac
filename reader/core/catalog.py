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

Building and reconciling are reader.core.catalog_build's (a mixin of Catalog),
what can be asked of the index reader.core.catalog_queries', its tables and
rows reader.core.catalog_tables' and catalog_rows'.

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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from reader.core.catalog_build import BuildsCatalog, Changes, Progress
from reader.core.catalog_queries import NOT_ENGLISH, CatalogQueries
from reader.core.catalog_tables import (
    TABLES,
    delete_article,
    get_meta,
    set_meta,
    store_rows,
)

if TYPE_CHECKING:
    from reader.core.library import Library

INDEX_VERSION = 14  # 12: the articles read (reads); 13: label bits in reader.core.labels order;
# 14: annotation_count and annotation_tags (were note_count and note_tags)
INDEX_DIR = ".index"
BATCH = 256  # articles per transaction when many are (re)indexed


class Catalog(BuildsCatalog, CatalogQueries):
    """The index of one library. Thread-safe: each thread has its own connection."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._local = threading.local()
        self._ready = False
        self._where: Path | None = None
        self._loading = False  # rebuilding: mentions go to mentions_load
        self._file = 0  # a rebuild makes a new file: every thread's connection is renewed
        self._inode: int | None = None  # the index file's, as opened
        self._orders = {}
        self._orders_lock = threading.Lock()

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
        """This thread's connection (a new one after a rebuild replaced the file)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None and self._local.file != self._file:
            connection.close()
            connection = None
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # derived data: no fsync per commit
            connection.execute("PRAGMA cache_size=-8000")
            self._local.connection, self._local.file = connection, self._file
            if self._inode is None:
                with contextlib.suppress(OSError):
                    self._inode = os.stat(self.path).st_ino
        return connection

    def replaced(self) -> bool:
        """Whether the index file is no longer the one this catalog opened (deleted
        or rebuilt by another process): then it is made ready again, afresh."""
        try:
            inode = os.stat(self.path).st_ino
        except OSError:
            inode = None
        if self._inode is None or inode == self._inode:
            return False
        self._file += 1
        self._inode = None
        self._ready = False
        return True

    def close(self) -> None:
        """Close this thread's connection."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; it moves the index's version on (see ``ordered``)."""
        connection = self.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
            connection.execute(
                "INSERT INTO meta(key, value) VALUES ('version', '1') ON CONFLICT(key) "
                "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
            )
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    # --- state -------------------------------------------------------------------------

    def is_ready(self) -> bool:
        """Whether the index exists, complete, readable and with all its tables
        (never builds it)."""
        if self._ready:
            return True
        if not self.library.articles_dir.is_dir() or not self.path.exists():
            return False
        try:
            connection = self.connection()
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            self._ready = tables >= TABLES and get_meta(connection, "complete") == "1"
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
        stamps.append(self.library.read_marks.stamp())  # (edited in place: no folder's mtime)
        return " ".join(stamps)

    def folders_changed(self) -> bool:
        """Whether files came, went or were replaced (by another program: reader's
        own writes keep the stamp) since the index was last brought up to date."""
        return self._folder_stamps() != get_meta(self.connection(), "folders")

    def mark_read(self, article_ids: list[str], read: bool, before: str, after: str) -> None:
        """After reader's own write of the read marks (the file's stamps ``before``
        and ``after`` it): these articles read or not. A change to the file by
        another program before it is left for :meth:`reconcile` to read."""
        if not self.is_ready():
            return
        with self._transaction() as connection:
            if read:
                sql = "INSERT OR IGNORE INTO reads(id) VALUES (?)"
            else:
                sql = "DELETE FROM reads WHERE id = ?"
            connection.executemany(sql, ((i,) for i in article_ids))
            if get_meta(connection, "reads") == before:
                set_meta(connection, "reads", after)

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

    def refresh(self, article_id: str) -> bool:
        """Bring one article's rows up to date if its files changed since they
        were read (an edit in place, which no folder's mtime shows): what opening
        an article does. Returns whether they had changed."""
        from reader.core.catalog_rows import stamp

        if not self.is_ready():
            return False
        library = self.library
        try:
            text = os.stat(library.text_path(article_id))
        except OSError:
            return False
        try:
            store: os.stat_result | None = os.stat(library.store_path(article_id))
        except OSError:
            store = None
        row = (
            self.connection()
            .execute(
                "SELECT d.stamp FROM articles a JOIN details d ON d.rowid = a.rowid WHERE a.id = ?",
                (article_id,),
            )
            .fetchone()
        )
        if row is not None and row[0] == stamp(text, store):
            return False
        self.update_many([article_id])
        return True

    def update_many(
        self,
        article_ids: Iterable[str],
        progress: Progress | None = None,
        *,
        before: str | None = None,
        batch: int = BATCH,
    ) -> None:
        """Bring these articles' rows up to date with their files, in batches.
        ``before``: the folders' stamp before reader's own write to them."""
        article_ids = list(article_ids)
        total = len(article_ids)
        for start in range(0, max(total, 1), batch):
            chunk = article_ids[start : start + batch]
            self._local.updating = True
            try:
                with self._transaction() as connection:
                    for article_id in chunk:
                        self._write_article(connection, article_id)
                    last = start + batch >= total
                    if last and before is not None and get_meta(connection, "folders") == before:
                        set_meta(connection, "folders", self._folder_stamps())
            finally:
                self._local.updating = False
            if progress is not None and chunk:
                progress(min(start + batch, total), total)

    def remove(self, article_ids: Iterable[str]) -> None:
        article_ids = list(article_ids)
        if not article_ids:
            return
        with self._transaction() as connection:
            for article_id in article_ids:
                self._delete(connection, article_id)

    def _delete(self, connection: sqlite3.Connection, article_id: str) -> None:
        delete_article(connection, article_id)

    def _write_article(self, connection: sqlite3.Connection, article_id: str) -> None:
        """Read one article's files (inside the transaction) into its rows."""
        from reader.core.catalog_rows import article_rows

        rows = article_rows(self.library, article_id)
        if rows is None:
            delete_article(connection, article_id)
        else:
            store_rows(connection, rows, loading=self._loading)

    def _listing_path(self, sort: str) -> Path:
        return self.folder / f"listing-{sort}.bin"

    def mark_not_english(self, article_id: str, text_sha256: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                f"UPDATE articles SET entity_state = {NOT_ENGLISH} WHERE id = ? AND rowid IN "
                "(SELECT rowid FROM details WHERE text_sha256 = ? AND entity_key = '')",
                (article_id, text_sha256),
            )
