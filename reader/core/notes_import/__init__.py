"""``reader import-notes``: notes back in from a W3C export or a Readwise CSV.

Each annotation is matched to an article of the library (by the article id
the export carries, its source, or a unique occurrence of its quote), then
re-anchored on the library's text. Exact duplicates are skipped. What cannot
be placed is never dropped: an annotation whose article is here but whose
quote is not becomes an orphan of that article; one whose article is not in
the library is kept as it came in ``annotations/_unplaced.json``.

The parts: ``common`` (the report, finding the article a note belongs to, placing
a quote on its text), ``w3c`` (W3C Web Annotation JSON) and ``readwise``
(Readwise CSV); this module tells the two formats apart.
"""

from __future__ import annotations

import json
from pathlib import Path

from reader.core.library import Library
from reader.core.notes_import.common import UNPLACED_ID, NotesImportError, Report
from reader.core.notes_import.readwise import import_csv
from reader.core.notes_import.w3c import import_w3c

__all__ = ["UNPLACED_ID", "NotesImportError", "Report", "import_notes"]


def import_notes(library: Library, path: Path) -> Report:
    raw = path.read_bytes()
    head = raw.lstrip()[:1]
    if head in (b"{", b"["):
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise NotesImportError(f"{path}: not valid JSON ({error})") from None
        except RecursionError:
            raise NotesImportError(f"{path}: not valid JSON (nested too deep)") from None
        return import_w3c(library, data, path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotesImportError(f"{path}: not UTF-8 text") from None
    return import_csv(library, text, path)
