"""Entity spans as the model gives them, trimmed for display (``clean_span``)
and made into :class:`~reader.core.models.Entity` objects."""

from __future__ import annotations

import re

from reader.core.models import Entity

# Emoji and pictographs (with their joiners and variation selectors) that the
# model sometimes takes into a name ("Angela Merkel 👋").
_EMOJI = "\u200d\u2600-\u27bf\u2b00-\u2bff\ufe0e\ufe0f\U0001f000-\U0001faff"
_TRAILING = re.compile(rf"[\s.,;:!?\"'“”‘’()\[\]{{}}{_EMOJI}]+$")
_LEADING = re.compile(rf"^[\s\"'“”‘’()\[\]{{}}{_EMOJI}]+")


# The last word of a name whose period is its own: "U.S.", "D.C.", an initial,
# "Corp.", "Calif.", "Jr." (spaCy's tokenizer keeps the period of such words in
# them, and splits it off any other word).
_ABBREVIATED = re.compile(r"(?:^|[\s(-])(?:(?:[^\W\d_]\.)+[^\W\d_]?|[A-Z][a-z]{0,4})$")


def clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a span for display: cut at the first line break, and drop
    surrounding whitespace, punctuation and brackets, but not the period of an
    abbreviation ("U.S.", "Corp.")."""
    newline = text.find("\n", start, end)
    if newline != -1:
        end = newline
    span = text[start:end]
    trailing = _TRAILING.search(span)
    if trailing:
        cut = trailing.group()
        kept = span[: trailing.start()]
        if cut[0] == "." and _ABBREVIATED.search(kept):
            cut = cut[1:]  # the abbreviation's own period stays
        elif cut[0] in "'’" and kept.endswith("s") and span[:1] not in "'‘\"“":
            cut = cut[1:]  # a plural's possessive: "the past two days'"
        end -= len(cut)
        span = text[start:end]
    leading = _LEADING.match(span)
    if leading:
        cut = leading.group()
        if cut[-1] in "'’" and span[len(cut) : len(cut) + 1].isdigit():
            cut = cut[:-1]  # a decade's or a year's apostrophe: "'80s", "’91"
        start += len(cut)
    return start, end


def entities_from_doc(text: str, spans: list[tuple[int, int, str]]) -> list[Entity]:
    out = []
    for start, end, label in spans:
        start, end = clean_span(text, start, end)
        if start < end:
            out.append(Entity(start, end, label, text[start:end]))
    return out
