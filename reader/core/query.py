"""The small filter language shared by the CLI and the app, and its SQL.

A query is terms, all of which must hold; ``OR`` between two terms makes one
of them enough, and ``-`` before a term excludes what it matches::

    erdogan "m4 highway" hezb* -turkey syria OR lebanon tag:leader
    entity:"Recep Tayyip Erdogan" label:place since:2020-01 until:2020-03
    source:reuters author:smith has:note has:tag is:unread state:orphan article:ID

Words and ``"phrases"`` match the full text of articles (and their title and
author, and the quotes, tags and notes of their annotations), folding case
and diacritics (``erdogan`` finds Erdoğan); ``word*`` matches a prefix.
Chinese, Japanese and Korean words are found inside runs of text without
spaces (see :mod:`reader.core.fulltext`). ``entity:`` matches an entity's
name in any case (without a leading "the"), or one word of a name of
several (``entity:merkel`` finds "Angela Merkel"), ``label:`` an OntoNotes label or
a group (``label:place``), ``source:`` and ``author:`` a part of those,
``is:read`` and ``is:unread`` the articles marked read or not.

Searching notes (``reader notes``, the Notes screen, exports), the words match
an annotation's quote, tags and note and its article's title, author, source
and tags; ``state:`` an annotation's state; ``since:``/``until:`` the day it
was made.

This module parses queries and turns them into SQL conditions over the
library index's tables (:mod:`reader.core.catalog`): ``a`` is an article row,
``n`` a note row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from reader.core.fulltext import fold, has_words, phrase
from reader.core.labels import LABEL_GROUPS
from reader.core.labels import LABELS as ONTONOTES
from reader.core.text import strip_controls

FIELDS = {
    "tag",
    "since",
    "until",
    "state",
    "article",
    "entity",
    "label",
    "source",
    "author",
    "has",
    "is",
}
STATES = ("anchored", "needs-review", "orphan")
HAS = {"note": "note", "notes": "note", "tag": "tag", "tags": "tag"}
IS = ("read", "unread")
TYPING_PREFIX = 4  # while typing, the last word matches as a prefix from this length
TAG_SEPARATOR = "\x1f"  # around each folded tag in an index row's tag_keys


@dataclass(frozen=True)
class Term:
    field: str  # "" for words and phrases
    value: str
    negated: bool = False
    prefix: bool = False  # word*


@dataclass(frozen=True)
class Query:
    """Clauses that must all hold; a clause holds when any of its terms does."""

    clauses: tuple[tuple[Term, ...], ...] = ()

    def terms(self) -> Iterator[Term]:
        for clause in self.clauses:
            yield from clause

    def get(self, name: str) -> tuple[str, ...]:
        """The values of the ``name:`` terms (not excluded ones)."""
        return tuple(t.value for t in self.terms() if t.field == name and not t.negated)

    @property
    def words(self) -> tuple[str, ...]:
        """The words and phrases searched for (not excluded ones)."""
        return self.get("")

    def __bool__(self) -> bool:
        return bool(self.clauses)


_TOKEN = re.compile(
    r"""(?P<neg>-)?
        (?:(?P<field>[A-Za-z]+):(?=\S))?
        (?:"(?P<quoted>[^"]*)(?P<closed>")?|(?P<bare>\S+))""",
    re.VERBOSE,
)


def parse_query(text: str, *, typing: bool = False) -> Query:
    """The query in ``text``. With ``typing`` (the app's filter, searched at each
    key), the last word, unless followed by a space, matches as a prefix.
    Control characters, escape sequences and lone surrogates (an argument that
    is not UTF-8) go first: the library's text has none, and SQLite takes no
    surrogate."""
    text = strip_controls(text)
    clauses: list[list[Term]] = []
    joining = False  # an OR was just read
    tokens = list(_TOKEN.finditer(text))
    for number, match in enumerate(tokens):
        neg, field, bare = match["neg"], (match["field"] or "").lower(), match["bare"]
        quoted = match["quoted"]
        if bare == "OR" and not neg and not field:
            joining = bool(clauses)
            continue
        if field and field not in FIELDS:  # "http://…", "10:30": words
            field, bare = "", match.group()[len(neg or "") :]
            quoted = None
        value = quoted if quoted is not None else bare
        prefix = False
        if not field and quoted is None:
            stripped = value.rstrip("*")
            prefix = stripped != value
            value = stripped
            last = number == len(tokens) - 1 and match.end() == len(text)
            if typing and last and not prefix:
                prefix = len(value) >= TYPING_PREFIX
        if not value or (not field and not has_words(value)):
            continue
        term = Term(field, value, bool(neg), prefix)
        if joining:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        joining = False
    return Query(tuple(tuple(clause) for clause in clauses))


_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")


_KNOWN_LABELS = {label.lower() for label in ONTONOTES}


def term_problem(term: Term) -> str:
    """Why the term cannot match anything ("" when it can): such a term matches
    nothing (``since:garbage`` is no date, nor after any date)."""
    field, value = term.field, term.value
    if field in ("since", "until") and not _DATE.fullmatch(value):
        return f"{field}:{value} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    if field == "label" and value.lower() not in _KNOWN_LABELS | set(LABEL_GROUPS):
        groups = ", ".join(LABEL_GROUPS)
        return f"label:{value} is not a label (one of {groups}, or PERSON, ORG, GPE…)"
    if field == "state" and value not in STATES:
        return f"state:{value} is not a state (one of {', '.join(STATES)})"
    if field == "has" and value.lower() not in HAS:
        return f"has:{value} is not something to have (has:note or has:tag)"
    if field == "is" and value.lower() not in IS:
        return f"is:{value} is not a reading state (is:read or is:unread)"
    return ""


def query_problems(query: Query) -> list[str]:
    """What in the query cannot match anything, one line each (``since:garbage``
    would otherwise quietly match nothing)."""
    return [problem for term in query.terms() if (problem := term_problem(term))]


@lru_cache(maxsize=65536)  # names recur from article to article
def name_key(name: str) -> str:
    """An entity's name as ``entity:`` compares it: any case, no diacritics, and
    without the leading "the" spaCy often takes in ("the European Union")."""
    key = " ".join(fold(name).split())
    return key[4:] if key.startswith("the ") else key


# Labels whose names are proper names, found by each of their words too; and
# the words of names no one looks a name up by.
NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)
_NOT_NAME_WORDS = frozenset(
    {"of", "the", "and", "for", "in", "on", "at", "to", "a", "an", "&", "de", "du", "des",
     "la", "le", "el", "al", "von", "van", "der", "den", "da", "di", "bin", "ibn", "st", "mr"}
)  # fmt: skip
_NAME_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def name_keys(name: str, label: str) -> set[str]:
    """What ``entity:`` finds an entity by: its name (``name_key``) and, for a
    proper name of several words, each word of it ("merkel" for "Angela
    Merkel", "assad" for "Bashar al-Assad"), except particles and one-letter
    words."""
    key = name_key(name)
    if not key:
        return set()
    keys = {key}
    if label in NAME_LABELS and (" " in key or "-" in key):
        keys.update(
            word for word in _NAME_WORD.findall(key)
            if len(word) > 1 and word not in _NOT_NAME_WORDS and not word.isdigit()
        )  # fmt: skip
    return keys


def tag_key(tag: str) -> str:
    """A tag as ``tag:`` compares it: any case, no diacritics, a leading # or not."""
    return fold(tag.strip().lstrip("#"))


def tag_keys(tags: list[str] | tuple[str, ...]) -> str:
    """The tags of an index row, folded, each between separators (found with instr)."""
    keys = dict.fromkeys(tag_key(t) for t in tags if tag_key(t))
    return "".join(f"{TAG_SEPARATOR}{key}{TAG_SEPARATOR}" for key in keys)


# A bit per OntoNotes label (reader.core.labels) in an index row's ``labels``,
# in that order; any other label (a reader's own) shares the last bit.
LABELS = tuple(ONTONOTES)
_OTHER_LABEL = 1 << len(LABELS)


def label_mask(labels: list[str] | tuple[str, ...] | set[str]) -> int:
    mask = 0
    for label in labels:
        mask |= 1 << LABELS.index(label) if label in LABELS else _OTHER_LABEL
    return mask


def _wanted_labels(value: str) -> int:
    group = LABEL_GROUPS.get(value.lower())
    if group is not None:
        mask = label_mask(group)
        return mask | _OTHER_LABEL if value.lower() == "other" else mask
    return label_mask([value.upper()])


# --- SQL ------------------------------------------------------------------------------

Sql = tuple[str, list]

# An article's text, title and author (article_fts), or its notes (note_fts).
# The articles whose text, title or author has the words, and those with a note
# that has them (its quote, tags or note). article_fts holds rows of no article
# too (see reader.core.catalog): these are only ever compared with article rows.
TEXT_MATCHES = "SELECT rowid FROM article_fts WHERE article_fts MATCH ?"
NOTE_MATCHES = (
    "SELECT article FROM notes WHERE rowid IN (SELECT rowid FROM note_fts WHERE note_fts MATCH ?)"
)
_ARTICLE_TEXT = f"(a.rowid IN ({TEXT_MATCHES}) OR a.rowid IN ({NOTE_MATCHES}))"


def _article_term(term: Term) -> Sql:
    """A term's condition on an article row ``a``."""
    field, value = term.field, term.value
    if term_problem(term):
        return "0", []
    if field == "":
        expression = phrase(value, term.prefix)
        return _ARTICLE_TEXT, [expression, expression]
    if field == "tag":
        return "instr(a.tag_keys, ?) > 0", [f"{TAG_SEPARATOR}{tag_key(value)}{TAG_SEPARATOR}"]
    if field == "since":
        return "a.date >= ?", [value]
    if field == "until":
        return "a.date <= ?", [value + "\uffff"]
    if field == "article":
        return "a.id = ?", [value]
    if field == "entity":
        return (
            "a.rowid IN (SELECT m.article FROM mentions m WHERE m.name = ?)",
            [name_key(value)],
        )
    if field == "label":
        return "(a.labels & ?) != 0", [_wanted_labels(value)]
    if field in ("source", "author"):
        return f"instr(a.{field}_key, ?) > 0", [fold(value)]
    if field == "has":
        if HAS.get(value.lower()) == "note":
            return "(a.annotation_count > 0 OR a.has_note)", []
        return "a.tag_keys != ''", []
    if field == "is":
        read = "a.id IN (SELECT id FROM reads)"
        return (read, []) if value.lower() == "read" else (f"NOT ({read})", [])
    if field == "state":  # the articles with an annotation in that state
        return "a.rowid IN (SELECT n2.article FROM notes n2 WHERE n2.state = ?)", [value]
    raise ValueError(f"unknown field {field}")


def _note_term(term: Term) -> Sql:
    """A term's condition on a note row ``n`` (of the article ``a``)."""
    field, value = term.field, term.value
    if term_problem(term):
        return "0", []
    if field == "":
        return (
            "n.rowid IN (SELECT rowid FROM note_fts WHERE note_fts MATCH ?)",
            [phrase(value, term.prefix)],
        )
    if field == "tag":
        return "instr(n.tag_keys, ?) > 0", [f"{TAG_SEPARATOR}{tag_key(value)}{TAG_SEPARATOR}"]
    if field == "since":
        return "n.day >= ?", [value]
    if field == "until":
        return "n.day <= ?", [value + "\uffff"]
    if field == "state":
        return "n.state = ?", [value]
    if field == "has":
        if HAS.get(value.lower()) == "note":
            return "n.note != ''", []
        return "n.tag_keys != ''", []
    return _article_term(term)


def _where(query: Query, condition: Callable[[Term], Sql]) -> Sql:
    parts: list[str] = []
    params: list = []
    for clause in query.clauses:
        alternatives = []
        for term in clause:
            sql, values = condition(term)
            alternatives.append(f"NOT ({sql})" if term.negated else sql)
            params += values
        parts.append(
            alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"
        )
    return (" AND ".join(parts) or "1"), params


def article_where(query: Query) -> Sql:
    """The SQL condition (and its parameters) an article row ``a`` must meet."""
    return _where(query, _article_term)


def term_selects(term: Term) -> list[Sql]:
    """SELECTs of the row ids of the articles a term matches (excluded or not),
    whose union is what it matches: the terms of a query one by one, for a
    caller combining them (an FTS5 lookup alone is quicker than inside a scan)."""
    if term.field == "":
        expression = phrase(term.value, term.prefix)
        return [(TEXT_MATCHES, [expression]), (NOTE_MATCHES, [expression])]
    if term.field == "entity" and not term_problem(term):  # the mentions alone: a third the time
        return [("SELECT article FROM mentions WHERE name = ?", [name_key(term.value)])]
    condition, params = _article_term(term)
    return [(f"SELECT a.rowid FROM articles a WHERE {condition}", params)]


def note_where(query: Query) -> Sql:
    """The SQL condition (and its parameters) a note row ``n`` of article ``a`` must meet."""
    return _where(query, _note_term)


def highlight_expression(query: Query) -> str:
    """An FTS5 expression matching any word or phrase the query searches for,
    to show where they are in a text (excluded ones are not shown)."""
    return " OR ".join(
        phrase(t.value, t.prefix) for t in query.terms() if not t.field and not t.negated
    )


def uses_entities(query: Query) -> bool:
    return any(t.field in ("entity", "label") for t in query.terms())


def is_text_search(query: Query) -> bool:
    return any(not t.field and not t.negated for t in query.terms())
