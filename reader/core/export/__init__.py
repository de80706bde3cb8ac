"""Exporters: one module per format, all headless, shared by the CLI and the app.

:data:`FORMATS` lists them (the command's ``--format`` choices and the app's
export dialog are read from it); :func:`gather` selects what to export with
the shared query language; :func:`export` renders it. A format gives either
one stream (stdout or a file) or a set of files (``--output DIR``), or both.

Importing this package is cheap (the command line reads FORMATS as it starts):
what gathering needs is imported when it gathers.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import reader

if TYPE_CHECKING:
    from reader.core.library import Library
    from reader.core.models import Annotation, Article, Correction, Entity


class ExportError(Exception):
    """An export that cannot be made as asked; ``str(error)`` is one line."""


@dataclass
class ArticleExport:
    article: Article
    annotations: list[Annotation]
    corrections: list[Correction] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)  # corrected, if the format needs them


@dataclass(frozen=True)
class Options:
    creator: str = ""  # who made the annotations (W3C ``creator``)
    csv_layout: str = "readwise"  # or "readwise-export"
    rules: tuple[Correction, ...] = ()  # the library-wide entity rules


@dataclass(frozen=True)
class ExportFormat:
    name: str  # --format NAME
    description: str  # what the app's export dialog lists
    suffix: str  # of its one file (stdout, --output FILE); "" when it makes no one file
    module: str  # reader.core.export.<module>
    folder: bool = False  # makes a folder of files, one or more per article (--output DIR/)
    entities: bool = False  # needs the articles' entities


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "md", "Markdown (Obsidian): one file per article", ".md", "markdown", folder=True
        ),
        ExportFormat(
            "w3c",
            "W3C Web Annotation JSON-LD: everything, to move notes between libraries",
            ".jsonld",
            "w3c",
        ),
        ExportFormat("csv", "Readwise CSV import", ".csv", "readwise"),
        ExportFormat("jsonl", "spaCy / Prodigy JSONL", ".jsonl", "jsonl", entities=True),
        ExportFormat(
            "brat",
            "brat standoff: .txt and .ann per article",
            "",  # no one file: a folder always
            "brat",
            folder=True,
            entities=True,
        ),
        ExportFormat(
            "html",
            "HTML: one self-contained annotated page per article",
            ".html",  # one file only when there is one article (see export())
            "html",
            folder=True,
            entities=True,
        ),
    )
}


def default_creator() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "reader user"


def generator() -> dict[str, str]:
    return {"id": "urn:reader:software", "type": "Software", "name": f"reader {reader.__version__}"}


def gather(
    library: Library,
    query: str = "",
    *,
    listed: bool = False,
    entities: bool = False,
    service: object = None,
) -> list[ArticleExport]:
    """The articles with annotations (or an article note or tags) matching the
    query, found in the library index; articles with entity corrections too when
    there is no query. ``listed``: every note of the articles the query lists
    (as the library's list and ``reader list`` do: its words are searched in
    the articles' text), not only the notes it matches.

    With ``entities``, each article's corrected entities too (cached, or found
    with ``service``, an :class:`~reader.core.entities.EntityService`); an
    article in a language the recogniser does not read has none, and is exported.
    """
    from reader.core.language import LanguageUnsupported
    from reader.core.query import parse_query
    from reader.core.search import ready_catalog

    wanted = parse_query(query)
    catalog = ready_catalog(library)
    # article id -> ids of its annotations matching (None: every one of them)
    chosen: dict[str, set[str] | None] = {}
    whole: set[str] = set()  # articles whose own tags or note match
    if listed and wanted:
        rowids = catalog.article_ids(wanted)
        for info in catalog.rows(rowids).values():
            if info.annotation_count or info.note or info.tags:
                chosen[info.id] = None
                whole.add(info.id)
    else:
        for info, annotation in catalog.notes(wanted):
            if annotation is None:
                whole.add(info.id)
            ids = chosen.setdefault(info.id, set())
            if annotation is not None and ids is not None:
                ids.add(annotation.id)
    if not wanted:
        chosen.update((i, set()) for i in catalog.corrected() if i not in chosen)
    out = []
    for article_id in sorted(chosen):
        if not library.has_article(article_id):
            continue
        article, annotations = library.load(article_id)
        matching = chosen[article_id]
        picked = [a for a in annotations if matching is None or a.id in matching]
        store = library.store(article_id)
        corrections = store.corrections()
        if not (picked or article_id in whole or (corrections and not wanted)):
            continue
        item = ArticleExport(article, picked, corrections)
        if entities and service is not None:
            try:
                item.entities, _ = service.entities_for(article, store)  # type: ignore[attr-defined]
            except LanguageUnsupported:  # no English guesses on a French article: none
                item.entities = []
        out.append(item)
    return out


def export(
    fmt: str, items: list[ArticleExport], options: Options, *, files: bool
) -> str | dict[str, str]:
    """The export as one stream (``files`` False) or as file name -> content."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    what = FORMATS[fmt]
    module = importlib.import_module(f"reader.core.export.{what.module}")
    if files:
        if not what.folder:
            raise ExportError(f"{fmt} is one file: give --output FILE, not a folder")
        return module.files(items, options)
    if not what.suffix:
        raise ExportError(f"{fmt} makes several files per article: give --output DIR")
    if fmt == "html" and len(items) != 1:
        raise ExportError(
            "html makes one page per article: give --output DIR "
            "(or choose one article with --article ID)"
        )
    return module.stream(items, options)


def needs_entities(fmt: str) -> bool:
    return fmt in FORMATS and FORMATS[fmt].entities
