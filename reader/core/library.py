"""A library: a folder with ``articles/`` (the texts) and ``annotations/`` (the stores).

``articles/<id>.txt`` holds an article's normalised text, exactly: every
offset is a code point into that file. ``annotations/<id>.json`` is the
article's TinyDB store: its metadata, annotations and entity cache.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from reader.core.anchoring import reanchor
from reader.core.index import IndexEntry, LibraryIndex
from reader.core.models import (
    Annotation,
    Article,
    ArticleDraft,
    ArticleInfo,
    Correction,
    utc_now,
)
from reader.core.store import (
    ArticleStore,
    ReadingPositions,
    StoreContents,
    StoreCorrupt,
    StoreError,
    atomic_write,
    info_from_record,
    info_to_record,
    initial_store,
    remove_stray_temporaries,
    write_durably,
)
from reader.core.text import sha256, slug, word_count

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


@dataclass(frozen=True)
class AddResult:
    article_id: str
    status: str  # "added" | "updated" | "duplicate"
    title: str


@dataclass
class Library:
    root: Path
    problems: list[str] = field(default_factory=list)
    _by_hash: dict[str, str] | None = field(default=None, repr=False)
    _by_source: dict[str, str] | None = field(default=None, repr=False)
    _ensured: bool = field(default=False, repr=False)
    _index: LibraryIndex | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    @property
    def articles_dir(self) -> Path:
        return self.root / "articles"

    @property
    def annotations_dir(self) -> Path:
        return self.root / "annotations"

    def ensure(self) -> Library:
        """Create the folders if needed and clear temporaries of dead writers."""
        self.articles_dir.mkdir(parents=True, exist_ok=True)
        self.annotations_dir.mkdir(parents=True, exist_ok=True)
        remove_stray_temporaries(self.articles_dir)
        remove_stray_temporaries(self.annotations_dir)
        return self

    def store(self, article_id: str) -> ArticleStore:
        if not is_safe_id(article_id):
            raise KeyError(f"not an article id: {article_id!r}")
        return ArticleStore(self.annotations_dir, article_id)

    @property
    def positions(self) -> ReadingPositions:
        """Where the reader left each article (not in the stores: see ReadingPositions)."""
        return ReadingPositions(self.annotations_dir)

    def rule_store(self) -> ArticleStore:
        """The library-wide entity rules: a TinyDB file beside the article stores
        (``_rules.json``; article ids cannot start with an underscore)."""
        return ArticleStore(self.annotations_dir, RULES_ID)

    def article_ids(self) -> list[str]:
        if not self.articles_dir.is_dir():
            return []
        return sorted(p.stem for p in self.articles_dir.glob("*.txt") if is_safe_id(p.stem))

    def _text(self, article_id: str) -> str:
        data = (self.articles_dir / f"{article_id}.txt").read_bytes()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:  # edited by hand: shown, reported, not refused
            self.problems.append(
                f"{article_id}.txt: not valid UTF-8 at byte {error.start}; "
                "read with U+FFFD in place of the bad bytes"
            )
            return data.decode("utf-8", errors="replace")

    def _read_store(self, article_id: str) -> StoreContents:
        try:
            contents = self.store(article_id).read()
        except StoreCorrupt as error:
            self.problems.append(str(error))
            return StoreContents(self.recover_metadata(article_id))
        except StoreError as error:
            self.problems.append(str(error))
            return StoreContents(None)
        self.problems += contents.problems
        return contents

    def recover_metadata(self, article_id: str) -> dict | None:
        """After a store was set aside: the article's metadata as the library
        index last saw it (title, author, date, source, tags, note), written into
        a new store, so the article keeps its title. Its annotations are in the
        file set aside; the index never held them."""
        entry = LibraryIndex(self.articles_dir, self.annotations_dir).saved().get(article_id)
        if entry is None:
            return None
        try:
            info = info_from_record(entry.info)
            self.store(article_id).write_info(info)
        except (KeyError, TypeError, ValueError, StoreError, OSError):
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
                note_count=notes,
            )
            return derived, []
        try:
            return replace(info_from_record(record, note_count=notes), id=article_id), []
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            derived, _ = self._info(article_id, None, notes, text)
            return derived, [f"{article_id}.json: article metadata is malformed ({error})"]

    def _index_entry(self, article_id: str, rules: list[Correction]) -> IndexEntry:
        """Read one article's store into an index entry (problems kept in it).
        Its entities are the cached ones with the reader's corrections applied."""
        from reader.core.entities import apply_corrections

        try:
            contents = self.store(article_id).read()
        except StoreCorrupt as error:
            contents = StoreContents(self.recover_metadata(article_id), problems=[str(error)])
        except StoreError as error:
            contents = StoreContents(None, problems=[str(error)])
        entities = []
        if contents.cached_entities:
            entities = apply_corrections(
                self._text(article_id), contents.cached_entities, rules + contents.corrections
            )
        info, problems = self._info(article_id, contents.article, len(contents.annotations), None)
        tags = sorted({t for a in contents.annotations for t in a.tags})
        return IndexEntry(
            stamp=[],
            info=info_to_record(info),
            note_count=info.note_count,
            tags=tags,
            entities=sorted({(e.text, e.label) for e in entities}),
            problems=contents.problems + problems,
        )

    def index(self) -> dict[str, IndexEntry]:
        """The library index, brought up to date (see reader.core.index)."""
        if self._index is None:
            self._index = LibraryIndex(self.articles_dir, self.annotations_dir)
        rule_store = self.rule_store()
        try:
            rules = rule_store.corrections() if rule_store.path.exists() else []
            stat = rule_store.path.stat() if rules else None
        except (StoreError, OSError) as error:
            self.problems.append(str(error))
            rules, stat = [], None
        # Rules change every article's entities: their file's stamp is part of each entry's.
        rules_stamp = [stat.st_size, stat.st_mtime_ns] if stat else []
        entries = self._index.refresh(
            self.article_ids(),
            lambda article_id: self._index_entry(article_id, rules),
            rules_stamp,
        )
        for problem in (p for e in entries.values() for p in e.problems):
            if problem not in self.problems:
                self.problems.append(problem)
        return entries

    def list_articles(self, entries: dict[str, IndexEntry] | None = None) -> list[ArticleInfo]:
        """Every article's metadata and note count, newest date first (from
        ``entries`` of :meth:`index` when the caller has them already)."""
        entries = self.index() if entries is None else entries
        infos = [
            info_from_record(entry.info, entry.note_count, tuple(entry.tags))
            for entry in entries.values()
        ]
        return sorted(infos, key=lambda i: (i.date, i.title), reverse=True)

    def load(self, article_id: str) -> tuple[Article, list[Annotation]]:
        """An article (with its reading position) and its annotations, re-anchored
        on its current text, from one read of its store."""
        text = self._text(article_id)
        contents = self._read_store(article_id)
        annotations = contents.annotations
        info, problems = self._info(article_id, contents.article, len(annotations), text)
        self.problems += problems
        text_hash = sha256(text)
        if info.text_sha256 != text_hash:
            info = replace(info, text_sha256=text_hash, word_count=word_count(text))
        placed = [
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
        position = self.positions.get(article_id)
        if position is None:  # saved in the store by an older reader
            position = contents.position
        return Article(info, text, position if position < len(text) else 0), placed

    def _lookup(self) -> tuple[dict[str, str], dict[str, str]]:
        """(text hash -> id, source -> id), built once and kept up to date by add()."""
        if self._by_hash is None or self._by_source is None:
            infos = self.list_articles()
            self._by_hash = {i.text_sha256: i.id for i in infos}
            self._by_source = {i.source: i.id for i in infos if i.source}
        return self._by_hash, self._by_source

    def new_id(self, draft: ArticleDraft, taken: set[str] | frozenset[str] = frozenset()) -> str:
        """A new id from the date, title and text hash, unused by any article or store."""
        prefix = f"{draft.date}-" if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", draft.date) else ""
        base = f"{prefix}{slug(draft.title, 48)}"
        digest = sha256(draft.text)
        candidates = itertools.chain(
            (f"{base}-{digest[:n]}" for n in (8, 16, 24, 32)),
            (f"{base}-{digest[:8]}-{n}" for n in itertools.count(2)),
        )
        # At most 11 + 48 + 33 characters: within is_safe_id's 96.
        return next(
            c
            for c in candidates
            if c not in taken
            and not (self.articles_dir / f"{c}.txt").exists()
            and not self.store(c).path.exists()
        )

    def versions_dir(self, article_id: str) -> Path:
        """Earlier texts of an article, one file per text hash."""
        return self.articles_dir / "versions" / article_id

    def text_version(self, article_id: str, text_sha256: str) -> str | None:
        path = self.versions_dir(article_id) / f"{text_sha256}.txt"
        try:
            return path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):  # no old text: searched without it
            return None

    def add(self, draft: ArticleDraft) -> AddResult:
        """Add one draft (see :meth:`add_many`)."""
        return self.add_many([draft])[0]

    def add_many(self, drafts: Iterable[ArticleDraft]) -> list[AddResult]:
        """Add drafts: each is added, skipped as a duplicate (same text), or
        updates the article from the same source (same URL or file) with its
        new text, keeping the previous text in ``versions/`` and its annotations.

        New articles are written together with one sync for the batch (see
        :func:`~reader.core.store.write_durably`), store files before texts,
        so an article appears (its text file) only once its store holds its
        metadata, and neither is ever half-written."""
        if not self._ensured:
            self.ensure()
            self._ensured = True
        by_hash, by_source = self._lookup()
        results: list[AddResult] = []
        stores: list[tuple[Path, bytes]] = []
        texts: list[tuple[Path, bytes]] = []
        for draft in drafts:
            text_hash = sha256(draft.text)
            known = self._known(draft, text_hash, by_hash, by_source)
            if known is not None and known.status == "duplicate":
                results.append(known)
                continue
            if known is not None:  # updated: the same source with a new text
                by_hash.pop(self._update(known.article_id, draft), None)
                results.append(known)
                article_id = known.article_id
            else:
                taken = {path.stem for path, _ in texts}
                article_id = self.new_id(draft, taken)
                info = self._new_info(article_id, draft, draft.tags, utc_now())
                stores.append((self.store(article_id).path, initial_store(info)))
                texts.append((self.articles_dir / f"{article_id}.txt", draft.text.encode()))
                results.append(AddResult(article_id, "added", draft.title))
            by_hash[text_hash] = article_id
            if draft.source:
                by_source[draft.source] = article_id
        if stores:
            write_durably(stores + texts, exclusive={path for path, _ in stores})
        return results

    def preview(self, draft: ArticleDraft) -> AddResult:
        """What :meth:`add` would do with ``draft`` (added, duplicate or updated,
        and under which id), writing nothing, not even a missing library."""
        if not self.articles_dir.is_dir():
            return AddResult(self.new_id(draft), "added", draft.title)
        known = self._known(draft, sha256(draft.text), *self._lookup())
        return known or AddResult(self.new_id(draft), "added", draft.title)

    def _known(
        self,
        draft: ArticleDraft,
        text_hash: str,
        by_hash: dict[str, str],
        by_source: dict[str, str],
    ) -> AddResult | None:
        """A draft the library has: a duplicate (the same text) or an update (the
        same source, another text); None for a new article."""
        if text_hash in by_hash:
            return AddResult(by_hash[text_hash], "duplicate", draft.title)
        previous = by_source.get(draft.source) if draft.source else None
        if previous and (self.articles_dir / f"{previous}.txt").exists():
            return AddResult(previous, "updated", draft.title)
        return None

    def _new_info(
        self, article_id: str, draft: ArticleDraft, tags: tuple[str, ...], added: str
    ) -> ArticleInfo:
        return ArticleInfo(
            id=article_id,
            title=draft.title,
            author=draft.author,
            date=draft.date,
            source=draft.source,
            format=draft.format,
            text_sha256=sha256(draft.text),
            word_count=word_count(draft.text),
            added=added,
            tags=tags,
        )

    def _update(self, article_id: str, draft: ArticleDraft) -> str:
        """Give an article a new text, keeping the old one; returns the old hash."""
        old_text = self._text(article_id)
        old_hash = sha256(old_text)
        version = self.versions_dir(article_id) / f"{old_hash}.txt"
        if not version.exists():
            version.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(version, old_text.encode("utf-8"))
        record = self.store(article_id).read().article or {}
        tags = tuple(dict.fromkeys((*record.get("tags", ()), *draft.tags)))
        info = self._new_info(article_id, draft, tags, record.get("added") or utc_now())
        self.store(article_id).write_info(replace(info, note=record.get("note", "")))
        atomic_write(self.articles_dir / f"{article_id}.txt", draft.text.encode("utf-8"))
        return old_hash
