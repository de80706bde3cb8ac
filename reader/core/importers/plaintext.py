"""Plain-text articles, such as the seed's scraped format.

An optional first line ``date YYYY-MM-DD Posted on by AUTHOR`` (or
``date YYYY-MM``, with or without the author) carries the metadata; the
paragraphs follow, separated by blank lines. A first paragraph that is one
short line without a sentence end is the title (and not part of the text);
else the title is derived from the lead.

Scraping glues words at sentence ends (``right now.Russia cites``,
``belligerentRussia says``); those are split with a line break, which shows
the break in the reader and keeps entities from spanning it.
"""

from __future__ import annotations

import re

from reader.core.importers import ImportFailed
from reader.core.models import ArticleDraft
from reader.core.text import blocks, looks_like_caption, normalise

_HEADER = re.compile(
    r"^[ \t]*date[ \t]+(?P<date>\d{4}-\d{2}(?:-\d{2})?)"
    r"(?:[ \t]+Posted(?:[ \t]+on)?(?:[ \t]+by(?:[ \t]+(?P<author>[^\n]*?))?)?)?[ \t]*(?:\n|$)",
    re.IGNORECASE,
)
# A caption: a paragraph crediting a photo, as scraped pages put above the lead.
# A lead that opens as a caption does ("A picture taken…"); see also
# reader.core.text.looks_like_caption, for one that ends in a photo credit.
_CAPTION_OPENING = re.compile(
    r"^(?:a |an )?(?:file )?(?:photo|picture|image)s?\b|^(?:photo|picture|image)\s*:",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…](?=[\"'”’)\]]*(?:\s|$))")
TITLE_LIMIT = 90

# A lower-case word running straight into a capitalised word, both of four
# letters or more (belligerentRussia), or a sentence end running into one
# (now.Russia). Names that mix cases start with a capital (McDonald, JetBlue),
# or have a short lower-case part (iPhone, eBay, airBaltic, easyJet), so none
# matches; a longer one (easyHotel) is kept when the text has it more than once.
_GLUED = re.compile(
    r"(?<![\w.])(?:([a-z]{4,})([A-Z][a-z]{3,})|([a-z]{2,}[.!?][\"'”’)]?)([A-Z][a-z]+))"
)
KNOWN_MIXED_CASE = frozenset({"macOS", "iOS", "eBay", "iPhone", "iPad", "easyHotel"})


def mend_glued_words(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Split glued words with a line break; return the text and the splits."""
    mended: list[tuple[str, str]] = []

    def split(match: re.Match[str]) -> str:
        glued = match.group(1) is not None
        left, right = match.group(1, 2) if glued else match.group(3, 4)
        if left + right in KNOWN_MIXED_CASE:
            return match.group()
        if glued and len(re.findall(rf"(?<![\w.]){left}{right}(?![a-z])", text)) > 1:
            return match.group()  # a name the text repeats, not an accident of scraping
        mended.append((left, right))
        return f"{left}\n{right}"

    return _GLUED.sub(split, text), mended


def parse_plaintext(raw: str, source: str = "") -> ArticleDraft:
    """Parse plain text into a draft; raises ImportFailed if there is no text."""
    date = author = ""
    raw = raw.lstrip("\ufeff")
    header = _HEADER.match(raw)
    if header:
        date = header.group("date")
        author = (header.group("author") or "").strip()
        raw = raw[header.end() :]
    text, mended = mend_glued_words(normalise(raw))
    if not text:
        raise ImportFailed(f"{source or 'input'}: no article text")
    title, text = _title_line(text)
    return ArticleDraft(
        text=text,
        title=title or derive_title(text),
        author=author,
        date=date,
        source=source,
        mended=tuple(mended),
    )


def _title_line(text: str) -> tuple[str, str]:
    """A first paragraph that is one short line with no sentence end (``Floods in
    Lausanne``), followed by more text, is the title: (title, the rest). Else
    ("", text), and the title comes from the lead."""
    first, _, rest = text.partition("\n\n")
    if (
        rest
        and "\n" not in first
        and len(first) <= TITLE_LIMIT
        and not _SENTENCE_END.search(first)
        and not first.endswith((":", ";", ","))
        and not is_caption(first)
    ):
        return first, rest
    return "", text


def is_caption(paragraph: str) -> bool:
    return looks_like_caption(paragraph) or bool(_CAPTION_OPENING.search(paragraph))


def derive_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """The lead's first sentence, cut at a word boundary; captions are skipped."""
    paragraphs = [text[b.start : b.end] for b in blocks(text) if b.kind != "heading"]
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
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut[:limit]).rstrip(",;:–- ") + "…"
