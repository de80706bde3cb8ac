"""Searching the library with the shared query language, through its index
(see :mod:`reader.core.catalog` and :mod:`reader.core.query`)."""

from __future__ import annotations

from collections.abc import Iterator

from reader.core.catalog import Catalog
from reader.core.catalog_build import Progress
from reader.core.library import Library
from reader.core.models import Annotation, ArticleInfo
from reader.core.query import Query, parse_query, uses_entities


def ready_catalog(library: Library, progress: Progress | None = None) -> Catalog:
    """The library's index, built or brought up to date first when needed."""
    library.catalog.ensure(progress)
    return library.catalog


def _query(query: str | Query) -> Query:
    return parse_query(query) if isinstance(query, str) else query


def search_notes(
    library: Library, query: str | Query = ""
) -> Iterator[tuple[ArticleInfo, Annotation | None]]:
    """Annotations matching ``query`` (an article's own tags and note as None,
    first), article by article, newest first, in text order."""
    yield from ready_catalog(library).notes(_query(query))


def entities_pending(library: Library, query: str | Query) -> str:
    """For a query by entity (``entity:``, ``label:``): how many articles it cannot
    see yet, one line, or "" when it sees them all."""
    if not uses_entities(_query(query)):
        return ""
    missing = library.catalog.count_pending_entities()
    if not missing:
        return ""
    return f"entities not yet found for {missing} article{'' if missing == 1 else 's'}"
