"""Long texts, recognised in pieces: where a text too long for the model is cut.

spaCy refuses a text longer than its ``nlp.max_length`` (1,000,000 characters),
and the model's memory grows with the text it is given (measured: 400 MB for
100,000 characters of English): a longer text goes to the model in pieces of
at most CHUNK_CHARS, a few at a time (~80 MB), whose entities are then moved
to the whole text's offsets. A text of at most WHOLE_CHARS goes whole, as it
always has: pieces would change what the rules that look across the article
find (reader.core.entity_rules), which in a longer text they do within each
piece. (A news article is a few thousand characters; 100,000 is a long report,
about 400 MB in the model: the most any one text costs.)
"""

from __future__ import annotations

import re

WHOLE_CHARS = 100_000
CHUNK_CHARS = 10_000
CHUNK_BATCH = 4  # pieces per nlp.pipe batch: the memory of a few pieces, not of the text
# Where a piece may end, best first: a paragraph break, a line break, a sentence
# end, any space. The last one in the second half of the piece's room is taken;
# with none there (5,000 characters without a space), the piece is cut.
_PIECE_ENDS = (
    re.compile(r"\n\n+"),
    re.compile(r"\n"),
    re.compile(r"[.!?…][\"'”’)\]]*\s+"),
    re.compile(r"\s+"),
)


def _last_end(pattern: re.Pattern[str], text: str, start: int, end: int) -> int | None:
    last = None
    for match in pattern.finditer(text, start, end):
        last = match.end()
    return last


def chunk_bounds(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of ``text``, none longer than ``size``,
    that cover it, each ending at the best boundary it can (see _PIECE_ENDS)."""
    bounds = []
    start = 0
    while len(text) - start > size:
        end = start + size
        cut = next(
            (
                found
                for pattern in _PIECE_ENDS
                if (found := _last_end(pattern, text, start + size // 2, end)) is not None
            ),
            end,
        )
        bounds.append((start, cut))
        start = cut
    bounds.append((start, len(text)))
    return bounds
