"""``reader import-notes``: notes back in from a W3C export or a Readwise CSV.

Each annotation is matched to an article of the library (by the article id
the export carries, its source, or a unique occurrence of its quote), then
re-anchored on the library's text. Exact duplicates are skipped. What cannot
be placed is never dropped: an annotation whose article is here but whose
quote is not becomes an orphan of that article; one whose article is not in
the library is kept as it came in ``annotations/_unplaced.json``.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reader.core.anchoring import new_annotation, reanchor
from reader.core.converters import record_key
from reader.core.export.readwise import FORMULA_STARTS, STATE_TAGS, looks_like_tags
from reader.core.export.w3c import LIBRARY_SOURCE, identifier
from reader.core.fulltext import has_words
from reader.core.library import Library
from reader.core.models import Annotation, Article, Correction, TextQuote, clean_note, clean_tags
from reader.core.query import Query, Term
from reader.core.store import ArticleStore
from reader.core.text import shorten, strip_controls

UNPLACED_ID = "_unplaced"
_ID_HASH = re.compile(r"-[0-9a-f]{8,32}(?:-\d+)?$")  # see Library.new_id
_NAMELESS = re.compile(r"(?:\d{4}-\d{2}(?:-\d{2})?-)?article")  # an id with no title words


class NotesImportError(Exception):
    """A file that is not a notes export reader can read; one line."""


@dataclass
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        order = (
            "imported",
            "updated",
            "duplicate",
            "orphan",
            "needs-review",
            "unplaced",
            "corrections",
            "rules",
            "articles",
            "malformed",
        )
        return ", ".join(f"{self.counts[k]} {k}" for k in order if self.counts[k]) or "nothing"


class _Articles:
    """The library's articles, loaded once each, found by id, source or quote."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.infos = {i.id: i for i in library.list_articles()}
        self._loaded: dict[str, tuple[Article, list[Annotation]]] = {}
        self._by_source: dict[str, str] = {}
        self._by_title: dict[str, list[str]] = {}
        for info in self.infos.values():
            if info.source:
                self._by_source.setdefault(info.source, info.id)
            self._by_title.setdefault(info.title, []).append(info.id)
        # Annotations placed, by article, written in one go per article (flush).
        self.pending: dict[str, dict[str, Annotation]] = {}
        # Records no article could take: those kept already (read once, when the
        # first comes), and those to keep, written in one go (flush).
        self._unplaced_kept: set[bytes] | None = None
        self.unplaced: dict[bytes, dict[str, Any]] = {}

    def keep_unplaced(self, record: dict[str, Any]) -> bool:
        """Keep a record no article could take; False when it is kept already."""
        if self._unplaced_kept is None:
            store = ArticleStore(self.library.annotations_dir, UNPLACED_ID)
            self._unplaced_kept = {record_key(r) for r in store.unplaced()}
        key = record_key(record)
        if key in self._unplaced_kept or key in self.unplaced:
            return False
        self.unplaced[key] = record
        return True

    def save(self, article_id: str, annotation: Annotation) -> None:
        self.pending.setdefault(article_id, {})[annotation.id] = annotation

    def flush(self) -> None:
        """Write the annotations placed: one write per article."""
        for article_id, placed in self.pending.items():
            self.library.store(article_id).save_annotations(list(placed.values()))
        self.pending.clear()
        if self.unplaced:
            store = ArticleStore(self.library.annotations_dir, UNPLACED_ID)
            store.keep_unplaced_many(list(self.unplaced.values()))
            self.unplaced.clear()

    def load(self, article_id: str) -> tuple[Article, list[Annotation]]:
        if article_id not in self._loaded:
            self._loaded[article_id] = self.library.load(article_id)
        return self._loaded[article_id]

    def _may_hold(self, quote: str) -> list[str]:
        """The articles whose text may hold ``quote``: those the library index finds
        its words in, as a phrase (every article for a quote without words), so
        that a note no article takes is not looked for in every text."""
        if not has_words(quote):
            return list(self.infos)
        catalog = self.library.catalog
        found = catalog.infos(catalog.article_ids(Query(((Term("", quote),),))))
        return [info.id for info in found if info.id in self.infos]

    def find(
        self, article_id: str = "", source: str = "", title: str = "", quote: str = ""
    ) -> str | None:
        if article_id in self.infos:
            return article_id
        if source.startswith("urn:reader:article:") and source[19:] in self.infos:
            return source[19:]
        if source and source in self._by_source:
            return self._by_source[source]
        titled = self._by_title.get(title, []) if title else []
        if len(titled) == 1:
            return titled[0]
        if quote:
            having = [i for i in self._may_hold(quote) if quote in self.load(i)[0].text]
            if len(having) == 1:
                return having[0]
        # The same article with another text: an id is date-title-texthash, so the
        # same date and title (a real one: not the "article" of a title with no
        # Latin letters) and another hash.
        wanted = article_id or source.removeprefix("urn:reader:article:")
        stem = _ID_HASH.sub("", wanted)
        if stem != wanted and not _NAMELESS.fullmatch(stem):
            kin = [i for i in self.infos if _ID_HASH.sub("", i) == stem and _ID_HASH.search(i)]
            if len(kin) == 1:
                return kin[0]
        return None


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
        return _import_w3c(library, data, path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotesImportError(f"{path}: not UTF-8 text") from None
    return _import_csv(library, text, path)


# --- W3C ---------------------------------------------------------------------------


def _items(data: Any, path: Path) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    if not isinstance(data, dict):
        raise NotesImportError(f"{path}: not a W3C annotation export")
    if data.get("type") == "Annotation":
        return [data]
    if data.get("type") == "AnnotationCollection":
        page, out = data.get("first"), []
        if isinstance(data.get("items"), list):  # the items given in the collection itself
            page = {"items": data["items"], "next": page}
        while isinstance(page, dict):
            out += [d for d in page.get("items", []) if isinstance(d, dict)]
            page = page.get("next") if isinstance(page.get("next"), dict) else None
        return out
    raise NotesImportError(f"{path}: not a W3C AnnotationCollection or Annotation")


def _selectors(target: dict[str, Any]) -> dict[str, dict[str, Any]]:
    selector = target.get("selector") or []
    selectors = selector if isinstance(selector, list) else [selector]
    return {s.get("type", ""): s for s in selectors if isinstance(s, dict)}


def _bodies(record: dict[str, Any]) -> tuple[tuple[str, ...], str, str]:
    body = record.get("body") or []
    bodies = body if isinstance(body, list) else [body]
    tags = clean_tags(
        b["value"]
        for b in bodies
        if isinstance(b, dict) and b.get("purpose") == "tagging" and isinstance(b.get("value"), str)
    )
    note = clean_note(
        "\n\n".join(
            b["value"]
            for b in bodies
            if isinstance(b, dict)
            and b.get("purpose") == "commenting"
            and isinstance(b.get("value"), str)
        )
    )
    label = next(
        (
            b.get("value", "")
            for b in bodies
            if isinstance(b, dict) and b.get("purpose") == "classifying"
        ),
        "",
    )
    return tags, note, label


def _import_w3c(library: Library, data: Any, path: Path) -> Report:
    return _import_each(library, _items(data, path), "annotation", path, _import_record)


# What a record of the wrong shape raises: a field missing or of another type, a
# number too big for an int (1e999, 5,000 digits), nesting deeper than Python's.
MALFORMED = (TypeError, ValueError, AttributeError, KeyError, OverflowError, RecursionError)


def _import_each(
    library: Library,
    items: list[Any],
    noun: str,
    path: Path,
    import_one: Callable[[Library, _Articles, Any, Report], None],
) -> Report:
    """Import each item of ``path``; one of the wrong shape is counted and said
    (its ``noun`` and number), and the rest go on. What was placed is written,
    one write per article, whatever came after."""
    report = Report()
    articles = _Articles(library)
    try:
        for number, item in enumerate(items, 1):
            try:
                import_one(library, articles, item, report)
            except MALFORMED as error:
                report.counts["malformed"] += 1
                reason = strip_controls(str(error) or type(error).__name__)[:80]
                report.lines.append(
                    f"{noun} {number} of {path.name} is malformed ({reason}): skipped"
                )
    finally:
        articles.flush()
    return report


def _import_record(library: Library, articles: _Articles, record: Any, report: Report) -> None:
    """One W3C annotation; raises TypeError/ValueError/… on a malformed one."""
    target = record.get("target") or {}
    target = target if isinstance(target, dict) else {"source": str(target)}
    tags, note, label = _bodies(record)
    selectors = _selectors(target)
    quote = selectors.get("TextQuoteSelector", {})
    if record.get("motivation") == "classifying" and "reader:correction" in record:
        _import_correction(library, articles, record, target, selectors, label, report)
        return
    article_id = articles.find(
        target.get("reader:article", ""), target.get("source", ""), quote=quote.get("exact", "")
    )
    if article_id is None:
        _unplaced(articles, record, report, quote.get("exact", "") or "(whole article)")
        return
    if not selectors:
        _import_article_note(library, articles, article_id, tags, note, report)
        return
    position = selectors.get("TextPositionSelector", {})
    # As it will be stored (no controls, no lone surrogates): a quote of those alone is none.
    exact = strip_controls(_string(quote.get("exact", "")))
    if not exact:  # nothing to find it by, in this text or any other
        raise ValueError("no TextQuoteSelector with an exact quote")
    annotation = Annotation(
        id=identifier(record.get("id") or new_annotation("x", 0, 1).id),
        start=_offset(position.get("start", 0), 0),
        end=_offset(position.get("end", len(exact)), len(exact)),
        quote=TextQuote(
            exact,
            strip_controls(_string(quote.get("prefix", ""))),
            strip_controls(_string(quote.get("suffix", ""))),
        ),
        text_sha256=_text_sha256(target.get("reader:textSha256", "")),
        tags=tags,
        note=note,
        created=_string(record.get("created", "")),
        modified=_string(record.get("modified", "") or record.get("created", "")),
    )
    _place(library, articles, article_id, annotation, report)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r:.40} is not a string")
    return value


def _offset(value: Any, default: int) -> int:
    """An offset of a TextPositionSelector, or ``default`` for one no text has
    (negative, or beyond 2**53): a stored integer over 64 bits would make the
    whole store unwritable (orjson writes none). Not a number: ValueError."""
    offset = int(value)
    return offset if 0 <= offset < 2**53 else default


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _text_sha256(value: Any) -> str:
    """The hash of the text the annotation was made on, or "" (not known) for a
    string that is no SHA-256: it names a file of the library's old texts, so
    it is never a path (``../../x``) nor too long for a file name."""
    text = _string(value).lower()
    return text if _SHA256.fullmatch(text) else ""


def _same_note(a: Annotation, b: Annotation) -> bool:
    """The same note: same tags and note on the same place, or, when either is not
    placed for sure (an orphan, a best guess), on the same quote, since their
    positions mean little (a CSV orphan has none)."""
    if (a.tags, a.note) != (b.tags, b.note):
        return False
    if a.state == b.state == "anchored":
        return (a.start, a.end) == (b.start, b.end)
    return a.exact == b.exact or (a.start, a.end) == (b.start, b.end)


def _place(
    library: Library, articles: _Articles, article_id: str, annotation: Annotation, report: Report
) -> None:
    article, existing = articles.load(article_id)
    text = article.text
    placed = reanchor(
        annotation,
        text,
        article.info.text_sha256,
        old_text=library.text_version(article_id, annotation.text_sha256),
    )
    same_id = next((a for a in existing if a.id == placed.id), None)
    same_content = next((a for a in existing if _same_note(a, placed)), None)
    if same_content is not None and (same_id is None or same_id == same_content):
        report.counts["duplicate"] += 1
        return
    if same_id is not None and same_id.modified >= placed.modified:
        report.counts["duplicate"] += 1
        report.lines.append(f"{article_id}: kept the newer version of annotation {placed.id}")
        return
    articles.save(article_id, placed)
    existing[:] = [a for a in existing if a.id != placed.id] + [placed]
    report.counts["updated" if same_id else "imported"] += 1
    if placed.state != "anchored":
        report.counts[placed.state] += 1
        report.lines.append(
            f"{article_id}: “{shorten(placed.exact, 50)}” is {placed.state} "
            "(kept; see reader doctor)"
        )


def _import_article_note(
    library: Library,
    articles: _Articles,
    article_id: str,
    tags: tuple[str, ...],
    note: str,
    report: Report,
) -> None:
    info = articles.infos[article_id]
    new_tags = tuple(dict.fromkeys((*info.tags, *tags)))
    new_note = info.note if note in info.note else "\n\n".join(p for p in (info.note, note) if p)
    if (new_tags, new_note) == (info.tags, info.note):
        report.counts["duplicate"] += 1
        return
    library.store(article_id).update_article(info, tags=new_tags, note=new_note)
    articles.infos[article_id] = replace(info, tags=new_tags, note=new_note)
    report.counts["articles"] += 1


def _import_correction(
    library: Library,
    articles: _Articles,
    record: dict[str, Any],
    target: dict[str, Any],
    selectors: dict[str, dict[str, Any]],
    label: str,
    report: Report,
) -> None:
    quote = selectors.get("TextQuoteSelector", {})
    position = selectors.get("TextPositionSelector", {})
    # Of the shape the store applies (see reader.core.converters.corrections_from_records), else
    # malformed: said, not stored as if imported and then never applied.
    action = record.get("reader:correction", "label")
    if action not in ("remove", "label", "add"):
        raise ValueError(f"{action!r:.40} is not a correction (remove, label or add)")
    common = {
        "id": identifier(_string(record.get("id", ""))),
        "action": action,
        "text": strip_controls(_string(quote.get("exact", ""))),
        "label": strip_controls(_string(label)),
        "created": _string(record.get("created", "")),
    }
    if not common["text"]:
        raise ValueError("no TextQuoteSelector with an exact text to correct")
    if target.get("source") == LIBRARY_SOURCE:
        store, correction, count = library.rule_store(), Correction(**common), "rules"
    else:
        article_id = articles.find(target.get("reader:article", ""), target.get("source", ""))
        if article_id is None:
            _unplaced(articles, record, report, common["text"])
            return
        start, end = _offset(position.get("start", -1), -1), _offset(position.get("end", -1), -1)
        text = articles.load(article_id)[0].text
        if text[start:end] != common["text"]:
            found = text.find(common["text"]) if common["text"] else -1
            start, end = (found, found + len(common["text"])) if found >= 0 else (start, end)
        store = library.store(article_id)
        correction, count = Correction(**common, start=start, end=end), "corrections"
    if correction in store.corrections():
        report.counts["duplicate"] += 1
        return
    store.save_correction(correction)
    report.counts[count] += 1


def _unplaced(articles: _Articles, record: dict[str, Any], report: Report, what: str) -> None:
    if not articles.keep_unplaced(record):
        report.counts["duplicate"] += 1
        return
    report.counts["unplaced"] += 1
    report.lines.append(
        f"no article in the library for “{shorten(what, 50)}”: kept in {UNPLACED_ID}.json"
    )


# --- Readwise CSV -----------------------------------------------------------------------


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


def _import_csv(library: Library, text: str, path: Path) -> Report:
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
    return _import_each(library, rows, "row", path, _import_row)


def _location(value: Any) -> int:
    """The Location reader writes (the offset), or -1: not one (², 5,000 digits)."""
    text = value if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else -1


def _import_row(library: Library, articles: _Articles, row: dict[str, Any], report: Report) -> None:
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
        _unplaced(articles, {"type": "Annotation", "readwise": row}, report, highlight)
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
    _place(library, articles, article_id, annotation, report)
