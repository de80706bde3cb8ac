"""Reader's part of a Markdown file that the reader writes in too.

``reader export --format md --output DIR/`` writes one file per article into
what is often an Obsidian vault, where the reader adds their own properties
and notes. Each file is::

    ---
    title: "…"                  the front matter: reader's properties, and yours
    ---

    <!-- reader: start (this part is rewritten by reader export) -->

    # Title …

    <!-- reader: end -->

    (anything you write here, or above the start line, is yours)

A re-export (:func:`merge`) replaces the lines from the start marker to the
end marker, and in the front matter the properties reader writes this time
(title, author, source, date, tags: rewritten, so change an article's tags in
reader); every other byte of the file, other properties included, stays as it
was. The front matter stays at the top, where Obsidian reads it, so it cannot
sit inside the markers: its properties are merged one by one instead.

A file without the two markers (made by hand, or by a reader before them) is
left as it is (:class:`Unmergeable`), never overwritten and never appended to:
reader's part added at its end would put a second copy of the highlights
under the first one in every file an older reader made, and the copy would
be the reader's to clean up by hand. Left alone, the file loses nothing, and
the export says which it left; the two marker lines, put by hand where
reader's part should go, let reader write into it.
"""

from __future__ import annotations

import re

START = "<!-- reader: start (this part is rewritten by reader export) -->"
END = "<!-- reader: end -->"

_BOM = "\ufeff"
# A property's first line: its key (plain or quoted) at the start of the line.
_KEY = re.compile(r"""("[^"]*"|'[^']*'|[^\s#][^:]*?)[ \t]*:(?:[ \t\r]|$)""")


class Unmergeable(Exception):
    """A file reader leaves as it is; ``str(error)`` says why in a few words."""


def _marker(line: str) -> str:
    """The kind of a marker line, "start" or "end" (a marker starts its line), else ""."""
    text = line.rstrip()
    for kind in ("start", "end"):
        if text.startswith(f"<!-- reader: {kind}") and text.endswith("-->"):
            return kind
    return ""


def _defuse(part: str) -> str:
    """Reader's part with no line that reads as a marker: a note is Markdown as
    the reader wrote it, and one holding a marker line would end the part early.
    One space before it keeps it what it was to Markdown (an HTML comment)."""
    return "\n".join(" " + line if _marker(line) else line for line in part.split("\n"))


def wrap(front_matter: str, part: str) -> str:
    """A new file: the front matter (with its ``---`` lines), then reader's part."""
    return f"{front_matter}\n\n{START}\n\n{_defuse(part)}\n\n{END}\n"


def _front_lines(lines: list[str]) -> int:
    """How many lines the front matter takes at the top of the file (0: none)."""
    if lines and lines[0].rstrip() == "---":
        for number in range(1, len(lines)):
            if lines[number].rstrip() == "---":
                return number + 1
    return 0


def _properties(lines: list[str]) -> list[tuple[str | None, list[str]]]:
    """The front matter's lines (between the ``---`` lines) as top-level
    properties: each key (None for a comment or a line of no property) with its
    lines, the indented ones, list items and blank lines that follow it."""
    entries: list[tuple[str | None, list[str]]] = []
    for line in lines:
        item = line.startswith("-") and line[1:2] in ("", " ", "\t", "\r", "\n")
        inside = item or line[:1] in (" ", "\t") or not line.strip()
        match = None if inside or line.startswith("#") else _KEY.match(line)
        if match:
            entries.append((match[1].strip("\"'"), [line]))
        elif inside and entries:
            entries[-1][1].append(line)
        else:
            entries.append((None, [line]))
    return entries


def _blank_tail(lines: list[str]) -> list[str]:
    at = len(lines)
    while at > 1 and not lines[at - 1].strip():
        at -= 1
    return lines[at:]


def _merge_front(old: list[str], new: list[str]) -> list[str]:
    """The old front matter's lines with reader's properties as in ``new``: each
    in the place of the old one, those the old lacks after the last of reader's
    found (or first); a property reader does not write this time is kept."""
    made = {key: lines for key, lines in _properties(new) if key is not None}
    out: list[str] = []
    at = 0
    for key, lines in _properties(old):
        if key in made:
            out += made.pop(key) + _blank_tail(lines)
            at = len(out)
        else:
            out += lines
    out[at:at] = [line for lines in made.values() for line in lines]
    return out


def _part(lines: list[str], first: int) -> tuple[int, int]:
    """Where reader's part is in ``lines`` (after the front matter, from ``first``):
    the start marker's line and the line after the end marker's."""
    starts = [n for n in range(first, len(lines)) if _marker(lines[n]) == "start"]
    ends = [n for n in range(first, len(lines)) if _marker(lines[n]) == "end"]
    if not starts and not ends:
        raise Unmergeable("no reader markers")  # made by hand, or by a reader before them
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise Unmergeable("reader markers missing, repeated or out of order")
    return starts[0], ends[0] + 1


def merge(old: str, new: str) -> str:
    """``old`` (a file as it is) with reader's part and properties from ``new``
    (made by :func:`wrap`), in the old file's line ends; raises Unmergeable.
    An empty file (or one of blank lines) has nothing to keep: it becomes ``new``."""
    if not old.strip():
        return new
    bom = _BOM if old.startswith(_BOM) else ""
    lines = old[len(bom) :].splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    made = new.replace("\n", newline).splitlines(keepends=True)
    front = _front_lines(lines)
    start, end = _part(lines, front)
    made_front = _front_lines(made)
    made_start, made_end = _part(made, made_front)
    if front:
        top = [lines[0], *_merge_front(lines[1 : front - 1], made[1 : made_front - 1])]
        top.append(lines[front - 1])
    else:
        top = made[:made_front]
    body = lines[front:start] + made[made_start:made_end] + lines[end:]
    return bom + "".join(top + body)
