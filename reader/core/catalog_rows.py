"""What the library index keeps of one article, read from its files.

:func:`article_rows` turns an article's text and store (through
:meth:`Library.snapshot`) into the values of its rows: plain tuples and
strings, so that a rebuild can read articles in worker processes
(:func:`rows_in_worker`) while the process holding the database writes them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from reader.core.converters import annotation_to_record
from reader.core.fulltext import fold, index_text
from reader.core.library import Library
from reader.core.models import Annotation, ArticleInfo, hashtags
from reader.core.query import label_mask, name_keys, tag_keys

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


@dataclass
class ArticleRows:
    """One article's rows in the index, but for what depends on the rows it had
    (its row in article_fts, its entity state)."""

    article_id: str
    values: dict[str, Any]  # the articles row, by column
    fts_key: str  # what its article_fts row is made of
    fts: tuple[str, str, str]  # title, author and text, as indexed
    notes: list[tuple[Any, ...]]  # notes rows, each with its note_fts values last
    names: list[str]  # what entity: finds its entities by (name_keys), sorted
    text_sha256: str
    events: list[str] = field(default_factory=list)  # what happened reading (a store set aside)


def stamp(text: os.stat_result, store: os.stat_result | None) -> str:
    """The size and mtime of an article's text and store: what tells a change."""
    if store is None:
        return f"{text.st_size}:{text.st_mtime_ns}:-:-"
    return f"{text.st_size}:{text.st_mtime_ns}:{store.st_size}:{store.st_mtime_ns}"


def inodes(text: int, store: int | None) -> str:
    """The inode numbers of an article's text and store: a file replaced (written
    to a new file renamed over it, as every write of reader's and most programs'
    is) has a new one, which a folder listing gives without a stat per file."""
    return f"{text}:{'-' if store is None else store}"


def digest(*parts: object) -> str:
    return hashlib.blake2b(orjson.dumps(parts), digest_size=12).hexdigest()


def article_rows(library: Library, article_id: str) -> ArticleRows | None:
    """The article's rows from its files as they are now; None when its text is gone."""
    try:
        text_stat = os.stat(library.text_path(article_id))
    except OSError:
        return None
    try:
        store_stat: os.stat_result | None = os.stat(library.store_path(article_id))
    except OSError:
        store_stat = None
    seen = stamp(text_stat, store_stat)  # before reading: a change after it is seen later
    events = len(library.problems)
    snapshot = library.snapshot(article_id)
    if snapshot is None:  # gone meanwhile
        return None
    info = snapshot.info
    names = sorted(set().union(*(name_keys(text, label) for text, label in snapshot.names)))
    values = {
        "id": article_id,
        "title": info.title,
        "author": info.author,
        "date": info.date,
        "source": info.source,
        "format": info.format,
        "text_sha256": info.text_sha256,
        "word_count": info.word_count,
        "added": info.added,
        "tags": orjson.dumps(list(info.tags)).decode(),
        "note": info.note,
        "annotation_tags": orjson.dumps(list(info.annotation_tags)).decode(),
        "annotation_count": info.annotation_count,
        "has_note": bool(info.note),
        "title_key": fold(info.title),
        "author_key": fold(info.author),
        "source_key": fold(info.source),
        "tag_keys": tag_keys((*info.tags, *info.annotation_tags)),
        "labels": label_mask({label for _, label in snapshot.names}),
        "corrections": snapshot.corrections,
        "entity_key": snapshot.entity_key,
        "names": orjson.dumps(names).decode(),
        "stamp": seen,
        "inodes": inodes(text_stat.st_ino, store_stat.st_ino if store_stat else None),
        "problems": "\n".join(snapshot.problems),
    }
    notes = [_note(info, None)] if info.tags or info.note else []
    notes += [_note(info, annotation) for annotation in snapshot.annotations]
    return ArticleRows(
        article_id=article_id,
        values=values,
        fts_key=digest(info.title, info.author, info.text_sha256),
        fts=(index_text(info.title), index_text(info.author), index_text(snapshot.text)),
        notes=notes,
        names=names,
        text_sha256=info.text_sha256,
        events=library.problems[events:],
    )


def note_line(
    article_id: str, note_id: str | None, state: str, tags: Iterable[str], quote: str, note: str
) -> str:
    """What ``reader notes`` prints for a note: id, article, state, #tags, the
    quote on one line, the note's first line. An article's own tags and note
    (no ``note_id``) say "article" for id and state, and have no quote. Kept in
    the index with the note, so that a listing is only read."""
    marked = hashtags(tags)
    first = note.splitlines()[0] if note else ""
    if note_id is None:
        return f"article\t{article_id}\tarticle\t{marked}\t\t{first}\n"
    return f"{note_id}\t{article_id}\t{state}\t{marked}\t{' '.join(quote.split())}\t{first}\n"


def _note(info: ArticleInfo, annotation: Annotation | None) -> tuple[Any, ...]:
    """A notes row (id, start, state, score, record, exact, tags, tag_keys, note,
    day, line) and its note_fts values (title, author, source, tags, quote, note)."""
    if annotation is None:  # the article's own tags and note
        tags, quote, note = info.tags, "", info.note
        own = orjson.dumps(list(info.tags)).decode()
        line = note_line(info.id, None, "article", info.tags, "", note)
        row: tuple[Any, ...] = (
            None,
            0,
            "article",
            1.0,
            b"{}",
            "",
            own,
            tag_keys(tags),
            note,
            info.date,
            line,
        )
    else:
        tags, quote, note = (*annotation.tags, *info.tags), annotation.exact, annotation.note
        row = (
            annotation.id,
            annotation.start,
            annotation.state,
            annotation.score,
            orjson.dumps(annotation_to_record(annotation)),
            quote,
            orjson.dumps(list(annotation.tags)).decode(),
            tag_keys(tags),
            note,
            annotation.created[:10] or info.date,
            note_line(info.id, annotation.id, annotation.state, annotation.tags, quote, note),
        )
    searched = (
        index_text(info.title),
        index_text(info.author),
        info.source,
        index_text(" ".join(tags)),
        index_text(quote),
        index_text(note),
    )
    return (*row, searched)


# --- reading articles in worker processes (a rebuild) ------------------------------------

_library: Library | None = None


def _start_worker(root: str) -> None:
    global _library
    _library = Library(Path(root))


def rows_in_worker(article_ids: list[str]) -> list[ArticleRows | None]:
    assert _library is not None
    return [article_rows(_library, article_id) for article_id in article_ids]


def reading_pool(library: Library, workers: int) -> ProcessPoolExecutor:
    """Processes reading this library's articles into rows (see :func:`rows_in_worker`)."""
    from reader.core.processes import process_pool

    return process_pool(workers, _start_worker, (str(library.root),))
