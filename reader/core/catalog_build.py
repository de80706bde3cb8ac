"""Building the library index from the files, and bringing it up to date with
changes other programs made to them (see reader.core.catalog, whose mixin this
is): a rebuild reads every article, in worker processes for a large library;
a reconciliation reads only what its folders' listings say changed."""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from reader.core.catalog_tables import (
    INDEXES,
    SCHEMA,
    get_meta,
    set_meta,
    store_rows,
)
from reader.core.fulltext import phrase
from reader.core.locks import flocked
from reader.core.query import name_key

if TYPE_CHECKING:
    from reader.core.library import Library

Progress = Callable[[int, int], None]  # (done, total)
POOL_FROM = 2000  # a rebuild of this many articles reads them in worker processes
CHUNK = 256  # articles a worker reads at a time


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


class BuildsCatalog:
    """Building and reconciling the index (a mixin of Catalog)."""

    library: Library
    _ready: bool
    _loading: bool
    _file: int
    _inode: int | None

    if TYPE_CHECKING:  # Catalog's (a stub here would replace them in the MRO)

        @property
        def folder(self) -> Path: ...
        @property
        def path(self) -> Path: ...
        def connection(self) -> sqlite3.Connection: ...
        def close(self) -> None: ...
        def is_ready(self) -> bool: ...
        def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _folder_stamps(self) -> str: ...
        def update_many(
            self,
            article_ids: Iterable[str],
            progress: Progress | None = None,
            *,
            before: str | None = None,
            batch: int = ...,
        ) -> None: ...
        def remove(self, article_ids: Iterable[str]) -> None: ...

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
