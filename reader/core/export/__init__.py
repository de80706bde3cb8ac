"""Exporters: one module per format, all headless, shared by the CLI and the app.

:func:`gather` selects what to export with the shared query language;
:func:`export` renders it. A format gives either one stream (stdout or a
file) or a set of files (``--output DIR``), or both.
"""

from __future__ import annotations

import getpass
import importlib
from dataclasses import dataclass, field

import reader
from reader.core.entities import LanguageUnsupported
from reader.core.library import Library
from reader.core.models import Annotation, Article, Correction, Entity
from reader.core.query import annotation_matches, entities_match, parse_query


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


# name -> (module, needs entities, can stream, can write files)
FORMATS: dict[str, tuple[str, bool, bool, bool]] = {
    "md": ("markdown", False, True, True),
    "w3c": ("w3c", False, True, False),
    "csv": ("readwise", False, True, False),
    "jsonl": ("jsonl", True, True, False),
    "brat": ("brat", True, False, True),
    "html": ("html", True, True, True),
}


def default_creator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "reader user"


def generator() -> dict[str, str]:
    return {"id": "urn:reader:software", "type": "Software", "name": f"reader {reader.__version__}"}


def gather(
    library: Library, query: str = "", *, entities: bool = False, service: object = None
) -> list[ArticleExport]:
    """The articles with annotations (or an article note or tags) matching the query.

    With ``entities``, each article's corrected entities too (cached, or found
    with ``service``, an :class:`~reader.core.entities.EntityService`); an
    article in a language the recogniser does not read has none, and is exported.
    """
    wanted = parse_query(query)
    by_entity = wanted.get("entity") or wanted.get("label")
    index = library.index() if by_entity else {}
    out = []
    for article_id in library.article_ids():
        if wanted.get("article") and article_id not in wanted.get("article"):
            continue
        if by_entity and (
            article_id not in index or not entities_match(wanted, index[article_id].entities)
        ):
            continue
        article, annotations = library.load(article_id)
        chosen = [a for a in annotations if annotation_matches(wanted, article.info, a)]
        info = article.info
        whole = (
            (info.note or info.tags)
            and not (wanted.words or wanted.get("state"))
            and (not wanted.get("tag") or set(wanted.get("tag")) <= set(info.tags))
        )
        store = library.store(article_id)
        corrections = store.corrections()
        if not (chosen or whole or (corrections and not wanted)):
            continue
        item = ArticleExport(article, chosen, corrections)
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
    module_name, _, can_stream, can_files = FORMATS[fmt]
    module = importlib.import_module(f"reader.core.export.{module_name}")
    if files:
        if not can_files:
            raise ExportError(f"{fmt} is one file: give --output FILE, not a folder")
        return module.files(items, options)
    if not can_stream:
        raise ExportError(f"{fmt} makes several files per article: give --output DIR")
    if fmt == "html" and len(items) != 1:
        raise ExportError(
            "html makes one page per article: give --output DIR "
            "(or choose one article with --article ID)"
        )
    return module.stream(items, options)


def needs_entities(fmt: str) -> bool:
    return FORMATS.get(fmt, ("", False))[1]
