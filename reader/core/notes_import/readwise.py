"""Notes from a Readwise CSV (reader's own export or Readwise's): one highlight
a row, its tags in a Tags column or inline in the note, made when its Date
(or "Highlighted at") says."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader.core.anchoring import new_annotation
from reader.core.export.readwise import FORMULA_STARTS, STATE_TAGS, looks_like_tags
from reader.core.library import Library
from reader.core.models import Annotation, TextQuote, clean_note, clean_tags, utc_stamp
from reader.core.notes_import.common import (
    Articles,
    NotesImportError,
    Report,
    import_each,
    place,
    unplaced,
)
from reader.core.text import strip_controls


def _tags_from_note(note: str) -> tuple[tuple[str, ...], str]:
    """Readwise inline tags (``.tag`` words on the first line) and the rest."""
    first, _, rest = note.partition("\n")
    if looks_like_tags(first):
        return tuple(w[1:].replace("_", " ") for w in first.split()), rest
    if not first.strip() and looks_like_tags(rest.partition("\n")[0]):
        return (), rest  # an empty line kept a tag-like first line of the note a note
    return (), note


def _unneutralised(value: Any) -> Any:
    """A cell as it was before the export put an apostrophe before a formula's
    first character (see reader.core.export.readwise.neutralised)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


CSV_FIELD_LIMIT = 1 << 24  # characters in one cell: a long note, not csv's 128 KB


def import_csv(library: Library, text: str, path: Path) -> Report:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    try:
        rows = [
            {key: _unneutralised(value) for key, value in row.items()}
            for row in csv.DictReader(text.splitlines(keepends=True))
        ]
    except csv.Error as error:
        raise NotesImportError(f"{path}: not a CSV file reader can read ({error})") from None
    if not rows or "Highlight" not in rows[0]:
        raise NotesImportError(f"{path}: not a Readwise CSV (no Highlight column)")
    return import_each(library, rows, "row", path, _import_row)


def _location(value: Any) -> int:
    """The Location reader writes (the offset), or -1: not one (², 5,000 digits)."""
    text = value if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else -1


def _created(value: Any) -> str | None:
    """When the highlight was made, as reader keeps times (ISO 8601, UTC), from
    the Date of Readwise's import layout (``YYYY-MM-DD HH:MM:SS``, UTC) or the
    "Highlighted at" of its export (with a zone); None for none or no time."""
    text = value.strip() if isinstance(value, str) else ""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return utc_stamp(when)


def _import_row(library: Library, articles: Articles, row: dict[str, Any], report: Report) -> None:
    """One Readwise row; raises TypeError/ValueError/… on a malformed one."""
    highlight = strip_controls(row.get("Highlight") or "").strip()  # as it will be stored
    if not highlight:
        return
    title = row.get("Title") or row.get("Book Title") or ""
    if "Tags" in row:
        tags = clean_tags([row.get("Tags") or ""])
        note = clean_note(row.get("Note") or "")
    else:
        tags, note = _tags_from_note(clean_note(row.get("Note") or ""))
    # The flag of an annotation that was not anchored: its state is found anew.
    tags = tuple(t for t in tags if t not in STATE_TAGS.values())
    article_id = articles.find(source=row.get("URL") or "", title=title, quote=highlight)
    if article_id is None:
        unplaced(articles, {"type": "Annotation", "readwise": row}, report, highlight)
        return
    article_text = articles.load(article_id)[0].text
    at = _location(row.get("Location"))
    # The Location reader writes is the offset: it tells repeated highlights apart.
    start = (
        at
        if at >= 0 and article_text[at : at + len(highlight)] == highlight
        else article_text.find(highlight)
    )
    if start < 0:
        annotation = Annotation(
            id=new_annotation("x", 0, 1).id,
            start=0,
            end=len(highlight),
            quote=TextQuote(highlight, "", ""),
            text_sha256="",
            tags=tags,
            note=note,
        )
    else:
        annotation = new_annotation(article_text, start, start + len(highlight), tags, note)
    created = _created(row.get("Date") or row.get("Highlighted at"))
    if created is not None:  # when it was made, not when it was imported
        annotation = replace(annotation, created=created, modified=created)
    place(library, articles, article_id, annotation, report)
