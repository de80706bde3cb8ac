"""Plain-text articles, such as the seed's scraped format.

An optional first line ``date YYYY-MM-DD Posted on by AUTHOR`` (or
``date YYYY-MM``, with or without the author) carries the metadata; the
paragraphs follow, separated by blank lines. There is no title line, so the
title is derived from the lead.
"""

from __future__ import annotations

import re

from reader.core.importers import ImportFailed
from reader.core.models import ArticleDraft
from reader.core.text import blocks, normalise

_HEADER = re.compile(
    r"^[ \t]*date[ \t]+(?P<date>\d{4}-\d{2}(?:-\d{2})?)"
    r"(?:[ \t]+Posted(?:[ \t]+on)?(?:[ \t]+by(?:[ \t]+(?P<author>[^\n]*?))?)?)?[ \t]*(?:\n|$)",
    re.IGNORECASE,
)
# A caption: a paragraph crediting a photo, as scraped pages put above the lead.
_CAPTION = re.compile(
    r"\((?:photo|picture|image|file photo)s?\b[^)]*\)\s*$"
    r"|^(?:a |an )?(?:file )?(?:photo|picture|image)s?\b"
    r"|^(?:photo|picture|image)\s*:",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…](?=[\"'”’)\]]*(?:\s|$))")
TITLE_LIMIT = 90


def parse_plaintext(raw: str, source: str = "") -> ArticleDraft:
    """Parse plain text into a draft; raises ImportFailed if there is no text."""
    date = author = ""
    header = _HEADER.match(raw.lstrip("\ufeff"))
    if header:
        date = header.group("date")
        author = (header.group("author") or "").strip()
        raw = raw.lstrip("\ufeff")[header.end() :]
    text = normalise(raw)
    if not text:
        raise ImportFailed(f"{source or 'input'}: no article text")
    return ArticleDraft(
        text=text, title=derive_title(text), author=author, date=date, source=source
    )


def is_caption(paragraph: str) -> bool:
    return bool(_CAPTION.search(paragraph))


def derive_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """The lead's first sentence, cut at a word boundary; captions are skipped."""
    paragraphs = [text[b.start : b.end] for b in blocks(text) if b.kind == "paragraph"]
    lead = next((p for p in paragraphs if not is_caption(p)), paragraphs[0] if paragraphs else "")
    lead = " ".join(lead.split())
    end = _SENTENCE_END.search(lead)
    sentence = lead[: end.start()] if end else lead
    if len(sentence) <= limit:
        return sentence
    # Prefer a clause boundary, else the last whole word, within the limit.
    cut = sentence[: limit + 1]
    comma = cut.rfind(", ")
    if comma >= limit // 2:
        return cut[:comma] + "…"
    return cut[: cut.rfind(" ")].rstrip(",;:–- ") + "…"
