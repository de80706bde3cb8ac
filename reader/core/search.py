"""Searching annotations across the library with the shared query language."""

from __future__ import annotations

from collections.abc import Iterator

from reader.core.index import IndexEntry
from reader.core.library import Library
from reader.core.models import Annotation, ArticleInfo
from reader.core.query import (
    annotation_matches,
    article_note_matches,
    entities_match,
    parse_query,
)

Entries = dict[str, IndexEntry]


def search_notes(
    library: Library, query: str, entries: Entries | None = None
) -> Iterator[tuple[ArticleInfo, Annotation]]:
    """Annotations matching ``query``, article by article, in text order.

    Articles without annotations are skipped using the index (``entries`` of
    :meth:`Library.index`, when the caller has them), so only annotated
    articles are loaded."""
    wanted = parse_query(query)
    entries = library.index() if entries is None else entries
    for article_id, entry in entries.items():
        if not entry.note_count:
            continue
        if wanted.get("article") and article_id not in wanted.get("article"):
            continue
        if not entities_match(wanted, entry.entities):
            continue
        article, annotations = library.load(article_id)
        for annotation in annotations:
            if annotation_matches(wanted, article.info, annotation):
                yield article.info, annotation


def search_article_notes(
    library: Library, query: str, entries: Entries | None = None
) -> Iterator[ArticleInfo]:
    """Articles whose own tags or note (``T``, ``N`` in the app) match ``query``."""
    wanted = parse_query(query)
    entries = library.index() if entries is None else entries
    for info in library.list_articles(entries):
        if article_note_matches(wanted, info) and entities_match(wanted, entries[info.id].entities):
            yield info
