"""App-wide messages as small dataclasses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from reader.core.models import Annotation, ArticleInfo, Entity


@dataclass
class LibraryLoaded(Message):
    articles: list[ArticleInfo]
    problems: list[str]
    entities: dict[str, list[list[str]]]  # article id -> its entities' [name, label]


@dataclass
class EntitiesReady(Message):
    article_id: str
    entities: list[Entity]
    from_cache: bool
    seconds: float


@dataclass
class EntitiesUnavailable(Message):
    article_id: str
    reason: str


@dataclass
class ImportProgress(Message):
    done: int
    total: int
    current: str


@dataclass
class ImportFinished(Message):
    summary: str
    errors: list[str]


@dataclass
class AnnotationsChanged(Message):
    """Annotations re-read from the store after another process changed it."""

    article_id: str
    annotations: list[Annotation]
    tags: tuple[str, ...] = ()  # the whole article's, as stored now
    note: str = ""
    problems: list[str] = field(default_factory=list)  # e.g. the store was set aside


@dataclass
class WriteDone(Message):
    """A store write finished on the writer thread (``error`` empty when it worked)."""

    done: str
    error: str
    then: Callable[[], Any] | None
    problems: list[str] = field(default_factory=list)  # stores set aside on the way
