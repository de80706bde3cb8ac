"""One JSON line per article for NLP tools (spaCy and Prodigy conventions).

``text``; ``spans``: the reader's corrected entities as ``{start, end, label}``
(Prodigy's NER format); ``entities``: the same as ``[start, end, label]``
triples (spaCy's training tuples); ``tagged``: each tag of each annotation as
``{start, end, label}`` with the note. Offsets are code points and every span
is snapped outwards to spaCy's English token boundaries, so
``doc.char_span(start, end, alignment_mode="strict")`` creates each one.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from reader.core.export import ArticleExport, Options


def _tokenizer() -> Callable[[str], object]:
    import spacy

    return spacy.blank("en").tokenizer


def snap(doc: object, start: int, end: int) -> tuple[int, int] | None:
    span = doc.char_span(start, end, alignment_mode="expand")  # type: ignore[attr-defined]
    return (span.start_char, span.end_char) if span is not None and len(span) else None


def stream(items: list[ArticleExport], options: Options) -> str:
    tokenizer = _tokenizer() if items else None
    lines = []
    for item in items:
        info = item.article.info
        text = item.article.text
        doc = tokenizer(text)  # type: ignore[misc]
        spans: list[dict] = []
        for e in item.entities:
            snapped = snap(doc, e.start, e.end)
            # Entities snapped into the same tokens would overlap: spaCy refuses
            # overlapping ents, so the first one keeps the tokens.
            if snapped and not any(
                s["start"] < snapped[1] and snapped[0] < s["end"] for s in spans
            ):
                spans.append({"start": snapped[0], "end": snapped[1], "label": e.label})
        tagged = []
        for a in item.annotations:
            if a.state == "orphan":
                continue
            snapped = snap(doc, a.start, a.end)
            if snapped:
                for tag in a.tags or ("NOTE",):
                    tagged.append(
                        {
                            "start": snapped[0],
                            "end": snapped[1],
                            "label": tag,
                            "note": a.note,
                            "id": a.id,
                        }
                    )
        lines.append(
            json.dumps(
                {
                    "text": text,
                    "spans": spans,
                    "entities": [[s["start"], s["end"], s["label"]] for s in spans],
                    "tagged": tagged,
                    "meta": {
                        "id": info.id,
                        "title": info.title,
                        "author": info.author,
                        "date": info.date,
                        "source": info.source,
                        "tags": list(info.tags),
                    },
                },
                ensure_ascii=False,
            )
        )
    return "".join(line + "\n" for line in lines)
