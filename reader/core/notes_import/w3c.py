"""Notes from W3C Web Annotation JSON (reader's own export or another tool's):
annotations, notes on a whole article, and corrections (of an article or rules
of the library)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from reader.core.anchoring import new_annotation
from reader.core.export.w3c import LIBRARY_SOURCE, identifier
from reader.core.library import Library
from reader.core.models import Annotation, Correction, TextQuote, clean_note, clean_tags
from reader.core.notes_import.common import (
    Articles,
    NotesImportError,
    Report,
    import_each,
    place,
    unplaced,
)
from reader.core.text import strip_controls


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


def import_w3c(library: Library, data: Any, path: Path) -> Report:
    return import_each(library, _items(data, path), "annotation", path, _import_record)


def _import_record(library: Library, articles: Articles, record: Any, report: Report) -> None:
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
        unplaced(articles, record, report, quote.get("exact", "") or "(whole article)")
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
    place(library, articles, article_id, annotation, report)


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


def _import_article_note(
    library: Library,
    articles: Articles,
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
    articles: Articles,
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
            unplaced(articles, record, report, common["text"])
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
