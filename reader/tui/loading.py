"""An article read from its files and laid out, in a worker: ahead, while it is
highlighted in the list, or when it is opened (see reader.tui.navigation)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from reader.core.library import Library
from reader.core.models import Annotation, Article
from reader.tui.widgets.layout import Layout


def files_stamp(library: Library, article_id: str) -> tuple[object, ...]:
    """The size and mtime of the article's text and store: what says it changed."""
    stamps: list[object] = []
    for path in (library.text_path(article_id), library.store_path(article_id)):
        try:
            stat = os.stat(path)
            stamps.append((stat.st_size, stat.st_mtime_ns))
        except OSError:
            stamps.append(None)
    return tuple(stamps)


@dataclass(frozen=True)
class LoadedArticle:
    """An article as read from its files, with its text laid out."""

    article: Article
    annotations: list[Annotation]
    layout: Layout
    stamp: tuple[object, ...]  # the files' when read (see files_stamp)


def load_article(library: Library, article_id: str, width: int) -> LoadedArticle:
    """Read the article and lay it out at ``width`` (in a worker)."""
    stamp = files_stamp(library, article_id)
    article, annotations = library.load(article_id)
    return LoadedArticle(article, annotations, Layout(article.text, width), stamp)


def still_current(library: Library, loaded: LoadedArticle | None, article_id: str) -> bool:
    """Whether ``loaded`` is that article as its files are now."""
    return (
        loaded is not None
        and loaded.article.id == article_id
        and loaded.stamp == files_stamp(library, article_id)
    )
