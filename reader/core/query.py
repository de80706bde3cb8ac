"""The small filter language shared by the CLI and the app.

A query is words and ``field:value`` terms, all of which must match:
``erdogan tag:leader since:2020-01 state:orphan article:ID``, and for
articles ``entity:"Recep Tayyip Erdogan"`` (an entity's exact name, any case)
and ``label:PERSON`` (an OntoNotes label or a group: ``label:place``). Words match
case-insensitively anywhere in the title, author, source, tags, quote and
note (and, for articles, the names of their entities). ``"quoted phrases"`` match as a whole.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from reader.core.entities import LABEL_GROUPS, label_group
from reader.core.models import Annotation, ArticleInfo

FIELDS = {"tag", "since", "until", "state", "article", "entity", "label"}


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...] = ()
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, name: str) -> tuple[str, ...]:
        return self.terms.get(name, ())

    def __bool__(self) -> bool:
        return bool(self.words or self.terms)


def parse_query(text: str) -> Query:
    try:
        parts = shlex.split(text)
    except ValueError:  # an unbalanced quote: take the words as they are
        parts = text.split()
    words: list[str] = []
    terms: dict[str, list[str]] = {}
    for part in parts:
        name, colon, value = part.partition(":")
        if colon and name.lower() in FIELDS and value:
            terms.setdefault(name.lower(), []).append(value)
        elif part:
            words.append(part.lower())
    return Query(tuple(words), {k: tuple(v) for k, v in terms.items()})


_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
STATES = ("anchored", "needs-review", "orphan")


def query_problems(query: Query) -> list[str]:
    """What in the query cannot match anything, one line each (``since:garbage``
    would otherwise quietly match nothing)."""
    problems = [
        f"{name}:{value} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
        for name in ("since", "until")
        for value in query.get(name)
        if not _DATE.fullmatch(value)
    ]
    known = {label.lower() for labels in LABEL_GROUPS.values() for label in labels}
    problems += [
        f"label:{value} is not a label (one of {', '.join(LABEL_GROUPS)}, or PERSON, ORG, GPE…)"
        for value in query.get("label")
        if value.lower() not in known and value.lower() not in LABEL_GROUPS
    ]
    problems += [
        f"state:{value} is not a state (one of {', '.join(STATES)})"
        for value in query.get("state")
        if value not in STATES
    ]
    return problems


def _has_words(query: Query, haystack: str) -> bool:
    haystack = haystack.lower()
    return all(word in haystack for word in query.words)


def _has_tags(query: Query, tags: tuple[str, ...]) -> bool:
    """Whether every ``tag:`` term names one of ``tags`` (any case, a leading # or not)."""
    have = {t.lower() for t in tags}
    return all(tag.lower().lstrip("#") in have for tag in query.get("tag"))


def _article_and_dates(query: Query, info: ArticleInfo) -> bool:
    """Whether the article passes the ``article:``, ``since:`` and ``until:`` terms
    (by its id and its own date)."""
    if query.get("article") and info.id not in query.get("article"):
        return False
    if any(info.date < since for since in query.get("since")):
        return False
    return not any(info.date > until + "\uffff" for until in query.get("until"))


def _name_key(name: str) -> str:
    """An entity's name as ``entity:`` compares it: any case, and without the
    leading "the" spaCy often takes in ("the European Union")."""
    return re.sub(r"^the\s+", "", " ".join(name.lower().split()))


def entities_match(query: Query, entities: list[list[str]] | list[tuple[str, str]]) -> bool:
    """Whether an article's distinct (name, label) entities pass the query's
    ``entity:`` and ``label:`` terms (always, when it has none)."""
    if query.get("entity"):
        names = {_name_key(name) for name, _ in entities}
        if not all(_name_key(e) in names for e in query.get("entity")):
            return False
    if query.get("label"):
        labels = {label for _, label in entities} | {label_group(label) for _, label in entities}
        if not all(
            wanted.upper() in labels or wanted.lower() in labels for wanted in query.get("label")
        ):
            return False
    return True


def article_matches(
    query: Query, info: ArticleInfo, entities: list[list[str]] | list[tuple[str, str]] = ()
) -> bool:
    """Whether an article passes the query's article-level terms and words."""
    if not _article_and_dates(query, info):
        return False
    if not _has_tags(query, info.all_tags):
        return False
    if not entities_match(query, entities):
        return False
    haystack = " ".join(
        (info.title, info.author, info.source, info.date, *info.all_tags)
        + tuple(name for name, _ in entities)  # "erdogan" finds the articles naming him
    )
    return _has_words(query, haystack)


def article_note_matches(query: Query, info: ArticleInfo) -> bool:
    """Whether an article's own tags and note (not its annotations) pass the
    query: its words in the title, author, source, tags or note. ``state:``
    never matches: the whole article is not placed anywhere."""
    if query.get("state") or not (info.tags or info.note):
        return False
    if not _article_and_dates(query, info):
        return False
    if not _has_tags(query, info.tags):
        return False
    haystack = " ".join((info.title, info.author, info.source, *info.tags, info.note))
    return _has_words(query, haystack)


def annotation_matches(query: Query, info: ArticleInfo, annotation: Annotation) -> bool:
    """Whether an annotation (in its article) passes every term of the query."""
    if query.get("article") and info.id not in query.get("article"):
        return False
    if any((annotation.created[:10] or info.date) < s for s in query.get("since")):
        return False
    if query.get("state") and annotation.state not in query.get("state"):
        return False
    if not _has_tags(query, (*annotation.tags, *info.tags)):
        return False
    haystack = " ".join(
        (
            info.title,
            info.author,
            info.source,
            *info.tags,
            *annotation.tags,
            annotation.exact,
            annotation.note,
        )
    )
    return _has_words(query, haystack)
