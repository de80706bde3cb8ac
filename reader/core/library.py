"""A library: a folder with ``articles/`` (the texts) and ``annotations/`` (the stores).
Adding articles to it is reader.core.adding's.

``articles/<id>.txt`` holds an article's normalised text, exactly: every
offset is a code point into that file. ``annotations/<id>.json`` is the
article's TinyDB store: its metadata, annotations and entity cache.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.core.adding import AddsArticles
from reader.core.converters import (
    StoreContents,
    info_from_record,
    info_to_record,
)
from reader.core.durable import remove_stray_temporaries
from reader.core.models import (
    Annotation,
    Article,
    ArticleInfo,
    Correction,
)
from reader.core.reading import ReadingPositions, ReadMarks
from reader.core.store import ArticleStore, StoreCorrupt, StoreError, StoreUnreadable
from reader.core.text import sha256, strip_controls, word_count

if TYPE_CHECKING:
    from reader.core.catalog import Catalog

LIBRARY_ENV = "READER_LIBRARY"
RULES_ID = "_rules"
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,95}$")


def resolve_library_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--library``, else ``$READER_LIBRARY``, else the current directory when it
    has ``articles/``, else the per-user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(LIBRARY_ENV):
        return Path(os.environ[LIBRARY_ENV]).expanduser()
    if (Path.cwd() / "articles").is_dir():
        return Path.cwd()
    from platformdirs import user_data_dir

    return Path(user_data_dir("reader", appauthor=False))


def is_safe_id(article_id: str) -> bool:
    return bool(_SAFE_ID.match(article_id))


@dataclass
class ArticleSnapshot:
    """One article as its files hold it now: what the library index keeps of it."""

    info: ArticleInfo  # with its note count and its annotations' tags
    text: str
    annotations: list[Annotation]  # placed on the text
    names: set[tuple[str, str]]  # (text, label) of its entities: cached, corrected
    entity_key: str  # the recogniser key they were cached under; "" when none
    corrections: int
    position: int  # a reading position an older reader saved in the store
    problems: list[str]  # what could not be read (kept with the article in the index)


@dataclass
class Library(AddsArticles):
    root: Path
    problems: list[str] = field(default_factory=list)
    _ensured: bool = field(default=False, repr=False)
    _catalog: Catalog | None = field(default=None, repr=False)
    _rules: tuple[object, list[Correction]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    @property
    def articles_dir(self) -> Path:
        return self.root / "articles"

    @property
    def annotations_dir(self) -> Path:
        return self.root / "annotations"

    def text_path(self, article_id: str) -> str:
        """Where the article's text is (a string: called for every article of a
        rebuild, where pathlib's joins cost more than the read)."""
        return os.path.join(self.root, "articles", f"{article_id}.txt")

    def store_path(self, article_id: str) -> str:
        return os.path.join(self.root, "annotations", f"{article_id}.json")

    def ensure(self) -> Library:
        """Create the folders if needed and clear temporaries of dead writers."""
        self.create()
        self.remove_stray_temporaries()
        return self

    def create(self) -> Library:
        """Create the folders if needed (and nothing that reads them: the app's
        start-up; its reconciliation clears temporaries of dead writers)."""
        for folder in (self.articles_dir, self.annotations_dir):
            if not folder.is_dir():  # (a library that cannot be written is still read)
                folder.mkdir(parents=True, exist_ok=True)
        # The stores' lock files' folder, now: made by a first read instead, it
        # would change annotations/ unbeknown to the index (see Catalog.writing).
        locks = self.annotations_dir / ".locks"
        try:
            locks.mkdir(exist_ok=True)
        except FileExistsError:
            self.problems.append(f"{locks} is not a folder: changes cannot be saved")
        except OSError as error:  # read-only: shown, and whatever is written says it failed
            self.problems.append(
                f"{self.annotations_dir} cannot be written ({error.strerror}): "
                "the library can be read, not changed"
            )
        return self

    def remove_stray_temporaries(self) -> None:
        for folder in (self.articles_dir, self.annotations_dir):
            with contextlib.suppress(OSError):
                remove_stray_temporaries(folder)

    @property
    def catalog(self) -> Catalog:
        """The library index (see reader.core.catalog)."""
        if self._catalog is None:
            from reader.core.catalog import Catalog

            self._catalog = Catalog(self)
        return self._catalog

    @contextlib.contextmanager
    def writing(self, *article_ids: str) -> Iterator[None]:
        """Around a durable write of reader's own to these articles' files (none:
        another file of the library's): then the index is brought up to date. The
        write stands whatever happens to the index: a failure there leaves it to
        reconciliation (the files' stamps are not the ones it holds)."""
        try:
            recording = self.catalog.writing(article_ids)
            recording.__enter__()
        except (OSError, sqlite3.Error):
            recording = None
        yield
        if recording is not None:
            try:
                recording.__exit__(None, None, None)
            except (OSError, sqlite3.Error) as error:
                self.problems.append(f"the library index was not updated ({error})")

    def store(self, article_id: str) -> ArticleStore:
        if not is_safe_id(article_id):
            raise KeyError(f"not an article id: {article_id!r}")
        return ArticleStore(
            self.annotations_dir,
            article_id,
            writing=self.writing,
            recover=self._recovered_record,
            problems=self.problems,
        )

    def _recovered_record(self, article_id: str) -> dict | None:
        info = self._indexed_info(article_id)
        return info_to_record(info) if info else None

    @property
    def positions(self) -> ReadingPositions:
        """Where the reader left each article (not in the stores: see reader.core.reading)."""
        return ReadingPositions(self.annotations_dir, writing=self.writing)

    @property
    def read_marks(self) -> ReadMarks:
        """The articles read (not in the stores: see reader.core.reading)."""
        return ReadMarks(self.annotations_dir, writing=self.writing)

    def set_read(self, article_ids: Iterable[str], read: bool = True) -> None:
        """Mark these articles read or unread, durably, then in the index."""
        wanted = [a for a in article_ids if is_safe_id(a)]
        if not wanted:
            return
        before, after = self.read_marks.set(wanted, read)
        if before == after:  # as they were: the index has them (or reconciles them)
            return
        try:
            self.catalog.mark_read(wanted, read, before, after)
        except (OSError, sqlite3.Error) as error:
            self.problems.append(f"the library index was not updated ({error})")

    def rule_store(self) -> ArticleStore:
        """The library-wide entity rules: a TinyDB file beside the article stores
        (``_rules.json``; article ids cannot start with an underscore). A change
        to them reaches the index through reconciliation, which finds the
        articles naming what changed."""
        return ArticleStore(self.annotations_dir, RULES_ID, writing=self._rules_writing)

    @contextlib.contextmanager
    def _rules_writing(self, _: str) -> Iterator[None]:
        with self.writing():
            yield
        try:
            self.catalog.reconcile()
        except (OSError, sqlite3.Error) as error:
            self.problems.append(f"the library index was not updated ({error})")

    def rules(self) -> list[Correction]:
        """The library-wide entity rules, read again only when their file changed."""
        try:
            stat = os.stat(self.store_path(RULES_ID))
            stamp: object = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        except OSError:
            stamp = None
        if self._rules is None or self._rules[0] != stamp:
            rules: list[Correction] = []
            if stamp is not None:
                try:
                    rules = self.rule_store().corrections()
                except StoreError as error:
                    self.problems.append(str(error))
            self._rules = (stamp, rules)
        return list(self._rules[1])

    def article_ids(self) -> list[str]:
        """Every article's id, from the folder (see :meth:`Catalog.count` and
        :meth:`Catalog.infos` for what the index knows)."""
        return sorted(self.article_ids_on_disk())

    def article_ids_on_disk(self) -> list[str]:
        try:
            names = os.listdir(self.articles_dir)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [n[:-4] for n in names if n.endswith(".txt") and is_safe_id(n[:-4])]

    def has_articles(self) -> bool:
        """Whether the library has an article (without listing its folder)."""
        try:
            with os.scandir(self.articles_dir) as entries:
                return any(e.name.endswith(".txt") and is_safe_id(e.name[:-4]) for e in entries)
        except (FileNotFoundError, NotADirectoryError):
            return False

    def has_article(self, article_id: str) -> bool:
        return is_safe_id(article_id) and (self.articles_dir / f"{article_id}.txt").is_file()

    @staticmethod
    def is_article_id(article_id: str) -> bool:
        return is_safe_id(article_id)

    def _read_text(self, article_id: str) -> tuple[str, list[str]]:
        """The text as reader shows it: without control characters or escape
        sequences (imports leave none; a text edited by hand or by another tool may
        have some), bytes that are not UTF-8 as U+FFFD."""
        try:  # not through a symbolic link: articles/x.txt -> /etc/passwd is not shown
            fd = os.open(self.text_path(article_id), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with open(fd, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise
        except OSError as error:  # a link, a folder of that name, a failing disk
            if error.errno == errno.ELOOP:
                return "", [f"{article_id}.txt is a symbolic link: not followed, shown empty"]
            return "", [f"{article_id}.txt cannot be read ({error.strerror}): shown empty"]
        try:
            return strip_controls(data.decode("utf-8")), []
        except UnicodeDecodeError as error:  # edited by hand: shown, reported, not refused
            problem = (
                f"{article_id}.txt: not valid UTF-8 at byte {error.start}; "
                "read with U+FFFD in place of the bad bytes"
            )
            return strip_controls(data.decode("utf-8", errors="replace")), [problem]

    def read_text(self, article_id: str) -> str:
        """The article's text (bytes that are not UTF-8 read as U+FFFD)."""
        return self._read_text(article_id)[0]

    def _text(self, article_id: str) -> str:
        text, problems = self._read_text(article_id)
        self.problems += problems
        return text

    def _read_store(self, article_id: str, *, fast: bool = False) -> StoreContents:
        """The article's store; ``fast``: without its lock (see ArticleStore.snapshot).
        A store set aside is said in :attr:`problems`, those of its content in the
        contents' own."""
        store = self.store(article_id)
        try:
            return store.snapshot() if fast else store.read()
        except StoreUnreadable as error:  # left as it is: what the index had
            # A problem of the article's (the index keeps it while it lasts: doctor
            # and the list say it), not an event said once.
            info = self._indexed_info(article_id)
            return StoreContents(info_to_record(info) if info else None, problems=[str(error)])
        except StoreCorrupt as error:
            self.problems.append(str(error))
            return StoreContents(self.recover_metadata(article_id))
        except StoreError as error:
            return StoreContents(None, problems=[str(error)])

    def _indexed_info(self, article_id: str) -> ArticleInfo | None:
        """The article's metadata as the library index last saw it (title, author,
        date, source, tags, note), without its notes (the index never holds them)."""
        try:
            info = self.catalog.info(article_id) if self.catalog.is_ready() else None
        except sqlite3.Error:
            info = None
        return replace(info, annotation_count=0, annotation_tags=()) if info else None

    def recover_metadata(self, article_id: str) -> dict | None:
        """After a store was set aside: the article's metadata as the library
        index last saw it, written into a new store, so the article keeps its
        title. Its annotations are in the file set aside."""
        info = self._indexed_info(article_id)
        if info is None:
            return None
        try:
            self.store(article_id).write_info(info)
        except (StoreError, OSError):
            return None
        return info_to_record(info)

    def _info(
        self, article_id: str, record: dict | None, notes: int, text: str | None
    ) -> tuple[ArticleInfo, list[str]]:
        """The article's metadata from its store record (derived from its text when
        the record is missing or malformed), and the problems met."""
        if record is None:  # no metadata (store missing or unreadable): derive it
            from reader.core.importers.plaintext import derive_title

            text = self._text(article_id) if text is None else text
            derived = ArticleInfo(
                id=article_id,
                title=derive_title(text) or article_id,
                author="",
                date="",
                source="",
                format="text",
                text_sha256=sha256(text),
                word_count=word_count(text),
                added="",
                annotation_count=notes,
            )
            return derived, []
        try:
            return replace(info_from_record(record, annotation_count=notes), id=article_id), []
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            derived, _ = self._info(article_id, None, notes, text)
            return derived, [f"{article_id}.json: article metadata is malformed ({error})"]

    def list_articles(self) -> list[ArticleInfo]:
        """Every article's metadata and note count, newest date first (from the
        index); what could not be read is added to :attr:`problems`."""
        self.catalog.ensure()
        for problem in self.catalog.problems():
            if problem not in self.problems:
                self.problems.append(problem)
        return self.catalog.infos()

    def snapshot(self, article_id: str) -> ArticleSnapshot | None:
        """The article as its files hold it now (None when its text is gone): its
        metadata, text, annotations placed on the text, and cached entities with
        the reader's corrections applied. Reads the store without its lock."""
        from reader.core.corrections import apply_corrections

        try:
            text, problems = self._read_text(article_id)
        except (FileNotFoundError, NotADirectoryError):
            return None
        contents = self._read_store(article_id, fast=True)
        info, more = self._info(article_id, contents.article, len(contents.annotations), text)
        text_hash = sha256(text)
        if info.text_sha256 != text_hash:  # the text was changed by hand
            info = replace(info, text_sha256=text_hash, word_count=word_count(text))
        annotations = self._placed(article_id, contents.annotations, text, text_hash)
        used = tuple(sorted({t for a in annotations for t in a.tags}))
        info = replace(info, annotation_tags=used)
        cached = contents.entities_sha256 == text_hash
        corrections = self.rules() + contents.corrections
        if corrections:
            entities = contents.cached_entities if cached else []
            corrected = apply_corrections(text, entities, corrections)
            names = {(e.text, e.label) for e in corrected}
        else:  # the names as cached (most articles: no Entity made)
            rows = contents.entity_rows if cached else []
            names = {(row[3], row[2]) for row in rows}
        return ArticleSnapshot(
            info=info,
            text=text,
            annotations=annotations,
            names=names,
            entity_key=contents.entities_key if cached else "",
            corrections=len(contents.corrections),
            position=contents.position,
            problems=problems + contents.problems + more,
        )

    def _placed(
        self, article_id: str, annotations: list[Annotation], text: str, text_hash: str
    ) -> list[Annotation]:
        from reader.core.anchoring import reanchor

        return [
            reanchor(
                a,
                text,
                text_hash,
                old_text=None
                if a.text_sha256 == text_hash
                else self.text_version(article_id, a.text_sha256),
            )
            for a in annotations
        ]

    def load(self, article_id: str) -> tuple[Article, list[Annotation]]:
        """An article (with its reading position) and its annotations, re-anchored
        on its current text, from one read of its store (see ArticleStore.snapshot)."""
        text = self._text(article_id)
        contents = self._read_store(article_id, fast=True)
        self.problems += contents.problems
        annotations = contents.annotations
        info, problems = self._info(article_id, contents.article, len(annotations), text)
        self.problems += problems
        text_hash = sha256(text)
        if info.text_sha256 != text_hash:
            info = replace(info, text_sha256=text_hash, word_count=word_count(text))
        placed = self._placed(article_id, annotations, text, text_hash)
        position = self.positions.get(article_id)
        if position is None:  # saved in the store by an older reader
            position = contents.position
        return Article(info, text, position if position < len(text) else 0), placed

    def versions_dir(self, article_id: str) -> Path:
        """Earlier texts of an article, one file per text hash."""
        return self.articles_dir / "versions" / article_id

    def text_version(self, article_id: str, text_sha256: str) -> str | None:
        path = self.versions_dir(article_id) / f"{text_sha256}.txt"
        try:
            return path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):  # no old text: searched without it
            return None
