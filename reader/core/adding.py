"""Adding articles to a library: each draft added under a new id, skipped as a
duplicate (the same text), or updating the article from the same source (the
same URL or file) with its new text, the old one kept in ``versions/``.

A mixin of :class:`~reader.core.library.Library`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.core.converters import initial_store
from reader.core.durable import atomic_write, write_durably
from reader.core.models import ArticleDraft, ArticleInfo, utc_now
from reader.core.text import sha256, slug, strip_controls, word_count

if TYPE_CHECKING:
    from reader.core.catalog import Catalog
    from reader.core.store import ArticleStore


@dataclass(frozen=True)
class AddResult:
    article_id: str
    status: str  # "added" | "updated" | "duplicate"
    title: str


class AddsArticles:
    """What a library does to add articles (a mixin of Library)."""

    _ensured: bool

    if TYPE_CHECKING:  # Library's (a stub here would replace them in the MRO)

        @property
        def articles_dir(self) -> Path: ...
        @property
        def catalog(self) -> Catalog: ...
        def store(self, article_id: str) -> ArticleStore: ...
        def create(self) -> object: ...
        def writing(self, *article_ids: str) -> AbstractContextManager[None]: ...
        def versions_dir(self, article_id: str) -> Path: ...
        def _text(self, article_id: str) -> str: ...

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

    def add(self, draft: ArticleDraft) -> AddResult:
        """Add one draft (see :meth:`add_many`)."""
        return self.add_many([draft])[0]

    def add_many(self, drafts: Iterable[ArticleDraft]) -> list[AddResult]:
        """Add drafts: each is added, skipped as a duplicate (same text), or
        updates the article from the same source (same URL or file) with its
        new text, keeping the previous text in ``versions/`` and its annotations.

        New articles are written together with one sync for the batch (see
        :func:`~reader.core.durable.write_durably`), store files before texts,
        so an article appears (its text file) only once its store holds its
        metadata, and neither is ever half-written."""
        if not self._ensured:
            # Nothing here reads a whole folder (the index's reconciliation, when
            # the folders changed, also clears temporaries of dead writers).
            self.create()
            self.catalog.ensure()
            self._ensured = True
        # This batch's own, beside the index (which holds what is written).
        by_hash: dict[str, str | None] = {}
        by_source: dict[str, str] = {}
        results: list[AddResult] = []
        stores: list[tuple[Path, bytes]] = []
        texts: list[tuple[Path, bytes]] = []
        for draft in drafts:
            # The metadata as the store will hold it (see info_to_record): the same
            # source found again, whatever control characters it came with.
            draft = replace(
                draft,
                source=strip_controls(draft.source),
                origin=None if draft.origin is None else strip_controls(draft.origin),
            )
            text_hash = sha256(draft.text)
            known = self._known(draft, text_hash, by_hash, by_source)
            if known is not None and known.status == "duplicate":
                results.append(known)
                continue
            if known is not None:  # updated: the same source with a new text
                by_hash[self._update(known.article_id, draft)] = None  # the old text: gone
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
            with self.writing(*(path.stem for path, _ in texts)):
                write_durably(stores + texts, exclusive={path for path, _ in stores})
        return results

    def preview(self, draft: ArticleDraft) -> AddResult:
        """What :meth:`add` would do with ``draft`` (added, duplicate or updated,
        and under which id), writing nothing, not even a missing library."""
        if not self.articles_dir.is_dir():
            return AddResult(self.new_id(draft), "added", draft.title)
        self.catalog.ensure()
        known = self._known(draft, sha256(draft.text), {}, {})
        return known or AddResult(self.new_id(draft), "added", draft.title)

    def _known(
        self,
        draft: ArticleDraft,
        text_hash: str,
        by_hash: dict[str, str | None],
        by_source: dict[str, str],
    ) -> AddResult | None:
        """A draft the library has (in the index, or added earlier in this batch,
        in ``by_hash`` and ``by_source``): a duplicate (the same text) or an
        update (the same source, another text); None for a new article."""
        duplicate = (
            by_hash[text_hash] if text_hash in by_hash else self._find(text_sha256=text_hash)
        )
        if duplicate:
            return AddResult(duplicate, "duplicate", draft.title)
        previous = None
        if draft.may_update:  # read from that file or URL, not claiming to be from it
            previous = by_source.get(draft.source) or self._find(source=draft.source)
        if previous and (self.articles_dir / f"{previous}.txt").exists():
            return AddResult(previous, "updated", draft.title)
        return None

    def _find(self, *, text_sha256: str = "", source: str = "") -> str | None:
        if not self.catalog.is_ready():
            return None
        return self.catalog.find(text_sha256=text_sha256, source=source)

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
        record = self.store(article_id).read().article or {}
        tags = tuple(dict.fromkeys((*record.get("tags", ()), *draft.tags)))
        info = self._new_info(article_id, draft, tags, record.get("added") or utc_now())
        with self.writing(article_id):
            if not version.exists():
                version.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(version, old_text.encode("utf-8"))
            self.store(article_id).write_info(replace(info, note=record.get("note", "")))
            atomic_write(self.articles_dir / f"{article_id}.txt", draft.text.encode("utf-8"))
        return old_hash
