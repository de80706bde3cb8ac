"""Readwise CSV.

The default layout is Readwise's CSV import (``Highlight, Title, Author,
URL, Note, Location, Date``: Date is when the highlight was made, as
``YYYY-MM-DD HH:MM:SS`` in UTC); it has no tags column, so tags travel inside
the note as Readwise reads them (``.tag1 .tag2`` on the note's first line, the
inline tagging syntax of Readwise). ``--csv-layout readwise-export`` gives
the 11 columns that Readwise exports and Obsidian importers parse. RFC 4180
quoting (quotes doubled, CRLF line ends), UTF-8 with a byte order mark
(without one, Excel reads the file in the locale's code page: Zürich becomes
ZÃ¼rich; ``import-notes`` and Readwise skip it); a cell a spreadsheet would
take for a formula (``=``, ``+``, ``-``, ``@``) starts with an apostrophe
(see :func:`neutralised`). An annotation that is not
anchored carries a ``reader-orphan`` or ``reader-needs-review`` tag, and an
orphan has no Location.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from reader.core.export import ArticleExport, Options
from reader.core.models import Annotation

IMPORT_COLUMNS = ["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"]
BOM = "\ufeff"
EXPORT_COLUMNS = [
    "Highlight",
    "Book Title",
    "Book Author",
    "Amazon Book ID",
    "Note",
    "Color",
    "Tags",
    "Location Type",
    "Location",
    "Highlighted at",
    "Document tags",
]


def looks_like_tags(line: str) -> bool:
    """Whether Readwise reads this line as inline tags (``.tag`` words only)."""
    words = line.split()
    return bool(words) and all(w.startswith(".") and len(w) > 1 for w in words)


def tag_note(tags: tuple[str, ...], note: str) -> str:
    """A note carrying tags the way Readwise's import reads them. A note with no
    tags whose first line would read as tags (``.NET .js``) starts with an empty
    line, so that it stays the note."""
    tag_line = " ".join("." + "_".join(t.split()) for t in tags)
    if not tag_line and looks_like_tags(note.partition("\n")[0]):
        return "\n" + note
    return "\n".join(part for part in (tag_line, note) if part)


def _url(source: str) -> str:
    return source if source.startswith(("http://", "https://")) else ""


STATE_TAGS = {"orphan": "reader-orphan", "needs-review": "reader-needs-review"}


def _tags(a: Annotation) -> tuple[str, ...]:
    """The annotation's tags, and one that flags it when it is not anchored
    (Readwise has no other place for it); ``import-notes`` drops that one."""
    return (*a.tags, STATE_TAGS[a.state]) if a.state in STATE_TAGS else a.tags


def _location(a: Annotation) -> str:
    """Where the highlight starts in the text; none for an orphan (its passage is
    no longer in the text, and its old place would mislead)."""
    return "" if a.state == "orphan" else str(a.start)


def readwise_date(created: str) -> str:
    """An annotation's time as Readwise's import takes a Date (``YYYY-MM-DD
    HH:MM:SS``, UTC; reader's times are UTC, and one without a zone is taken
    as UTC); "" for none, or for a value that is no time."""
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return ""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S")


def _rows(items: list[ArticleExport], layout: str) -> list[list[str]]:
    rows = []
    for item in items:
        info = item.article.info
        for a in item.annotations:
            if layout == "readwise-export":
                rows.append(
                    [
                        a.exact,
                        info.title,
                        info.author,
                        "",
                        a.note,
                        "yellow",
                        ", ".join(_tags(a)),
                        "offset",
                        _location(a),
                        a.created.replace("T", " ").replace("Z", "+00:00"),
                        ", ".join(info.tags),
                    ]
                )
            else:
                rows.append(
                    [
                        a.exact,
                        info.title,
                        info.author,
                        _url(info.source),
                        tag_note(_tags(a), a.note),
                        _location(a),
                        readwise_date(a.created),
                    ]
                )
    return rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: str) -> str:
    """A cell that a spreadsheet would run as a formula (it starts with = + - @,
    a tab or a carriage return: a title from a web page can) behind an apostrophe,
    which spreadsheets take as "text" (OWASP's advice); import-notes removes it."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def stream(items: list[ArticleExport], options: Options) -> str:
    layout = options.csv_layout
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS if layout == "readwise-export" else IMPORT_COLUMNS)
    writer.writerows([neutralised(c) for c in row] for row in _rows(items, layout))
    return BOM + out.getvalue()
