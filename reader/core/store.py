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
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from reader.core.locks import lock_exclusive, lock_shared, unlock
from reader.core.models import Annotation, ArticleInfo, Correction, Entity, TextQuote
from reader.core.text import strip_controls

if TYPE_CHECKING:
    from tinydb import TinyDB

SCHEMA_VERSION = 1
_META, _ANNOTATIONS, _ENTITIES = "meta", "annotations", "entities"
_CORRECTIONS, _UNPLACED = "corrections", "unplaced"


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


# --- durable files -----------------------------------------------------------


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file,
    and a write that fails (a full disk) leaves the old file and no temporary one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:  # a full disk fails the write, flush or fsync
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # the write's own error is the one to tell
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def write_durably(
    items: list[tuple[Path, bytes]], exclusive: AbstractSet[Path] = frozenset()
) -> None:
    """Write several files atomically and durably.

    Each goes to a temporary file first, all of them written before any is
    synced (so the system writes them out together, and each fsync after the
    first finds less to wait for: not the whole machine's ``os.sync``, which
    waited for every file system's writes); then each is renamed into place,
    in order, and the folders are fsync'd. A path in ``exclusive`` must not
    exist yet: it is linked, never replaced, so no file is ever overwritten.
    """
    staged: list[tuple[Path, Path]] = []
    handles: list[io.BufferedWriter] = []
    try:
        try:
            for path, data in items:
                tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
                handle = open(tmp, "xb")  # noqa: SIM115 (closed below, each once synced)
                handles.append(handle)
                staged.append((tmp, path))  # so removed below, whatever fails
                handle.write(data)
            for handle in handles:  # a full disk fails a write, a flush or an fsync
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            for handle in handles:
                handle.close()
        for tmp, path in staged:
            if path in exclusive:
                os.link(tmp, path)  # FileExistsError rather than overwrite
                tmp.unlink()
            else:
                os.replace(tmp, path)
    finally:
        for tmp, _ in staged:  # none is left, whatever failed
            with contextlib.suppress(OSError):
                tmp.unlink()
    for folder in {path.parent for path, _ in items}:
        fsync_dir(folder)


_TEMPORARY = re.compile(r"\.(\d+)(?:\.[0-9a-f]+)?\.tmp$")  # .<name>.<pid>[.<token>].tmp


def remove_stray_temporaries(folder: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Delete temporary files left by writers that died (their pid is gone):
    those of ``names`` when the caller has listed the folder already."""
    removed = []
    found = folder.glob(".*.tmp") if names is None else (folder / name for name in names)
    for tmp in found:
        match = _TEMPORARY.search(tmp.name)
        pid = int(match.group(1)) if match else 0
        if pid and _alive(pid):  # a live writer, this process included
            continue
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, target)
    return target


def _well_formed(data: Any) -> bool:
    """Tables of documents, with an integer schema version if any."""
    if not isinstance(data, dict):
        return False
    for table in data.values():
        if not isinstance(table, dict):
            return False
        for key, document in table.items():
            if not (isinstance(document, dict) and isinstance(key, str) and key.isdigit()):
                return False  # TinyDB's document ids are integers
    schema = _schema(data)
    return isinstance(schema, int) and not isinstance(schema, bool) and schema >= 0


def _schema(data: dict[str, Any]) -> Any:
    """A well-formed store's schema number (stores without one are new: the current)."""
    return data.get(_META, {}).get("1", {}).get("schema", SCHEMA_VERSION)


def serialise(data: dict[str, Any]) -> bytes:
    """A store's bytes: indented JSON, readable and diffable in git."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


def initial_store(info: ArticleInfo) -> bytes:
    """The bytes of a new article's store (the TinyDB layout: table -> id -> document)."""
    return serialise({_META: {"1": {"schema": SCHEMA_VERSION, "article": info_to_record(info)}}})


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
            if data is not None and _well_formed(data):
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


# --- converters at the storage edge --------------------------------------------


def annotation_to_record(annotation: Annotation) -> dict[str, Any]:
    """The record stored; its strings without control characters or escape sequences
    (whoever made the annotation: the app, a script, notes imported from a file)."""
    c = strip_controls
    return {
        "id": c(annotation.id),
        "target": {
            "text_sha256": c(annotation.text_sha256),
            "selector": [
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
                {
                    "type": "TextQuoteSelector",
                    "exact": c(annotation.quote.exact),
                    "prefix": c(annotation.quote.prefix),
                    "suffix": c(annotation.quote.suffix),
                },
            ],
        },
        "tags": [c(tag) for tag in annotation.tags],
        "note": c(annotation.note),
        "created": c(annotation.created),
        "modified": c(annotation.modified),
    }


def _typed(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """``value`` if it is of ``kind`` (a bool is no int), else TypeError naming ``what``.
    A string without control characters or escape sequences: a store is a file that
    people and other tools edit, and what it holds is shown in terminals."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise TypeError(f"{what} is {type(value).__name__}")
    return strip_controls(str(value)) if kind is str else value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    return tuple(_typed(v, str, what) for v in _typed(value, list, what))


def annotation_from_record(record: dict[str, Any]) -> Annotation:
    """The annotation of a stored record; KeyError/TypeError/… if it is malformed
    (hand-edited, or written by another program), never an Annotation whose
    fields are not what the rest of reader takes them to be."""
    selectors = {s["type"]: s for s in record["target"]["selector"]}
    position, quote = selectors["TextPositionSelector"], selectors["TextQuoteSelector"]
    return Annotation(
        id=_typed(record["id"], str, "id"),
        start=_typed(position["start"], int, "start"),
        end=_typed(position["end"], int, "end"),
        quote=TextQuote(
            _typed(quote["exact"], str, "exact"),
            _typed(quote.get("prefix", ""), str, "prefix"),
            _typed(quote.get("suffix", ""), str, "suffix"),
        ),
        text_sha256=_typed(record["target"].get("text_sha256", ""), str, "text_sha256"),
        tags=_strings(record.get("tags", []), "tags"),
        note=_typed(record.get("note", ""), str, "note"),
        created=_typed(record.get("created", ""), str, "created"),
        modified=_typed(record.get("modified", ""), str, "modified"),
    )


def info_to_record(info: ArticleInfo) -> dict[str, Any]:
    """The record stored; its strings cleaned as annotation_to_record's are."""
    c = strip_controls
    return {
        "id": c(info.id),
        "title": c(info.title),
        "author": c(info.author),
        "date": c(info.date),
        "source": c(info.source),
        "format": c(info.format),
        "text_sha256": c(info.text_sha256),
        "word_count": info.word_count,
        "added": c(info.added),
        "tags": [c(tag) for tag in info.tags],
        "note": c(info.note),
    }


def info_from_record(
    record: dict[str, Any], note_count: int = 0, note_tags: tuple[str, ...] = ()
) -> ArticleInfo:
    """The metadata of a stored record; KeyError/TypeError if it is malformed."""

    def text(key: str, default: str = "") -> str:
        return _typed(record.get(key, default), str, key)

    return ArticleInfo(
        id=_typed(record["id"], str, "id"),
        title=text("title", record["id"]),
        author=text("author"),
        date=text("date"),
        source=text("source"),
        format=text("format", "text"),
        text_sha256=text("text_sha256"),
        word_count=_typed(record.get("word_count", 0), int, "word_count"),
        added=text("added"),
        note_count=note_count,
        tags=_strings(record.get("tags", []), "tags"),
        note=text("note"),
        note_tags=note_tags,
    )


# --- one article's store ---------------------------------------------------------


@dataclass
class StoreContents:
    article: dict[str, Any] | None
    annotations: list[Annotation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    position: int = 0  # a reading position saved by an older reader (see reader.core.reading)
    # The cached entities as stored (any key: for the index, which needs only
    # their names; see entity_rows and cached_entities).
    raw_entities: list[Any] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    entities_key: str = ""  # the recogniser key and text hash the entities were cached under
    entities_sha256: str = ""

    @property
    def entity_rows(self) -> list[list[Any]]:
        """The cached entities, [start, end, label, text] each; malformed rows left
        out (looked at when asked for: reading an article needs none of them)."""
        return [r for r in self.raw_entities if _entity_row(r)]

    @property
    def cached_entities(self) -> list[Entity]:
        return [Entity(*row) for row in self.entity_rows]


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    """A table of a store as stored (document id -> document); {} if it is not one."""
    table = data.get(name)
    return table if isinstance(table, dict) else {}


def _contents(data: dict[str, Any], path: Path) -> StoreContents:
    """A store's contents from its tables as stored (table -> document id -> document).
    Whatever a hand, a tool or a git merge made of them, what is malformed is left
    in the file, said in ``problems`` where it is the reader's (annotations), and
    never raises: an entity cache or a correction of the wrong shape is skipped; of
    two annotations with one id (both sides of a merge), the newer is shown."""
    meta = _table(data, _META).get("1")
    meta = meta if isinstance(meta, dict) else {}
    article = meta.get("article")
    contents = StoreContents(article if isinstance(article, dict) else None)
    position = meta.get("position", 0)
    if isinstance(position, int) and not isinstance(position, bool) and position >= 0:
        contents.position = position
    entities = _table(data, _ENTITIES).get("1")
    entities = entities if isinstance(entities, dict) else {}
    rows = entities.get("entities", [])
    if isinstance(rows, list):
        contents.raw_entities = rows
    key, text_hash = entities.get("key"), entities.get("text_sha256")
    if isinstance(key, str) and isinstance(text_hash, str):
        contents.entities_key, contents.entities_sha256 = key, text_hash
    contents.corrections = _corrections(list(_table(data, _CORRECTIONS).values()))
    by_id: dict[str, Annotation] = {}
    for doc_id, record in _table(data, _ANNOTATIONS).items():
        try:
            annotation = annotation_from_record(record)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            which = record.get("id", doc_id) if isinstance(record, dict) else doc_id
            contents.problems.append(
                f"{path.name}: annotation {strip_controls(str(which))[:60]} "
                f"is malformed ({type(error).__name__}); kept in the file, not shown"
            )
            continue
        kept = by_id.get(annotation.id)
        if kept is not None:
            contents.problems.append(
                f"{path.name}: annotation {annotation.id} is stored twice (a merge?); "
                "the newer is shown, both are kept in the file"
            )
            if (kept.modified or kept.created) >= (annotation.modified or annotation.created):
                continue
        by_id[annotation.id] = annotation
    contents.annotations = sorted(by_id.values(), key=lambda a: (a.start, a.end, a.created))
    return contents


@contextlib.contextmanager
def flocked(lock_path: Path, *, reading: bool = False) -> Iterator[bool]:
    """Hold an exclusive lock (reader.core.locks) on ``lock_path``, a file of its own beside the
    data (a lock on the data file would go with it at each atomic rename); gives
    True.

    ``reading``: where the lock file cannot be made or opened for writing (a
    library on a read-only disk, or someone else's; ``.locks`` not a folder),
    a shared lock on the file if it can be opened to read, else none, and gives
    False: a read needs none, since every write replaces a file whole, atomically
    (a reader sees the old file or the new), but it must then change nothing."""
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(lock_path, "a+b")  # noqa: SIM115 (closed below)
    except OSError as error:
        if not reading:
            if isinstance(error, FileExistsError):  # (from mkdir)
                message = "not a folder (reader keeps its lock files there)"
                raise NotADirectoryError(errno.ENOTDIR, message, str(lock_path.parent)) from None
            raise
        try:
            shared = open(lock_path, "rb")  # noqa: SIM115 (closed below)
        except OSError:
            yield False
            return
        with shared:
            lock_shared(shared)
            yield False
        return
    with lock:
        lock_exclusive(lock)
        try:
            yield True
        finally:
            unlock(lock)


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
            storage.write({_META: {"1": meta}})
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
                if write and db.table(_META).get(doc_id=1) is None:
                    db.table(_META).insert(_document({"schema": SCHEMA_VERSION}, 1))
                yield db
            finally:
                db.close()

    def _check_schema(self, db: TinyDB, in_place: bool = True) -> TinyDB:
        """Refuse a newer schema; migrate an older one, in place, under the lock
        (or, not ``in_place``, for a read without write access, a copy in memory,
        which is given back).

        A store with no schema number yet (new, or only just created by a first
        write) is the current version: reading it never rewrites it."""
        meta = db.table(_META).get(doc_id=1)
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
            db.table(_META).upsert(_document({"schema": version}, 1))
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
        return _contents(data, self.path)

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
        if not _well_formed(data) or _schema(data) != SCHEMA_VERSION:
            return self.read()
        return _contents(data, self.path)

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
            meta = db.table(_META)
            current: dict[str, Any] = meta.get(doc_id=1) or {}
            record = dict(current.get("article") or {})
            if "id" not in record:
                record = {**info_to_record(info), **record}
            if tags is not None:
                record["tags"] = [strip_controls(tag) for tag in tags]
            if note is not None:
                record["note"] = strip_controls(note)
            meta.upsert(_document({"schema": SCHEMA_VERSION, "article": record}, 1))

    def write_info(self, info: ArticleInfo) -> None:
        with self._locked(write=True) as db:
            db.table(_META).upsert(
                _document({"schema": SCHEMA_VERSION, "article": info_to_record(info)}, 1)
            )

    def save_annotation(self, annotation: Annotation) -> None:
        """Insert or replace the annotation with this id."""
        record = annotation_to_record(annotation)
        with self._locked(write=True) as db:
            table = db.table(_ANNOTATIONS)
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
            table = db.table(_ANNOTATIONS)
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
            table = db.table(_ANNOTATIONS)
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
        return self._delete(_ANNOTATIONS, annotation_id)

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
            records = db.table(_CORRECTIONS).all()
        return _corrections(records)

    def save_correction(self, correction: Correction) -> None:
        """Add a correction, replacing one on the same span (or text, library-wide)."""
        record = dict(correction.__dict__)
        with self._locked(write=True) as db:
            table = db.table(_CORRECTIONS)
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
        return self._delete(_CORRECTIONS, correction_id)

    def unplaced(self) -> list[dict[str, Any]]:
        """Imported records no article could take, kept as they came."""
        with self._locked() as db:
            return [dict(d) for d in db.table(_UNPLACED).all()]

    def keep_unplaced_many(self, records: list[dict[str, Any]]) -> None:
        """Keep these records, those not kept already, in one write."""
        with self._locked(write=True) as db:
            table = db.table(_UNPLACED)
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
            db.table(_ENTITIES).upsert(_document(record, 1))


def record_key(record: Any) -> bytes:
    """A record's identity, as equality of its JSON."""
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)


def _entity_row(row: Any) -> bool:
    """Whether a cached entity is [start, end, label, text] of those types."""
    return (
        isinstance(row, list)
        and len(row) == 4
        and all(type(n) is int and n >= 0 for n in row[:2])
        and row[0] < row[1]
        and isinstance(row[2], str)
        and isinstance(row[3], str)
    )


_CORRECTION_TYPES = {
    "id": str, "action": str, "text": str, "label": str, "start": int, "end": int, "created": str,
}  # fmt: skip


def _corrections(records: list[Any]) -> list[Correction]:
    """The corrections of a store; one of the wrong shape (a field missing, of
    another type, an unknown action) is left in the file, not applied."""
    out = []
    for record in records:
        if not isinstance(record, dict):
            continue
        fields = {k: record[k] for k in _CORRECTION_TYPES if k in record}
        if (
            not all(type(value) is _CORRECTION_TYPES[k] for k, value in fields.items())
            or not {"id", "action", "text"} <= fields.keys()
        ):
            continue
        if fields["action"] not in ("remove", "label", "add"):
            continue
        values: dict[str, Any] = {
            k: strip_controls(v) if isinstance(v, str) else v for k, v in fields.items()
        }
        out.append(Correction(**values))
    return out


def _from_unversioned(db: TinyDB) -> None:
    """Version 0 (no schema number, as early files and hand-made ones are):
    nothing to convert but the number itself."""


MIGRATIONS = {0: _from_unversioned}


def _document(record: dict[str, Any], doc_id: int) -> Any:
    from tinydb.table import Document

    return Document(record, doc_id=doc_id)
