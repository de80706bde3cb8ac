"""Laying an article's text out in lines of a given width.

Every character of the text belongs to exactly one line, so a text offset
maps to one (row, column) and back; wrapping happens at spaces, which stay at
the end of the line they break. Rows are derived, never stored: positions are
text offsets.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from rich.cells import get_character_cell_size

from reader.core.text import blocks, is_heading_line


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    kind: str  # "paragraph" | "heading" | "caption" | "aside" | "blank"


def cells(char: str) -> int:
    """The terminal cells a character of the text takes; a newline shows as a space."""
    return 1 if char == "\n" else get_character_cell_size(char)


def _wrap(text: str, start: int, end: int, width: int, kind: str) -> list[Line]:
    """Lines of at most ``width`` characters: for a text whose characters are one cell wide."""
    lines = []
    pos = start
    while end - pos > width:
        space = text.rfind(" ", pos, pos + width)
        brk = space + 1 if space > pos else pos + width
        lines.append(Line(pos, brk, kind))
        pos = brk
    lines.append(Line(pos, end, kind))
    return lines


# Wide-script punctuation that never starts a line (a light form of kinsoku).
_NO_LINE_START = frozenset("、。，．・：；？！）」』】〕〉》ー〜…‥々ゝゞヽヾ")


def _wrap_cells(text: str, start: int, end: int, width: int, kind: str) -> list[Line]:
    """Lines of at most ``width`` cells, for text with wide (CJK, emoji) or
    zero-width characters: the same breaks as :func:`_wrap` on one-cell text,
    and also before or after any wide character, since Chinese and Japanese are
    written without spaces (but never before 、 or 。)."""
    lines = []
    pos = i = start
    used = 0  # the cells of text[pos:i]
    brk = -1  # where the line may end last seen in text[pos:i] (the next line's start)
    while i < end:
        char = text[i]
        size = cells(char)
        if used + size > width and i > pos:
            cut = brk if brk > pos else i
            lines.append(Line(pos, cut, kind))
            used = sum(cells(c) for c in text[cut:i])
            pos, brk = cut, -1
            continue
        if i > pos and char not in _NO_LINE_START and (size == 2 or cells(text[i - 1]) == 2):
            brk = i
        if char == " ":
            brk = i + 1
        used += size
        i += 1
    lines.append(Line(pos, end, kind))
    return lines


class Layout:
    """The text's lines at one width, with offset <-> (row, column) mapping."""

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(10, width)
        self.lines: list[Line] = []
        # Columns are terminal cells: when every character takes one, they are
        # character counts too, and the quick paths below apply.
        self.narrow = all(cells(c) == 1 for c in set(text))
        wrap = _wrap if self.narrow else _wrap_cells
        for block in blocks(text):
            if self.lines:
                # The blank line between blocks: the previous line keeps the
                # first separator newline(s), the blank row owns the last one.
                previous = self.lines[-1]
                self.lines[-1] = Line(previous.start, block.start - 1, previous.kind)
                self.lines.append(Line(block.start - 1, block.start, "blank"))
            pos = block.start
            while pos <= block.end:  # hard line breaks inside a block
                newline = text.find("\n", pos, block.end)
                line_end = block.end if newline == -1 else newline
                # A related story's headline under a paragraph: shown apart.
                under = block.kind == "paragraph" and pos > block.start
                kind = "aside" if under and is_heading_line(text, pos, line_end) else block.kind
                # The newline character itself belongs to the line it ends.
                wrapped = wrap(text, pos, line_end, self.width, kind)
                if newline != -1:
                    last = wrapped[-1]
                    wrapped[-1] = Line(last.start, newline + 1, last.kind)
                self.lines += wrapped
                if newline == -1:
                    break
                pos = newline + 1
        self._text_rows = [i for i, line in enumerate(self.lines) if line.kind != "blank"]
        self._starts = [line.start for line in self.lines]

    def __len__(self) -> int:
        return len(self.lines)

    def row_of(self, offset: int) -> int:
        """The row holding the character at ``offset``."""
        return max(0, bisect_right(self._starts, offset) - 1)

    def position(self, offset: int) -> tuple[int, int]:
        """The (row, column) of ``offset``: the column counts cells, not characters."""
        row = self.row_of(offset)
        start = self.lines[row].start if self.lines else 0
        if self.narrow:
            return row, offset - start
        return row, sum(cells(c) for c in self.text[start:offset])

    def cell_width(self, line: Line) -> int:
        """The cells ``line`` takes on screen."""
        if self.narrow:
            return line.end - line.start
        return sum(cells(c) for c in self.text[line.start : line.end])

    def offset_at(self, row: int, column: int) -> int:
        """The text offset nearest to a (row, column) on screen (column in cells)."""
        if not self.lines:
            return 0
        row = min(max(row, 0), len(self.lines) - 1)
        line = self.lines[row]
        last = max(line.start, line.end - 1)
        if self.narrow:
            return min(line.start + max(column, 0), last)
        used = 0
        for offset in range(line.start, last):
            used += cells(self.text[offset])
            if used > column:
                return offset
        return last

    def step_row(self, offset: int, delta: int, column: int) -> int:
        """The offset ``delta`` text rows away (blank rows skipped) at ``column``."""
        if not self._text_rows:
            return offset
        row = self.row_of(offset)
        index = bisect_right(self._text_rows, row) - 1 + delta
        index = min(max(index, 0), len(self._text_rows) - 1)
        return self.offset_at(self._text_rows[index], column)
