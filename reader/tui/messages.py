"""App-wide messages as small dataclasses (without the comparison and repr
methods messages never use: each costs start-up time to make)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from reader.core.models import Annotation, Entity


@dataclass(eq=False, repr=False)
class IndexProgress(Message):
    """The library index is being built: so many articles of so many."""

    done: int
    total: int


@dataclass(eq=False, repr=False)
class LibraryOpened(Message):
    """The library index is ready to answer."""


@dataclass(eq=False, repr=False)
class Listing(Message):
    """The articles matching the filter, as row ids of the index, in order."""

    generation: int  # of the request it answers
    ids: list[int]
    total: int  # articles in the library
    fresh: bool  # their metadata may have changed since last listed
    version: int  # the index's data_version then
    pending: str  # what an entity query cannot see yet ("" if nothing)
    problems: list[str]  # what could not be read
    first_page: bool = False  # the library's first rows only, the rest to follow


@dataclass(eq=False, repr=False)
class SnippetFound(Message):
    """Where the search matched in the highlighted article: one line."""

    rowid: int
    line: str
    start: int  # the match in the line
    end: int
    matches: int  # how many in the text


@dataclass(eq=False, repr=False)
class EntitiesReady(Message):
    article_id: str
    entities: list[Entity]
    from_cache: bool
    seconds: float


@dataclass(eq=False, repr=False)
class EntitiesUnavailable(Message):
    article_id: str
    reason: str


@dataclass(eq=False, repr=False)
class ImportProgress(Message):
    done: int
    total: int
    current: str


@dataclass(eq=False, repr=False)
class ImportFinished(Message):
    summary: str
    errors: list[str]


@dataclass(eq=False, repr=False)
class AnnotationsChanged(Message):
    """Annotations re-read from the store after another process changed it."""

    article_id: str
    annotations: list[Annotation]
    tags: tuple[str, ...] = ()  # the whole article's, as stored now
    note: str = ""
    problems: list[str] = field(default_factory=list)  # e.g. the store was set aside


@dataclass(eq=False, repr=False)
class WriteDone(Message):
    """A store write finished on the writer thread (``error`` empty when it worked)."""

    done: str
    error: str
    then: Callable[[], Any] | None
    problems: list[str] = field(default_factory=list)  # stores set aside on the way
    unsaved: int = 0  # writes kept to try again (this one, if it failed), after it
    retried: bool = False  # a write that had failed, made now
    kept: bool = True  # kept to try again if it failed (see ReaderApp.write)


@dataclass(eq=False, repr=False)
class ArticleRead(Message):
    """An article asked to be opened, read in a worker (see reader.tui.navigation)."""

    opening: int  # which opening: an older one's read is not shown
    article_id: str
    offset: int | None
    search: str
    push: bool  # shown over the screen shown (else in the article screen, J and K)
    loaded: Any = None  # a reader.tui.loading.LoadedArticle, once read
    problem: str = ""  # why it could not be read
