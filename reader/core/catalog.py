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
import itertools
import os
import secrets
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from reader.core.catalog_queries import NOT_ENGLISH, CatalogQueries
from reader.core.catalog_tables import (
    INDEXES,
    SCHEMA,
    TABLES,
    delete_article,
    get_meta,
    set_meta,
    store_rows,
)
from reader.core.fulltext import phrase
from reader.core.locks import flocked
from reader.core.query import name_key

if TYPE_CHECKING:
    from reader.core.library import Library

INDEX_VERSION = 14  # 12: the articles read (reads); 13: label bits in reader.core.labels order;
# 14: annotation_count and annotation_tags (were note_count and note_tags)
INDEX_DIR = ".index"
BATCH = 256  # articles per transaction when many are (re)indexed
POOL_FROM = 2000  # a rebuild of this many articles reads them in worker processes
CHUNK = 256  # articles a worker reads at a time
Progress = Callable[[int, int], None]  # (done, total)


def _scan(
    folder: Path, suffix: str, full: bool, temporaries: list[str]
) -> Iterator[tuple[str, str]]:
    """The folder's files ending in ``suffix``, by name without it, one at a time:
    their size and mtime (``full``), else their inode number (which the listing
    gives, without a ``stat`` call per file); the names of temporary files are
    added to ``temporaries``. The same strings as the index's stamps (see
    reader.core.catalog_rows ``stamp`` and ``inodes``)."""
    size = len(suffix)
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    if name.endswith(".tmp"):
                        temporaries.append(name)
                elif name.endswith(suffix):
                    if full:
                        try:
                            stat = entry.stat()
                        except FileNotFoundError:  # gone since listed: not there
                            continue
                        yield name[:-size], f"{stat.st_size}:{stat.st_mtime_ns}"
                    else:
                        yield name[:-size], str(entry.inode())
    except (FileNotFoundError, NotADirectoryError):  # no folder: no files
        return


def _rule_texts(new: str, old: str | None) -> set[str]:
    """The texts of the rules in one signature and not the other."""
    try:
        before = {tuple(r) for r in orjson.loads(old)} if old else set()
    except (orjson.JSONDecodeError, TypeError):
        before = set()
    after = {tuple(r) for r in orjson.loads(new)}
    return {rule[2] for rule in before ^ after}


@dataclass(frozen=True)
class Changes:
    """What a reconciliation found and brought into the index."""

    updated: int = 0
    removed: int = 0
    reads: bool = False  # the articles read were read again (another program's change)

    def __bool__(self) -> bool:
        return bool(self.updated or self.removed or self.reads)


class Catalog(CatalogQueries):
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

    # --- building and reconciling -------------------------------------------------------

    def rebuild(self, progress: Progress | None = None) -> Changes:
        """Build the index afresh from the files (one process at a time: another
        waits, then finds it built)."""
        with flocked(self.folder / "build.lock"):
            self._ready = False
            if self.is_ready():  # built by another process while we waited
                return self.reconcile(progress=progress)
            self.close()
            self._file += 1
            self._inode = None
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self.path}{suffix}")
            for old in self.folder.glob("library-v*.sqlite*"):  # other versions' files
                with contextlib.suppress(OSError):
                    old.unlink()
            connection = self.connection()
            connection.executescript(SCHEMA)
            connection.execute("CREATE TABLE mentions_load(name TEXT NOT NULL, article INTEGER)")
            folders = self._folder_stamps()  # before reading: what changes next is seen
            ids = sorted(self.library.article_ids_on_disk())
            # A new file no one else reads yet: no sync until it is complete, a
            # larger cache, and fewer merges of the full-text index while it grows.
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("PRAGMA cache_size=-65536")
            connection.execute("INSERT INTO article_fts(article_fts, rank) VALUES ('automerge', 8)")
            self._loading = True
            try:
                self._load(ids, progress)
            finally:
                self._loading = False
            connection.execute(
                "INSERT OR IGNORE INTO mentions SELECT name, article FROM mentions_load "
                "ORDER BY name, article"
            )
            connection.execute("DROP TABLE mentions_load")
            connection.executescript(INDEXES)
            connection.execute("INSERT INTO article_fts(article_fts, rank) VALUES ('automerge', 4)")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA cache_size=-8000")
            with self._transaction() as connection:
                set_meta(connection, "folders", folders)
                set_meta(connection, "rules", self._rules_signature())
                self._load_reads(connection)
                # This build's own: a listing kept for an earlier one (whose versions
                # counted from 1 too) is never taken for this one's (kept_listing).
                set_meta(connection, "build", secrets.token_hex(8))
                set_meta(connection, "complete", "1")
            self._ready = True
            return Changes(updated=len(ids))

    def _load(self, article_ids: list[str], progress: Progress | None) -> None:
        """Read and write every article of a rebuild: many are read in worker
        processes, while this one writes what they read."""
        from reader.core.catalog_rows import article_rows, reading_pool, rows_in_worker

        workers = min(os.cpu_count() or 1, 4)
        if len(article_ids) < POOL_FROM or workers < 2:
            self.update_many(article_ids, progress, batch=2048)
            return
        chunks = [article_ids[i : i + CHUNK] for i in range(0, len(article_ids), CHUNK)]
        pending = iter(chunks)
        connection = self.connection()
        done = 0
        with reading_pool(self.library, workers) as pool:
            # A few chunks in flight per worker: the rows waiting stay few.
            running = deque(
                (chunk, pool.submit(rows_in_worker, chunk))
                for chunk in itertools.islice(pending, workers * 2)
            )
            while running:
                chunk, future = running.popleft()
                following = next(pending, None)
                if following is not None:
                    running.append((following, pool.submit(rows_in_worker, following)))
                try:
                    read = future.result()
                except Exception:  # a worker died: this chunk is read here
                    read = [article_rows(self.library, article_id) for article_id in chunk]
                connection.execute("BEGIN IMMEDIATE")
                for rows in read:
                    if rows is not None:
                        store_rows(connection, rows, loading=True)
                        self.library.problems += rows.events
                connection.execute("COMMIT")
                done += len(chunk)
                if progress is not None:
                    progress(done, len(article_ids))

    def reconcile(self, *, full: bool = False, progress: Progress | None = None) -> Changes:
        """Bring the index up to date with changes made to the files by other
        programs. Unless ``full``, only when the folders changed (two ``stat``
        calls say so); then a listing of each folder finds the files added,
        removed or replaced, and only they are read. ``full`` also finds files
        edited in place (which leave their folder's mtime and their inode as they
        were), with a ``stat`` per file: what ``reader doctor`` does."""
        if not self.is_ready():
            return Changes()
        connection = self.connection()
        folders = self._folder_stamps()
        rules = self._rules_signature()
        old_rules = get_meta(connection, "rules")
        changed: set[str] = set()
        gone: list[str] = []
        if full or folders != get_meta(connection, "folders"):
            changed, gone = self._changed_files(full)
        if rules != old_rules:  # the articles naming what a library-wide rule is about
            changed |= self._naming(_rule_texts(rules, old_rules))
        reads = self.library.read_marks.stamp() != get_meta(connection, "reads")
        if not changed and not gone and not reads and folders == get_meta(connection, "folders"):
            return Changes()
        self.update_many(sorted(changed), progress)
        self.remove(gone)
        with self._transaction() as connection:
            set_meta(connection, "folders", folders)
            set_meta(connection, "rules", rules)
            if reads:
                self._load_reads(connection)
        return Changes(updated=len(changed), removed=len(gone), reads=reads)

    def _load_reads(self, connection: sqlite3.Connection) -> None:
        """The articles read, afresh from their file (inside a write transaction)."""
        marks = self.library.read_marks
        stamp = marks.stamp()
        read = marks.read_ids()
        connection.execute("DELETE FROM reads")
        connection.executemany("INSERT OR IGNORE INTO reads(id) VALUES (?)", ((i,) for i in read))
        set_meta(connection, "reads", stamp)

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

    def _changed_files(self, full: bool) -> tuple[set[str], list[str]]:
        """The articles whose files changed since the index read them, and those
        gone: by their inode numbers (a file added, removed or replaced, as
        changes the folder's mtime), or, ``full``, by their sizes and mtimes
        (a file edited in place too), which takes a ``stat`` per file.

        The folders' listings go, a file at a time, into tables of a database in
        memory of their own, and SQLite compares them with what the index has: at
        100,000 articles, Python's dicts of the listings and of the index's stamps
        made the app's peak memory 67 MB larger."""
        from reader.core.durable import remove_stray_temporaries

        library = self.library
        connection = self.connection()
        if "scan" not in {row[1] for row in connection.execute("PRAGMA database_list")}:
            connection.execute("ATTACH DATABASE ':memory:' AS scan")
        try:
            for folder, suffix, table in (
                (library.articles_dir, ".txt", "texts"),
                (library.annotations_dir, ".json", "stores"),
            ):
                connection.execute(
                    f"CREATE TABLE scan.{table}(id TEXT PRIMARY KEY, found TEXT) WITHOUT ROWID"
                )
                temporaries: list[str] = []
                rows = _scan(folder, suffix, full, temporaries)
                connection.executemany(f"INSERT OR IGNORE INTO scan.{table} VALUES (?, ?)", rows)
                remove_stray_temporaries(folder, temporaries)
            # What the index has, and the same from the listings (see _scan).
            if full:
                recorded = "(SELECT d.stamp FROM details d WHERE d.rowid = a.rowid)"
                now = "t.found || ':' || coalesce(s.found, '-:-')"
            else:
                recorded = "a.inodes"
                now = "t.found || ':' || coalesce(s.found, '-')"
            differ = (
                "SELECT t.id FROM scan.texts t LEFT JOIN scan.stores s ON s.id = t.id "
                f"LEFT JOIN articles a ON a.id = t.id WHERE {recorded} IS NOT {now}"
            )
            changed = {i for (i,) in connection.execute(differ) if library.is_article_id(i)}
            gone = "SELECT id FROM articles WHERE id NOT IN (SELECT id FROM scan.texts)"
            return changed, [article_id for (article_id,) in connection.execute(gone)]
        finally:
            connection.execute("DROP TABLE IF EXISTS scan.texts")
            connection.execute("DROP TABLE IF EXISTS scan.stores")

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
                        "SELECT a.id FROM articles a WHERE a.rowid IN "
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
