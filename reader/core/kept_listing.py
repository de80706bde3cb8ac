"""``reader list``'s whole-library listing, kept in a file beside the index.

A file per sort order holds the lines (UTF-8, one per article, each ended by a
newline), where each line starts, and each article's line by its row id in the
index (-1: none), as of one state of the index: its stamp, the index's build
and version, is in the file's first line, and a file of another stamp is not
used. A query's lines are picked from it (12,000 of 100,000 in a few
milliseconds). A file, not a table of the index: mapped, only the lines picked
are read; SQLite reads a 12 MB value whole, page by page (at 100,000 articles,
listing the 17,000 that mention a name took 39 ms from a table, 10 from the file).

Derived data, like the index: written atomically (another process reads the
old file or the new one) but not synced; a file cut short by a crash is of the
wrong length, and made again.
"""

from __future__ import annotations

import contextlib
import mmap
import sys
from array import array
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from reader.core.durable import atomic_write, remove_stray_temporaries

# The format, and the byte order of its arrays (a folder synced from another machine).
MAGIC = f"reader-listing-1-{sys.byteorder}".encode()


@dataclass(frozen=True)
class KeptListing:
    data: bytes | mmap.mmap  # every line, in order, from ``base`` on
    base: int
    starts: array  # where each line starts after ``base``, and where the last ends
    where: array  # each row id's line number (-1: not listed)

    @classmethod
    def from_rows(cls, rows: list[tuple[int, str]]) -> KeptListing:
        """From the (rowid, line) rows of the whole library, in order."""
        encoded = [text.encode() for _, text in rows]
        starts = array("q", [0])
        starts.extend(accumulate(len(e) for e in encoded))
        where = array("q", [-1]) * (max((rowid for rowid, _ in rows), default=-1) + 1)
        for number, (rowid, _) in enumerate(rows):
            where[rowid] = number
        return cls(b"".join(encoded), 0, starts, where)

    def whole(self) -> bytes:
        return self.data[self.base :]

    def pick(self, rowids: set[int]) -> bytes:
        """The lines of these articles, in the listing's order."""
        data, base, starts, where = self.data, self.base, self.starts, self.where
        last, count = len(where), len(starts) - 1  # (a line out of range: none)
        picked = sorted(i for r in rowids if 0 <= r < last and 0 <= (i := where[r]) < count)
        return b"".join([data[base + starts[i] : base + starts[i + 1]] for i in picked])

    def close(self) -> None:
        if isinstance(self.data, mmap.mmap):
            self.data.close()


def read(path: Path, stamp: str) -> KeptListing | None:
    """The listing kept at ``path`` for the index as ``stamp`` says, if any
    (mapped, not read: a query's lines are a part of it; close it after use)."""
    try:
        with open(path, "rb") as file:
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # (ValueError: an empty file)
        return None
    head = data[:200].partition(b"\n")[0]
    starts, where = array("q"), array("q")
    try:
        magic, kept_stamp, starts_size, where_size = head.split(b"\t")
        if magic != MAGIC or kept_stamp != stamp.encode():
            raise ValueError("another format or state of the index")
        first = len(head) + 1
        base = first + int(starts_size) + int(where_size)
        starts.frombytes(data[first : first + int(starts_size)])  # (whole items, or ValueError)
        where.frombytes(data[first + int(starts_size) : base])
        if not starts or starts[-1] != len(data) - base:  # cut short
            raise ValueError("cut short")
    except ValueError:
        data.close()
        return None
    return KeptListing(data, base, starts, where)


def write(path: Path, stamp: str, kept: KeptListing) -> None:
    """Keep the listing at ``path`` (quietly not, when the folder cannot be
    written, or another process holds the file on Windows)."""
    starts, where = kept.starts.tobytes(), kept.where.tobytes()
    head = b"\t".join((MAGIC, stamp.encode(), b"%d" % len(starts), b"%d" % len(where)))
    with contextlib.suppress(OSError):  # those a writer that died left
        remove_stray_temporaries(path.parent)
    with contextlib.suppress(OSError):
        atomic_write(path, b"".join((head, b"\n", starts, where, kept.whole())), sync=False)
