"""Selectors for a span, and finding an annotation again in (possibly changed) text.

An annotation keeps its position (code points), its quote with 32 characters
of context, and the sha256 of the text it was made on. When the text is the
same, the position holds. When it changed, the quote is searched for and the
occurrence whose context matches best wins; what cannot be found is an
orphan, kept with its old context and never deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from difflib import SequenceMatcher

from reader.core.models import Annotation, TextQuote, utc_now
from reader.core.text import quote_context, sha256


def new_annotation(
    text: str, start: int, end: int, tags: tuple[str, ...] = (), note: str = ""
) -> Annotation:
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}..{end} is outside the text (0..{len(text)})")
    exact, prefix, suffix = quote_context(text, start, end)
    now = utc_now()
    return Annotation(
        id=uuid.uuid4().hex,
        start=start,
        end=end,
        quote=TextQuote(exact, prefix, suffix),
        text_sha256=sha256(text),
        tags=tags,
        note=note,
        created=now,
        modified=now,
    )


def _context_score(text: str, start: int, end: int, quote: TextQuote) -> float:
    before = text[max(0, start - len(quote.prefix)) : start]
    after = text[end : end + len(quote.suffix)]
    score = 0.0
    if quote.prefix:
        score += SequenceMatcher(None, before, quote.prefix).ratio()
    if quote.suffix:
        score += SequenceMatcher(None, after, quote.suffix).ratio()
    return score


def reanchor(
    annotation: Annotation, text: str, text_hash: str | None = None, old_text: str | None = None
) -> Annotation:
    """The annotation placed on ``text``: anchored where its quote is, else an orphan."""
    text_hash = text_hash or sha256(text)
    exact = annotation.quote.exact
    if annotation.text_sha256 == text_hash or text[annotation.start : annotation.end] == exact:
        return replace(annotation, state="anchored")
    occurrences = []
    at = text.find(exact) if exact else -1
    while at != -1:
        occurrences.append(at)
        at = text.find(exact, at + 1)
    if not occurrences:
        return replace(annotation, state="orphan")
    best = max(
        occurrences,
        key=lambda s: (
            _context_score(text, s, s + len(exact), annotation.quote),
            -abs(s - annotation.start),
        ),
    )
    return replace(annotation, start=best, end=best + len(exact), state="anchored")
