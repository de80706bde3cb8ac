"""W3C Web Annotation Data Model (JSON-LD): the lossless format.

An ``AnnotationCollection`` whose first page holds every ``Annotation``:
span annotations (``TextQuoteSelector`` and ``TextPositionSelector``, code
points), whole-article tags and notes (a target without selector), and the
reader's entity corrections (``classifying``; library-wide rules target the
library). Bodies are ``TextualBody``: ``tagging`` one per tag, ``commenting``
the note (``text/markdown``), ``classifying`` an entity label. What the
model has no term for (an annotation's anchoring state, the text hash it was
made on) uses the ``reader:`` prefix declared in the context.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from reader.core.export import ArticleExport, Options, generator
from reader.core.models import Annotation, ArticleInfo, Correction

CONTEXT = ["http://www.w3.org/ns/anno.jsonld", {"reader": "urn:reader:"}]
LIBRARY_SOURCE = "urn:reader:library"


def iri(identifier: str) -> str:
    """An annotation IRI: a urn:uuid for reader's uuid ids."""
    try:
        return f"urn:uuid:{uuid.UUID(hex=identifier)}"
    except ValueError:
        return identifier if ":" in identifier else f"urn:reader:annotation:{identifier}"


def identifier(value: str) -> str:
    """Back from :func:`iri` to a reader id."""
    if value.startswith("urn:uuid:"):
        return uuid.UUID(value[9:]).hex
    return value.removeprefix("urn:reader:annotation:")


def source_of(info: ArticleInfo) -> str:
    if info.source.startswith(("http://", "https://")):
        return info.source
    return f"urn:reader:article:{info.id}"


def _creator(options: Options) -> dict[str, str]:
    return {"type": "Person", "nickname": options.creator}


def _selectors(start: int, end: int, exact: str, prefix: str, suffix: str) -> list[dict]:
    return [
        {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]


def _bodies(tags: tuple[str, ...], note: str) -> list[dict]:
    bodies = [{"type": "TextualBody", "purpose": "tagging", "value": t} for t in tags]
    if note:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": note,
                "format": "text/markdown",
            }
        )
    return bodies


def annotation_record(info: ArticleInfo, a: Annotation, options: Options) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": iri(a.id),
        "type": "Annotation",
        "motivation": "commenting" if a.note else ("tagging" if a.tags else "highlighting"),
        "created": a.created,
        "modified": a.modified,
        "creator": _creator(options),
        "generator": generator(),
        "body": _bodies(a.tags, a.note),  # removed below when empty (a bare highlight)
        "target": {
            "type": "SpecificResource",
            "source": source_of(info),
            "reader:article": info.id,
            "reader:textSha256": a.text_sha256,
            "selector": _selectors(a.start, a.end, a.exact, a.quote.prefix, a.quote.suffix),
        },
    }
    if not record["body"]:
        del record["body"]
    if a.state != "anchored":
        record["reader:state"] = a.state
    return record


def article_record(info: ArticleInfo, options: Options) -> dict[str, Any]:
    return {
        "id": f"urn:reader:article-note:{info.id}",
        "type": "Annotation",
        "motivation": "commenting" if info.note else "tagging",
        "created": info.added,
        "creator": _creator(options),
        "generator": generator(),
        "body": _bodies(info.tags, info.note),
        "target": {
            "type": "SpecificResource",
            "source": source_of(info),
            "reader:article": info.id,
        },
    }


def correction_record(
    info: ArticleInfo | None, c: Correction, text: str, options: Options
) -> dict[str, Any]:
    target: dict[str, Any] = {"type": "SpecificResource"}
    if info is None:
        target["source"] = LIBRARY_SOURCE
        target["selector"] = {"type": "TextQuoteSelector", "exact": c.text}
    else:
        target["source"] = source_of(info)
        target["reader:article"] = info.id
        prefix, suffix = text[max(0, c.start - 32) : c.start], text[c.end : c.end + 32]
        target["selector"] = _selectors(c.start, c.end, c.text, prefix, suffix)
    return {
        "id": iri(c.id),
        "type": "Annotation",
        "motivation": "classifying",
        "created": c.created,
        "creator": _creator(options),
        "generator": generator(),
        "body": [{"type": "TextualBody", "purpose": "classifying", "value": c.label}],
        "reader:correction": c.action,
        "target": target,
    }


def collection(items: list[ArticleExport], options: Options) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    for item in items:
        info = item.article.info
        if info.tags or info.note:
            records.append(article_record(info, options))
        records += [annotation_record(info, a, options) for a in item.annotations]
        records += [
            correction_record(info, c, item.article.text, options)
            for c in sorted(item.corrections, key=lambda c: (c.start, c.id))
        ]
    records += [
        correction_record(None, r, "", options)
        for r in sorted(options.rules, key=lambda r: (r.text, r.id))
    ]
    return {
        "@context": CONTEXT,
        "id": "urn:reader:export",
        "type": "AnnotationCollection",
        "label": "reader notes",
        "total": len(records),
        "generator": generator(),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": records},
    }


def stream(items: list[ArticleExport], options: Options) -> str:
    return json.dumps(collection(items, options), ensure_ascii=False, indent=2) + "\n"
