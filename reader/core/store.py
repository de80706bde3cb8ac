"""The per-article TinyDB store: atomic, durable, locked writes.

One small TinyDB file per article (``annotations/<id>.json``) keeps a save's
cost independent of the library's size. TinyDB's own JSONStorage writes in
place without fsync or locking, so :class:`AtomicJSONStorage` replaces it:
every write goes to a temporary file in the same folder, is flushed and
fsync'd, renamed over the old file with ``os.replace``, and the folder is
fsync'd. Each read-modify-write holds an ``flock`` on a separate lock file and
opens the database afresh inside the lock, so two processes lose nothing.

A file that cannot be parsed is never overwritten. It is read again a few
times first (an editor, a sync tool or ``git checkout`` may be writing it in
place); a read then leaves it as it is and reports it (:class:`StoreUnreadable`),
and only a write, which must replace it, moves it aside with a timestamp
(:class:`StoreCorrupt`).

Around it: the file's layout, schema and migrations are in
:mod:`reader.core.store_format`, its records' conversions to and from domain
objects in :mod:`reader.core.converters`, durable writes in
:mod:`reader.core.durable` and the lock in :mod:`reader.core.locks`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from reader.core.converters import (
    StoreContents,
    annotation_from_record,
    annotation_to_record,
    corrections_from_records,
    info_to_record,
    record_key,
    store_contents,
)
from reader.core.durable import atomic_write, move_aside
from reader.core.locks import flocked
from reader.core.models import Annotation, ArticleInfo, Correction, Entity
from reader.core.store_format import (
    ANNOTATIONS,
    CORRECTIONS,
    ENTITIES,
    META,
    MIGRATIONS,
    SCHEMA_VERSION,
    UNPLACED,
    as_document,
    schema_of,
    serialise,
    well_formed,
)
from reader.core.text import strip_controls

if TYPE_CHECKING:
    from tinydb import TinyDB


class StoreError(Exception):
    """A store that cannot be used; ``str(error)`` is one line for the user."""


class StoreCorrupt(StoreError):
    def __init__(self, path: Path, moved_to: Path) -> None:
        super().__init__(f"{path.name} could not be read; it was moved aside to {moved_to.name}")
        self.path, self.moved_to = path, moved_to


class StoreUnreadable(StoreError):
    """A store a read could not parse, left as it is (a write sets it aside)."""

    def __init__(self, path: Path, reason: str | None = None) -> None:
        super().__init__(
            f"{path.name} cannot be read ({reason}); it is left as it is"
            if reason  # a folder of that name, no permission to read: not for reader to move
            else f"{path.name} could not be read; it is left as it is (set aside, its "
            "bytes kept, when reader next saves to this article)"
        )
        self.path = path


class StoreTooNew(StoreError):
    def __init__(self, path: Path, version: int) -> None:
        super().__init__(
            f"{path.name} has schema version {version}, newer than this reader knows "
            f"({SCHEMA_VERSION}); it is left untouched (read-only)"
        )


SAVED_INTO_A_NEW_ONE = "; saved into a new one"  # how a store set aside by a write ends
REREADS = 3  # more reads of a file that does not parse, REREAD_PAUSE apart
REREAD_PAUSE = 0.05  # seconds: an editor's or a sync tool's write in place ends


_UNREAD = object()


class AtomicJSONStorage:
    """TinyDB storage (its Storage interface: read, write, close): orjson, atomic
    durable replace. A file that does not parse (or is empty) is read again; still
    so, it is set aside if ``set_aside`` (a write, which must replace it), else
    reported and left (:class:`StoreUnreadable`).

    The file is parsed once per storage: TinyDB reads its storage again at each
    table it touches, and one locked operation of a store (see ArticleStore)
    touches several; what is written is what is read next. A storage lives as
    long as one locked operation, so no other writer can come in between."""

    def __init__(self, path: str | Path, set_aside: bool = False) -> None:
        self.path = Path(path)
        self.set_aside = set_aside
        self._data: Any = _UNREAD

    def read(self) -> dict[str, Any] | None:
        if self._data is _UNREAD:
            self._data = self._parse()
        return self._data

    def _parse(self) -> dict[str, Any] | None:
        for attempt in range(REREADS + 1):
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return None
            try:
                data = orjson.loads(raw) if raw.strip() else None
            except orjson.JSONDecodeError:
                data = []  # not a dict: not well formed
            if data is not None and well_formed(data):
                return data
            if attempt < REREADS:
                time.sleep(REREAD_PAUSE)
        if data is None:  # empty, every time: a store with nothing in it yet
            return None
        if self.set_aside:
            raise StoreCorrupt(self.path, move_aside(self.path))
        raise StoreUnreadable(self.path)

    def write(self, data: dict[str, Any]) -> None:
        self._data = _UNREAD  # (a write that fails leaves the file to be read again)
        atomic_write(self.path, serialise(data))
        self._data = data

    def close(self) -> None:
        self._data = _UNREAD


class ArticleStore:
    """The TinyDB file of one article: its metadata, annotations and entity cache.

    ``writing(article_id)``, when given, is a context manager around each write
    (the library's: after the write is durable and the lock released, it
    brings its index up to date). ``recover(article_id)``, when given, is the
    metadata record to start a new store with when a write finds the file
    unreadable and sets it aside (the library's: what its index had), and
    ``problems`` where that is said."""

    def __init__(
        self,
        annotations_dir: Path,
        article_id: str,
        writing: Callable[[str], contextlib.AbstractContextManager[Any]] | None = None,
        recover: Callable[[str], dict[str, Any] | None] | None = None,
        problems: list[str] | None = None,
    ) -> None:
        self.article_id = article_id
        self.path = annotations_dir / f"{article_id}.json"
        self.lock_path = annotations_dir / ".locks" / f"{article_id}.lock"
        self._writing = writing
        self._recover = recover
        self._problems = problems

    def _set_aside_if_unreadable(self, storage: AtomicJSONStorage) -> None:
        """Before a write, under the lock: a file that does not parse is moved aside
        (its bytes kept), and, with ``recover``, a new store holding the metadata
        it is given takes its place, so what is written next is never lost; said in
        ``problems``, or raised (StoreCorrupt) without ``recover``."""
        try:
            storage.read()
        except StoreCorrupt as error:
            if self._recover is None:
                raise
            record = self._recover(self.article_id)
            meta: dict[str, Any] = {"schema": SCHEMA_VERSION}
            if record:
                meta["article"] = record
            storage.write({META: {"1": meta}})
            if self._problems is not None:
                self._problems.append(f"{error}{SAVED_INTO_A_NEW_ONE}")

    @contextlib.contextmanager
    def _locked(self, write: bool = False) -> Iterator[TinyDB]:
        """Hold the article's lock and a freshly opened database; a write to a
        store without a schema number (a new one) gives it the current one."""
        from tinydb import TinyDB  # here: the app's first screen reads no store

        around = self._writing(self.article_id) if write and self._writing else None
        with (
            around or contextlib.nullcontext(),
            flocked(self.lock_path, reading=not write) as exclusive,
        ):
            storage = AtomicJSONStorage(self.path, set_aside=write)  # one parse (see there)
            if write:
                self._set_aside_if_unreadable(storage)
            db = TinyDB(storage=lambda: storage)
            try:
                db = self._check_schema(db, in_place=exclusive)
                if write and db.table(META).get(doc_id=1) is None:
                    db.table(META).insert(as_document({"schema": SCHEMA_VERSION}, 1))
                yield db
            finally:
                db.close()

    def _check_schema(self, db: TinyDB, in_place: bool = True) -> TinyDB:
        """Refuse a newer schema; migrate an older one, in place, under the lock
        (or, not ``in_place``, for a read without write access, a copy in memory,
        which is given back).

        A store with no schema number yet (new, or only just created by a first
        write) is the current version: reading it never rewrites it."""
        meta = db.table(META).get(doc_id=1)
        if meta is None or "schema" not in meta:
            return db
        version = meta["schema"]
        if version > SCHEMA_VERSION:
            raise StoreTooNew(self.path, version)
        if version < SCHEMA_VERSION and not in_place:
            from tinydb import TinyDB
            from tinydb.storages import MemoryStorage

            data = db.storage.read()
            db.close()
            db = TinyDB(storage=MemoryStorage)
            db.storage.write(data or {})
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](db)
            version += 1
            db.table(META).upsert(as_document({"schema": version}, 1))
        return db

    def read(self) -> StoreContents:
        """The article record and its annotations, in one locked read.

        A malformed annotation record is reported and skipped, not dropped: it
        stays in the file, which TinyDB rewrites whole on the next save. A file
        that cannot be opened at all (a folder of that name, no permission to
        read it) is StoreUnreadable too, with the system's reason."""
        try:
            with self._locked() as db:
                data = db.storage.read() or {}
        except FileNotFoundError:
            raise
        except OSError as error:
            raise StoreUnreadable(self.path, error.strerror) from None
        return store_contents(data, self.path)

    def snapshot(self) -> StoreContents:
        """What :meth:`read` gives, from one parse of the file as it is now,
        without the lock: every write replaces the file whole, atomically, so a
        reader sees the old or the new one. A file that is not a well-formed
        store of this schema goes through :meth:`read` (which sets it aside, or
        migrates or refuses it)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return StoreContents(None)
        except OSError as error:  # (see read)
            raise StoreUnreadable(self.path, error.strerror) from None
        data: Any
        try:
            data = orjson.loads(raw) if raw.strip() else {}
        except orjson.JSONDecodeError:
            data = None
        if not well_formed(data) or schema_of(data) != SCHEMA_VERSION:
            return self.read()
        return store_contents(data, self.path)

    def update_article(
        self,
        info: ArticleInfo,
        *,
        tags: tuple[str, ...] | None = None,
        note: str | None = None,
    ) -> None:
        """Set the reader's tags or note on the whole article. ``info`` is the
        article's metadata as the caller has it: written as the record when the
        store has none yet (an article added without its store, its metadata
        derived from its text), so the record is never tags and a note alone."""
        with self._locked(write=True) as db:
            meta = db.table(META)
            current: dict[str, Any] = meta.get(doc_id=1) or {}
            record = dict(current.get("article") or {})
            if "id" not in record:
                record = {**info_to_record(info), **record}
            if tags is not None:
                record["tags"] = [strip_controls(tag) for tag in tags]
            if note is not None:
                record["note"] = strip_controls(note)
            meta.upsert(as_document({"schema": SCHEMA_VERSION, "article": record}, 1))

    def write_info(self, info: ArticleInfo) -> None:
        with self._locked(write=True) as db:
            db.table(META).upsert(
                as_document({"schema": SCHEMA_VERSION, "article": info_to_record(info)}, 1)
            )

    def save_annotation(self, annotation: Annotation) -> None:
        """Insert or replace the annotation with this id."""
        record = annotation_to_record(annotation)
        with self._locked(write=True) as db:
            table = db.table(ANNOTATIONS)
            found = [doc.doc_id for doc in table.all() if doc.get("id") == annotation.id]
            if found:
                table.update(record, doc_ids=found)
            else:
                table.insert(record)

    def save_annotations(self, annotations: list[Annotation]) -> None:
        """Insert or replace these annotations (by id) in one read and one write of
        the store for the new ones (an import of thousands: not a write each)."""
        records = {a.id: annotation_to_record(a) for a in annotations}
        with self._locked(write=True) as db:
            table = db.table(ANNOTATIONS)
            stored: dict[Any, list[int]] = {}
            for doc in table.all():
                stored.setdefault(doc.get("id"), []).append(doc.doc_id)
            for annotation_id, record in records.items():
                if annotation_id in stored:
                    table.update(record, doc_ids=stored[annotation_id])
            table.insert_multiple(r for i, r in records.items() if i not in stored)

    def update_annotation(self, annotation: Annotation, fields: dict[str, Any]) -> bool:
        """Set ``fields`` (names of Annotation fields) on the stored annotation with
        ``annotation``'s id, read under the lock, leaving its other fields as they
        are there (another window may have changed them). An annotation no longer
        stored (deleted elsewhere) is saved whole as ``annotation``: a note just
        written is never dropped. Returns whether it was still stored."""
        with self._locked(write=True) as db:
            table = db.table(ANNOTATIONS)
            found = [doc for doc in table.all() if doc.get("id") == annotation.id]
            if not found:
                table.insert(annotation_to_record(annotation))
                return False
            try:
                current = annotation_from_record(found[0])
            except (KeyError, TypeError, ValueError, AttributeError):
                current = annotation  # malformed there: the whole record we have
                fields = {}
            merged = annotation_to_record(replace(current, **fields))
            table.update(merged, doc_ids=[found[0].doc_id])
            return True

    def _delete(self, table_name: str, record_id: str) -> bool:
        with self._locked(write=True) as db:
            table = db.table(table_name)
            found = [doc.doc_id for doc in table.all() if doc.get("id") == record_id]
            if found:
                table.remove(doc_ids=found)
            return bool(found)

    def delete_annotation(self, annotation_id: str) -> bool:
        return self._delete(ANNOTATIONS, annotation_id)

    def cached_entities(self, key: str, text_sha256: str) -> list[Entity] | None:
        """Entities cached for this text and recogniser key, or None (also when a
        row of the cache is malformed: found again, the cache is written anew)."""
        contents = self.snapshot()
        if (contents.entities_key, contents.entities_sha256) != (key, text_sha256):
            return None
        if len(contents.entity_rows) != len(contents.raw_entities):
            return None
        return contents.cached_entities

    def corrections(self) -> list[Correction]:
        """The reader's entity corrections kept in this store."""
        with self._locked() as db:
            records = db.table(CORRECTIONS).all()
        return corrections_from_records(records)

    def save_correction(self, correction: Correction) -> None:
        """Add a correction, replacing one on the same span (or text, library-wide)."""
        record = dict(correction.__dict__)
        with self._locked(write=True) as db:
            table = db.table(CORRECTIONS)
            same = [
                d.doc_id
                for d in table.all()
                if (d.get("start"), d.get("end"), d.get("text"))
                == (correction.start, correction.end, correction.text)
            ]
            if same:
                table.remove(doc_ids=same)
            table.insert(record)

    def delete_correction(self, correction_id: str) -> bool:
        return self._delete(CORRECTIONS, correction_id)

    def unplaced(self) -> list[dict[str, Any]]:
        """Imported records no article could take, kept as they came."""
        with self._locked() as db:
            return [dict(d) for d in db.table(UNPLACED).all()]

    def keep_unplaced_many(self, records: list[dict[str, Any]]) -> None:
        """Keep these records, those not kept already, in one write."""
        with self._locked(write=True) as db:
            table = db.table(UNPLACED)
            kept = {record_key(d) for d in table.all()}
            new = {record_key(r): r for r in records}
            table.insert_multiple(r for key, r in new.items() if key not in kept)

    def cache_entities(self, key: str, text_sha256: str, entities: list[Entity]) -> None:
        record = {
            "key": key,
            "text_sha256": text_sha256,
            "entities": [[e.start, e.end, e.label, e.text] for e in entities],
        }
        with self._locked(write=True) as db:
            db.table(ENTITIES).upsert(as_document(record, 1))
