"""Frozen records of the domain: articles, entities and annotations.

Offsets are always code points (Python ``str`` indices) into an article's
normalised text, never screen rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reader.core.text import strip_controls


def clean_tags(values: Iterable[str]) -> tuple[str, ...]:
    """Tags as the reader keeps them: commas separate tags (so no tag holds one),
    runs of white space become one space, control characters and terminal escape
    sequences go, empty ones are dropped, and each tag comes once, in order, in
    the case it was first written (``leader, Leader`` is one tag, ``leader``).
    What an import brings is kept so (another tool's tags, as it wrote them)."""
    seen: dict[str, str] = {}
    for value in values:
        for tag in strip_controls(value).split(","):
            tag = " ".join(tag.split())
            if tag:
                seen.setdefault(tag.casefold(), tag)
    return tuple(seen.values())


def typed_tags(values: Iterable[str]) -> tuple[str, ...]:
    """Tags as a reader types them (the tag dialog, ``reader annotate --tag``),
    normalised as notes apps write tags: a leading ``#`` goes (``#shield`` is
    ``shield``, shown ``#shield``), and the white space inside a tag becomes one
    ``-`` (``Turkey Syria`` is ``Turkey-Syria``); then as :func:`clean_tags`."""
    return clean_tags(
        "-".join(tag.strip().lstrip("#").split())
        for value in values
        for tag in strip_controls(value).split(",")
    )


def hashtags(tags: Iterable[str]) -> str:
    """Tags as shown: ``#shield #Turkey-Syria`` (one ``#``, even on a tag stored
    with one before tags were normalised at entry)."""
    return " ".join(f"#{tag.lstrip('#')}" for tag in tags)


def citation(info: ArticleInfo) -> str:
    """The line a copied quote comes with: title, author, date and source, those
    the article has."""
    return ", ".join(part for part in (info.title, info.author, info.date, info.source) if part)


def clean_note(note: str) -> str:
    """A note with its line ends as ``\n`` (``\r\n`` and ``\r`` from a shell or a
    Windows file would otherwise reach every export), and no control character or
    terminal escape sequence (it is printed by ``reader notes``) but ``\n`` and tabs."""
    return strip_controls(note.replace("\r\n", "\n").replace("\r", "\n"))


def utc_now() -> str:
    """The current time as an ISO 8601 UTC timestamp with second precision."""
    return utc_stamp(datetime.now(UTC))


def utc_stamp(when: datetime) -> str:
    """A time as reader keeps times: ISO 8601, UTC ("Z"), to the second."""
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ArticleDraft:
    """What an importer returns: an article not yet in a library."""

    text: str
    title: str
    author: str = ""
    date: str = ""
    source: str = ""
    format: str = "text"
    tags: tuple[str, ...] = ()
    # Words the importer split because scraping had glued them: (left, right).
    mended: tuple[tuple[str, str], ...] = ()
    # The file path or fetched URL it was read from, when an importer read it
    # (None: the caller vouches for ``source``). Only a draft whose source is
    # where it was read from may update the article from that source: a feed's
    # <link> or a Markdown url: is the content's claim, not its identity.
    origin: str | None = None

    @property
    def may_update(self) -> bool:
        return bool(self.source) and self.origin in (None, self.source)


@dataclass(frozen=True)
class ArticleInfo:
    """An article's metadata as listed in the library (without its text)."""

    id: str
    title: str
    author: str
    date: str
    source: str
    format: str
    text_sha256: str
    word_count: int
    added: str
    annotation_count: int = 0
    tags: tuple[str, ...] = ()  # the reader's tags on the whole article
    note: str = ""  # the reader's note on the whole article
    annotation_tags: tuple[str, ...] = ()  # the tags used on its annotations (listing only)
    read: bool = False  # marked read (listing only: see reader.core.reading)

    @property
    def all_tags(self) -> tuple[str, ...]:
        """The article's tags, then its annotations' tags, each once (any case)."""
        seen: dict[str, str] = {}
        for tag in (*self.tags, *self.annotation_tags):
            seen.setdefault(tag.lower(), tag)
        return tuple(seen.values())


@dataclass(frozen=True)
class Article:
    info: ArticleInfo
    text: str
    position: int = 0  # the saved reading position: a text offset, never a screen row

    @property
    def id(self) -> str:
        return self.info.id


@dataclass(frozen=True)
class Entity:
    """A named-entity mention; ``label`` is spaCy's OntoNotes label."""

    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class TextQuote:
    """W3C TextQuoteSelector: the quoted text and its context."""

    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Annotation:
    """A span of an article with tags and a note (W3C-style selectors)."""

    id: str
    start: int
    end: int
    quote: TextQuote
    text_sha256: str
    tags: tuple[str, ...] = ()
    note: str = ""
    created: str = field(default_factory=utc_now)
    modified: str = field(default_factory=utc_now)
    # Computed on load by anchoring.reanchor, never stored:
    state: str = "anchored"  # "anchored" | "needs-review" | "orphan"
    score: float = 1.0  # how well the quote and its context match where it was placed

    @property
    def exact(self) -> str:
        return self.quote.exact


@dataclass(frozen=True)
class Correction:
    """The reader's correction of an entity.

    ``action`` is "remove", "label" (relabel, or mark as an entity) or "add".
    An article's correction has the span's ``start``/``end``; a library-wide
    rule has ``start == end == -1`` and applies wherever ``text`` occurs.
    """

    id: str
    action: str
    text: str
    label: str = ""
    start: int = -1
    end: int = -1
    created: str = field(default_factory=utc_now)

    @property
    def library_wide(self) -> bool:
        return self.start < 0
