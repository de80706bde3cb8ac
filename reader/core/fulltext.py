"""Full-text search: how text is cut into words for SQLite's FTS5, and where a
query's words are in a text.

The library index (:mod:`reader.core.catalog`) keeps FTS5 tables with the
``unicode61`` tokenizer, folding case and diacritics (``erdogan`` finds
Erdoğan). Chinese and Japanese are written without spaces and Korean glues
particles to its words, so before indexing every character of those scripts
is set apart with a zero-width space (which the tokenizer takes as a
separator, and which never occurs in an article's text: :func:`~reader.core.
text.normalise` removes it); a query's word in those scripts becomes the
phrase of its characters, found wherever it stands in a run of them.

:func:`match_spans` finds a query's words in one text with the same tokenizer
(an in-memory FTS5 table), so what is highlighted is what the index matched.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from functools import cache

TOKENIZER = "unicode61 remove_diacritics 2"
SEPARATOR = "\u200b"  # zero-width space: a token separator for unicode61
_CJK = (
    "["
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uff66-\uff9f"  # half-width katakana
    "\U00020000-\U0002fa1f"  # CJK ideographs, supplementary planes
    "]"
)


@cache
def _cjk() -> re.Pattern[str]:
    return re.compile(_CJK)  # compiled when first needed: milliseconds at start-up


def index_text(text: str) -> str:
    """``text`` as it goes into the FTS5 tables (and into a query's phrase)."""
    cjk = _cjk()
    if not cjk.search(text):
        return text
    return cjk.sub(lambda m: f"{SEPARATOR}{m.group()}{SEPARATOR}", text)


def fold(text: str) -> str:
    """Lower case without diacritics, as the tokenizer folds a word (for keys
    compared outside FTS5: tags, authors, sources, entity names)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def phrase(words: str, prefix: bool = False) -> str:
    """An FTS5 string matching ``words`` as a phrase (any punctuation in it
    separates words, as in the text), optionally as a prefix."""
    quoted = '"' + index_text(words).replace('"', '""') + '"'
    return quoted + " *" if prefix else quoted


def has_words(value: str) -> bool:
    """Whether ``value`` holds anything the tokenizer keeps (a letter or digit)."""
    return any(c.isalnum() for c in value)


# --- where a query's words are in one text ------------------------------------------

_OPEN, _CLOSE = "\x01", "\x02"  # control characters: never in a normalised text
_local = threading.local()


def _scratch() -> sqlite3.Connection:
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(":memory:")
        connection.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize='{TOKENIZER}')")
        _local.connection = connection
    return connection


def match_spans(text: str, expression: str) -> list[tuple[int, int]]:
    """The (start, end) offsets in ``text`` of what the FTS5 ``expression``
    (phrases joined by OR, as :func:`reader.core.query.highlight_expression`
    makes) matches, in text order."""
    if not expression or not text:
        return []
    connection = _scratch()
    try:
        # A zero-width space of the text's own (hand-edited in) becomes a space,
        # so that every one in the output is one of index_text's.
        body = index_text(text.replace(SEPARATOR, " "))
        connection.execute("INSERT INTO t(rowid, body) VALUES (1, ?)", (body,))
        row = connection.execute(
            "SELECT highlight(t, 0, ?, ?) FROM t WHERE t MATCH ?", (_OPEN, _CLOSE, expression)
        ).fetchone()
    except sqlite3.Error:
        return []
    finally:
        connection.execute("DELETE FROM t")
    if row is None:
        return []
    spans: list[tuple[int, int]] = []
    offset = 0
    start = -1
    for char in row[0]:
        if char == _OPEN:
            start = offset
        elif char == _CLOSE:
            if start >= 0:
                spans.append((start, offset))
            start = -1
        elif char != SEPARATOR:
            offset += 1
    return spans


def snippet(text: str, span: tuple[int, int], width: int) -> tuple[str, int, int]:
    """One line of about ``width`` characters of ``text`` around ``span``: the
    line, and where the span is in it."""
    start, end = span
    before = max(0, (width - (end - start)) // 3)
    first = max(0, start - before)
    if first:  # start at a word
        space = text.find(" ", first, start)
        first = space + 1 if space != -1 else first
    line = text[first : first + width]
    shown = " ".join(line.split("\n"))
    lead = "…" if first else ""
    return lead + shown, len(lead) + start - first, len(lead) + min(end, first + width) - first
