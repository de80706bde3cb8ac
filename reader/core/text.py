"""Normalising text so offsets stay stable, hashing it, and reading its shape.

Every article's text goes through :func:`normalise` once, on import; all
offsets (entities, annotations, the reading position) are code points into
the result.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from itertools import chain

# ANSI/VT escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
# DCS/SOS/PM/APC strings (ESC P|X|^|_ ... ST), character set designations
# (ESC ( B), and the two-character escapes terminals use (ESC M, ESC 7, ESC c).
# A letter after ESC is taken as the escape's final only when no lower-case
# letter follows it, so a stray ESC before a word ("\x1bNew York") costs the
# ESC, not the word's first letter; an ESC no sequence takes goes on its own.
_NOT_A_WORD = r"(?![a-z\xdf-\xf6\xf8-\xff])"
_ESCAPE_SEQUENCE = re.compile(
    rf"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI
  | \x9b[0-?]*[ -/]*[@-~]                   # 8-bit CSI
  | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC
  | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)    # DCS, SOS, PM, APC, with their end
  | \x1b[\x5e\x5f][^\x1b\x9c]*                # PM, APC without an end
  | \x1b[(-+][0-9@-Z]{_NOT_A_WORD}          # a character set: ESC ( B
  | \x1b[DEHMNOVWZc]{_NOT_A_WORD}          # two-character escapes: ESC M, ESC c,
  | \x1b[\\=>] | \x1b[78](?!\d)              # ESC =, ESC 7 (save), ESC 8 (restore)
  | \x1b                                    # a lone ESC
    """,
    re.VERBOSE,
)


def strip_escapes(text: str) -> str:
    """Remove terminal escape sequences (only those: other controls stay)."""
    if "\x1b" not in text and "\x9b" not in text:
        return text
    return _ESCAPE_SEQUENCE.sub("", text)


# C0 and C1 controls and DEL (newline and tab are handled separately), and the
# invisible format characters (Unicode category Cf) that can hide or reorder
# text, such as bidi overrides, except the zero-width (non-)joiners that
# Persian, Indic scripts and emoji sequences need; and lone surrogates (from a
# JSON or YAML escape, a file name or an argument that is not UTF-8), which no
# file or terminal can take.
_CONTROL = re.compile(
    "[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")

QUOTE_CONTEXT = 32


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a control character (an escape sequence starts with one)."""
    # Every character _CONTROL matches is unprintable: a printable text (one scan
    # in C, most texts) has none.
    return not text.isprintable() and _CONTROL.search(text) is not None


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters (keeps \\n and \\t)."""
    if text.isprintable() or not _CONTROL.search(text):  # most texts have none
        return text
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def normalise(text: str) -> str:
    """NFC, ``\\n`` line ends, no control characters, no trailing spaces,
    paragraphs separated by exactly one blank line, no leading/trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n")
    text = strip_controls(text).replace("\t", " ")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if " \n" in text:
        text = _TRAILING_SPACE.sub("\n", text)
    if "\n\n\n" in text:  # after trailing spaces went, only runs of newlines are left
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip("\n ")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))


def words(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word in ``text``."""
    return [m.span() for m in _WORD.finditer(text)]


def shorten(text: str, limit: int, *, tail: bool = False) -> str:
    """``text`` on one line, cut to at most ``limit`` characters at a word's
    edge, with "…" where it was cut (at its start, keeping its end, with
    ``tail``: the words before a quote). A word longer than a third of the
    room is cut inside."""
    one = " ".join(text.split())
    if len(one) <= limit:
        return one
    room = max(limit - 1, 1)
    if tail:
        cut = one[-room:]
        space = cut.find(" ")
        if one[-room - 1] != " " and 0 <= space < room * 2 // 3:
            cut = cut[space + 1 :]
        return "…" + cut.lstrip()
    cut = one[:room]
    space = cut.rfind(" ")
    if one[room] != " " and space > room // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def slug(text: str, limit: int = 48) -> str:
    """A lower-case ASCII slug safe in any file name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for part in parts:
        candidate = f"{out}-{part}" if out else part
        if len(candidate) > limit:
            break
        out = candidate
    return out or "article"


def quote_context(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(exact, prefix, suffix) for a span, with up to 32 characters of context."""
    return (
        text[start:end],
        text[max(0, start - QUOTE_CONTEXT) : start],
        text[end : end + QUOTE_CONTEXT],
    )


# --- the shape of a text: paragraphs and sub-headings -----------------------

_END_PUNCTUATION = tuple(".!?:;,…\"'”’)]")
HEADING_MAX_WORDS = 14
HEADING_MAX_CHARS = 90


@dataclass(frozen=True)
class Block:
    """A paragraph or sub-heading: ``text[start:end]``."""

    start: int
    end: int
    kind: str  # "paragraph" | "heading" | "caption"


def looks_like_heading(line: str) -> bool:
    """A short line without end punctuation, as news sub-headings are."""
    line = line.strip()
    return (
        0 < len(line) <= HEADING_MAX_CHARS
        and len(line.split()) <= HEADING_MAX_WORDS
        and not line.endswith(_END_PUNCTUATION)
        and line[0].isupper()
    )


# A photo's caption, as scraped into an article's text: a paragraph ending in
# its credit, "(Photo by Jane Doe/AFP)", "(AFP Photo)", "Photo: Reuters",
# "(Getty Images)", or opening "Photo: …".
_CREDIT = r"(?i:photo(?:graph)?s?|pictures?|images?|file\ photo)"
_NAME = r"[A-Z][\w'’.&-]*(?:[ /][A-Z][\w'’.&-]*){0,5}"  # Jane Doe/AFP, Reuters
_CAPTION = re.compile(
    rf"""(?:\(\s*(?:[^()]{{0,40}}\s)?{_CREDIT}\b[^()]{{0,60}}\)
        |\(\s*Getty\ Images\s*\)
        |\b{_CREDIT}\s*(?:(?i:by|credit)\s*:?|:)\s*{_NAME})
        [.\s]*$""",
    re.VERBOSE,
)
_CAPTION_START = re.compile(rf"^\s*{_CREDIT}\s*:")
CAPTION_MAX_WORDS = 60


_CREDIT_WORDS = ("photo", "picture", "image", "getty")
_CREDIT_TAIL = 160  # characters: a credit ends the paragraph


def looks_like_caption(paragraph: str) -> bool:
    """A photo's caption: a short paragraph ending in a photo credit (or
    starting "Photo:"), which the reader shows apart from the story. Asked of
    every paragraph when an article is laid out: the words are looked for
    first, in the paragraph's ends only (a tenth of the time of the patterns)."""
    if len(paragraph) > CAPTION_MAX_WORDS * 12:
        return False
    tail, head = paragraph[-_CREDIT_TAIL:].lower(), paragraph[:16].lower()
    if not any(word in tail or word in head for word in _CREDIT_WORDS):
        return False
    if "\n" in paragraph.strip() or len(paragraph.split()) > CAPTION_MAX_WORDS:
        return False
    return bool(
        _CAPTION.search(paragraph, max(0, len(paragraph) - _CREDIT_TAIL))
        or _CAPTION_START.match(paragraph)
    )


_PARAGRAPH_BREAK = re.compile(r"\n\n+")
_NOT_SPACE = re.compile(r"\S")


def is_heading_line(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is one line that :func:`looks_like_heading`,
    without copying a long line (a one-line text of megabytes is one block).
    Such a line under a paragraph's first is a related story's headline, scraped
    with the text (see reader.tui.widgets.layout)."""
    if text.find("\n", start, end) != -1:
        return False
    first = _NOT_SPACE.search(text, start, end)  # \s is what str.strip() strips
    if first is None:
        return False
    # Longer than a heading once stripped, if anything but spaces is further on.
    limit = first.start() + HEADING_MAX_CHARS
    if limit < end and _NOT_SPACE.search(text, limit, end) is not None:
        return False
    return looks_like_heading(text[first.start() : min(end, limit)])


def blocks(text: str) -> list[Block]:
    """Split normalised text into paragraphs, sub-headings and captions.

    A block is a run of lines between blank lines. A one-line block that looks
    like a heading and sits between paragraphs (not first) is a sub-heading; a
    one-line block ending in a photo credit is a caption.
    """
    # The text between runs of two or more line breaks, without a line break it
    # starts with (only the text's first can): a search for the breaks, so memory
    # stays that of the blocks found (a pattern matching the blocks themselves, a
    # repeated group, took ~120 bytes per character of a long line).
    out: list[Block] = []
    start = 0
    for gap in chain(_PARAGRAPH_BREAK.finditer(text), [None]):
        end = gap.start() if gap is not None else len(text)
        while start < end and text[start] == "\n":
            start += 1
        if start < end:
            kind = "heading" if out and is_heading_line(text, start, end) else "paragraph"
            if kind == "paragraph" and end - start <= CAPTION_MAX_WORDS * 12:
                kind = "caption" if looks_like_caption(text[start:end]) else kind
            out.append(Block(start, end, kind))
        if gap is not None:
            start = gap.end()
    # A heading needs body text after it; a trailing short line is a paragraph.
    if out and out[-1].kind == "heading":
        out[-1] = Block(out[-1].start, out[-1].end, "paragraph")
    return out


_JOINING = (
    r"[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}"
    r"\p{GCB=Regional_Indicator}\p{GCB=L}\p{GCB=V}\p{GCB=T}\r]"
)


def grapheme_bounds(text: str) -> list[int] | None:
    """Where the text's user-perceived characters (extended grapheme clusters:
    a flag, an emoji with its modifiers, a letter with its combining accents)
    start, and ``len(text)`` last; None when each code point is one, as in
    most texts, so that callers step by one."""
    if text.isascii():
        return None
    import regex

    # Only these join code points into one cluster (Unicode's segmentation rules):
    # without any, as in most non-ASCII news (accented letters are one code
    # point each, NFC), there is no need to walk the text with \X (slow: 75 ms
    # for 10,000 words).
    if not regex.search(_JOINING, text):
        return None
    starts = [match.start() for match in regex.finditer(r"\X", text)]
    if len(starts) == len(text):
        return None
    return [*starts, len(text)]


CLUSTER_WINDOW = 32  # code points looked at before an offset to find its character


def cluster_at(text: str, offset: int) -> tuple[int, int]:
    """The (start, end) of the user-perceived character (extended grapheme
    cluster) at ``offset``, found where it is: no walk over the whole text (a
    10,000-word article has to show without it). A character longer than
    CLUSTER_WINDOW code points, which no script or emoji sequence makes, could
    be cut."""
    if (
        offset < 0
        or offset >= len(text)
        or text[offset].isascii()
        and (offset + 1 == len(text) or text[offset + 1].isascii())
    ):
        return offset, offset + 1
    import regex

    start = max(0, offset - CLUSTER_WINDOW)
    for match in regex.finditer(r"\X", text, pos=start, endpos=min(len(text), offset + 64)):
        if match.start() <= offset < match.end():
            return match.start(), match.end()
    return offset, offset + 1
