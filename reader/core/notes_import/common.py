"""What the W3C and the Readwise imports share: the report, the error, the
library's articles (finding the one a note belongs to, keeping what none takes),
importing each record of a file, and placing a quote on its article's text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.core.anchoring import reanchor
from reader.core.converters import record_key
from reader.core.fulltext import has_words
from reader.core.library import Library
from reader.core.models import Annotation, Article
from reader.core.query import Query, Term
from reader.core.store import ArticleStore
from reader.core.text import shorten, strip_controls

UNPLACED_ID = "_unplaced"
_ID_HASH = re.compile(r"-[0-9a-f]{8,32}(?:-\d+)?$")  # see Library.new_id
_NAMELESS = re.compile(r"(?:\d{4}-\d{2}(?:-\d{2})?-)?article")  # an id with no title words


class NotesImportError(Exception):
    """A file that is not a notes export reader can read; one line."""


@dataclass
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        order = (
            "imported",
            "updated",
            "duplicate",
            "orphan",
            "needs-review",
            "unplaced",
            "corrections",
            "rules",
            "articles",
            "malformed",
        )
        return ", ".join(f"{self.counts[k]} {k}" for k in order if self.counts[k]) or "nothing"


class Articles:
    """The library's articles, loaded once each, found by id, source or quote."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.infos = {i.id: i for i in library.list_articles()}
        self._loaded: dict[str, tuple[Article, list[Annotation]]] = {}
        self._by_source: dict[str, str] = {}
        self._by_title: dict[str, list[str]] = {}
        for info in self.infos.values():
            if info.source:
                self._by_source.setdefault(info.source, info.id)
            self._by_title.setdefault(info.title, []).append(info.id)
        # Annotations placed, by article, written in one go per article (flush).
        self.pending: dict[str, dict[str, Annotation]] = {}
        # Records no article could take: those kept already (read once, when the
        # first comes), and those to keep, written in one go (flush).
        self._unplaced_kept: set[bytes] | None = None
        self.unplaced: dict[bytes, dict[str, Any]] = {}

    def keep_unplaced(self, record: dict[str, Any]) -> bool:
        """Keep a record no article could take; False when it is kept already."""
        if self._unplaced_kept is None:
            store = ArticleStore(self.library.annotations_dir, UNPLACED_ID)
            self._unplaced_kept = {record_key(r) for r in store.unplaced()}
        key = record_key(record)
        if key in self._unplaced_kept or key in self.unplaced:
            return False
        self.unplaced[key] = record
        return True

    def save(self, article_id: str, annotation: Annotation) -> None:
        self.pending.setdefault(article_id, {})[annotation.id] = annotation

    def flush(self) -> None:
        """Write the annotations placed: one write per article."""
        for article_id, placed in self.pending.items():
            self.library.store(article_id).save_annotations(list(placed.values()))
        self.pending.clear()
        if self.unplaced:
            store = ArticleStore(self.library.annotations_dir, UNPLACED_ID)
            store.keep_unplaced_many(list(self.unplaced.values()))
            self.unplaced.clear()

    def load(self, article_id: str) -> tuple[Article, list[Annotation]]:
        if article_id not in self._loaded:
            self._loaded[article_id] = self.library.load(article_id)
        return self._loaded[article_id]

    def _may_hold(self, quote: str) -> list[str]:
        """The articles whose text may hold ``quote``: those the library index finds
        its words in, as a phrase (every article for a quote without words), so
        that a note no article takes is not looked for in every text."""
        if not has_words(quote):
            return list(self.infos)
        catalog = self.library.catalog
        found = catalog.infos(catalog.article_ids(Query(((Term("", quote),),))))
        return [info.id for info in found if info.id in self.infos]

    def find(
        self, article_id: str = "", source: str = "", title: str = "", quote: str = ""
    ) -> str | None:
        if article_id in self.infos:
            return article_id
        if source.startswith("urn:reader:article:") and source[19:] in self.infos:
            return source[19:]
        if source and source in self._by_source:
            return self._by_source[source]
        titled = self._by_title.get(title, []) if title else []
        if len(titled) == 1:
            return titled[0]
        if quote:
            having = [i for i in self._may_hold(quote) if quote in self.load(i)[0].text]
            if len(having) == 1:
                return having[0]
        # The same article with another text: an id is date-title-texthash, so the
        # same date and title (a real one: not the "article" of a title with no
        # Latin letters) and another hash.
        wanted = article_id or source.removeprefix("urn:reader:article:")
        stem = _ID_HASH.sub("", wanted)
        if stem != wanted and not _NAMELESS.fullmatch(stem):
            kin = [i for i in self.infos if _ID_HASH.sub("", i) == stem and _ID_HASH.search(i)]
            if len(kin) == 1:
                return kin[0]
        return None


# What a record of the wrong shape raises: a field missing or of another type, a
# number too big for an int (1e999, 5,000 digits), nesting deeper than Python's.
MALFORMED = (TypeError, ValueError, AttributeError, KeyError, OverflowError, RecursionError)


def import_each(
    library: Library,
    items: list[Any],
    noun: str,
    path: Path,
    import_one: Callable[[Library, Articles, Any, Report], None],
) -> Report:
    """Import each item of ``path``; one of the wrong shape is counted and said
    (its ``noun`` and number), and the rest go on. What was placed is written,
    one write per article, whatever came after."""
    report = Report()
    articles = Articles(library)
    try:
        for number, item in enumerate(items, 1):
            try:
                import_one(library, articles, item, report)
            except MALFORMED as error:
                report.counts["malformed"] += 1
                reason = strip_controls(str(error) or type(error).__name__)[:80]
                report.lines.append(
                    f"{noun} {number} of {path.name} is malformed ({reason}): skipped"
                )
    finally:
        articles.flush()
    return report


def _same_note(a: Annotation, b: Annotation) -> bool:
    """The same note: same tags and note on the same place, or, when either is not
    placed for sure (an orphan, a best guess), on the same quote, since their
    positions mean little (a CSV orphan has none)."""
    if (a.tags, a.note) != (b.tags, b.note):
        return False
    if a.state == b.state == "anchored":
        return (a.start, a.end) == (b.start, b.end)
    return a.exact == b.exact or (a.start, a.end) == (b.start, b.end)


def place(
    library: Library, articles: Articles, article_id: str, annotation: Annotation, report: Report
) -> None:
    article, existing = articles.load(article_id)
    text = article.text
    placed = reanchor(
        annotation,
        text,
        article.info.text_sha256,
        old_text=library.text_version(article_id, annotation.text_sha256),
    )
    same_id = next((a for a in existing if a.id == placed.id), None)
    same_content = next((a for a in existing if _same_note(a, placed)), None)
    if same_content is not None and (same_id is None or same_id == same_content):
        report.counts["duplicate"] += 1
        return
    if same_id is not None and same_id.modified >= placed.modified:
        report.counts["duplicate"] += 1
        report.lines.append(f"{article_id}: kept the newer version of annotation {placed.id}")
        return
    articles.save(article_id, placed)
    existing[:] = [a for a in existing if a.id != placed.id] + [placed]
    report.counts["updated" if same_id else "imported"] += 1
    if placed.state != "anchored":
        report.counts[placed.state] += 1
        report.lines.append(
            f"{article_id}: “{shorten(placed.exact, 50)}” is {placed.state} "
            "(kept; see reader doctor)"
        )


def unplaced(articles: Articles, record: dict[str, Any], report: Report, what: str) -> None:
    if not articles.keep_unplaced(record):
        report.counts["duplicate"] += 1
        return
    report.counts["unplaced"] += 1
    report.lines.append(
        f"no article in the library for “{shorten(what, 50)}”: kept in {UNPLACED_ID}.json"
    )
