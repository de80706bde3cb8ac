"""Positions in an old text mapped into a new one, through a diff of the two.

The diff is diff_match_patch's, given at most :data:`DIFF_TIMEOUT` seconds (one
cut short is coarser: fewer, larger replaced runs). :class:`DiffMap` maps a
span's bounds: its start goes after text inserted where it starts, its end
before text inserted where it ends but after what replaced a deleted end of the
span. A position inside a replaced run is guessed as far into what replaced it
(:meth:`DiffMap.near`, a hint where to look), and :meth:`DiffMap.kept` tells
whether text of the new one was in the old text unchanged. :func:`diff_map`
keeps the last few maps: an article's annotations are all re-anchored on one.

A diff aligns characters, not passages: it can carry a span onto another
passage that repeats its words, which only the context shows (the re-anchoring,
:mod:`reader.core.anchoring`, checks it).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache

from diff_match_patch import diff_match_patch

DIFF_TIMEOUT = 0.5  # seconds diff_match_patch may spend on a diff


class DiffMap:
    """Positions of an old text mapped into a new one through their diff."""

    def __init__(self, diffs: list[tuple[int, str]]) -> None:
        # One row per kept or deleted run of the old text:
        # old start, old length, new start, deleted?, length inserted right after it.
        self.old_starts: list[int] = []
        self.rows: list[list[int]] = []
        # The kept runs in the new text: starts and ends.
        self.kept_starts: list[int] = []
        self.kept_ends: list[int] = []
        old = new = 0
        previous = None
        for op, chunk in diffs:
            size = len(chunk)
            if op == diff_match_patch.DIFF_INSERT:
                if previous == diff_match_patch.DIFF_DELETE:
                    self.rows[-1][4] += size
                new += size
            else:
                deleted = op == diff_match_patch.DIFF_DELETE
                self.old_starts.append(old)
                self.rows.append([old, size, new, int(deleted), 0])
                old += size
                if not deleted:
                    self.kept_starts.append(new)
                    self.kept_ends.append(new + size)
                    new += size
            previous = op
        self.old_length = old
        self.new_length = new

    def kept(self, start: int, end: int) -> bool:
        """Whether the new text's ``start..end`` was in the old text unchanged."""
        i = bisect_right(self.kept_starts, start) - 1
        return i >= 0 and end <= self.kept_ends[i]

    def start(self, position: int) -> int:
        """Where a span starting at ``position`` starts: after text inserted there."""
        if position >= self.old_length:
            return self.new_length
        old, _, new, deleted, _ = self.rows[bisect_right(self.old_starts, position) - 1]
        return new if deleted else new + position - old

    def near(self, position: int) -> int:
        """Where ``position`` is likely to be: inside a replaced run, as far into
        what replaced it (a hint when the diff is coarse)."""
        if position >= self.old_length:
            return self.new_length
        old, size, new, deleted, inserted = self.rows[bisect_right(self.old_starts, position) - 1]
        if not deleted:
            return new + position - old
        return new + (position - old) * inserted // size

    def end(self, position: int) -> int:
        """Where a span ending at ``position`` ends: before text inserted there,
        but after what replaced a deleted end of the span."""
        if position <= 0:
            return 0
        old, _, new, deleted, inserted = self.rows[bisect_left(self.old_starts, position) - 1]
        return new + inserted if deleted else new + position - old


@lru_cache(maxsize=8)
def diff_map(old_text: str, text: str) -> DiffMap:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = DIFF_TIMEOUT
    return DiffMap(dmp.diff_main(old_text, text))
