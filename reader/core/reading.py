"""What the reader has read: where they left each article, and which they have
read. Each is one small file of its own in ``annotations/`` (a JSON object by
article id), apart from the stores, so that reading never changes an
article's store, which the reader keeps in git with the notes.

Both are written atomically under a lock, as a store is. An unreadable file
reads as empty and is replaced on the next write: a reading position is only
a place to scroll back to, and a read mark is one key (``N``) away; neither is
a note.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from reader.core.durable import atomic_write
from reader.core.locks import flocked

POSITIONS_NAME = ".positions.json"
READ_NAME = ".read.json"

Writing = Callable[[], contextlib.AbstractContextManager[Any]]


class _KeyedFile:
    """A JSON object by article id in one file, written whole, atomically, under a lock."""

    name = ""

    def __init__(self, annotations_dir: Path, writing: Writing | None = None) -> None:
        self.path = annotations_dir / self.name
        lock = self.name.strip(".").removesuffix(".json")
        self._lock_path = annotations_dir / ".locks" / f"_{lock}.lock"
        self._writing = writing

    def _valid(self, value: object) -> bool:
        raise NotImplementedError

    def _read(self) -> dict[str, Any]:
        try:
            data = orjson.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if self._valid(v)}

    def stamp(self) -> str:
        """The file's size, mtime and inode ("-": none), to tell that it changed."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return "-"
        return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"

    def _change(self, change: Callable[[dict[str, Any]], bool]) -> tuple[str, str]:
        """Apply ``change`` to the contents under the lock and write them if it
        says they changed; the file's stamps before and after."""
        around = self._writing() if self._writing else contextlib.nullcontext()
        with around, flocked(self._lock_path):
            before = self.stamp()
            contents = self._read()
            if change(contents):
                atomic_write(self.path, orjson.dumps(contents, option=orjson.OPT_SORT_KEYS))
            return before, self.stamp()


class ReadingPositions(_KeyedFile):
    """Where the reader left each article: a text offset
    (``annotations/.positions.json``)."""

    name = POSITIONS_NAME

    def _valid(self, value: object) -> bool:
        return type(value) is int and value >= 0

    def get(self, article_id: str) -> int | None:
        return self._read().get(article_id)

    def set(self, article_id: str, offset: int) -> None:
        def change(positions: dict[str, Any]) -> bool:
            positions[article_id] = offset
            return True

        self._change(change)


class ReadMarks(_KeyedFile):
    """The articles the reader has read, each with the day it was marked so
    (``annotations/.read.json``). The library index keeps a copy, for the
    list's column and ``is:unread`` (see reader.core.catalog)."""

    name = READ_NAME

    def _valid(self, value: object) -> bool:
        return isinstance(value, str)

    def read_ids(self) -> dict[str, str]:
        """The ids of the articles read, with the day each was marked read."""
        return self._read()

    def set(self, article_ids: Iterable[str], read: bool = True) -> tuple[str, str]:
        """Mark these articles read (today) or unread; the file is written only if
        that changes it. The file's stamps before and after."""
        wanted = list(article_ids)
        today = date.today().isoformat()
        # Nothing to change (an article read opened again): no lock, no write.
        marks = self._read()
        if all((article_id in marks) == read for article_id in wanted):
            stamp = self.stamp()
            return stamp, stamp

        def change(marks: dict[str, Any]) -> bool:
            changed = False
            for article_id in wanted:
                if read and article_id not in marks:
                    marks[article_id] = today
                    changed = True
                elif not read and marks.pop(article_id, None) is not None:
                    changed = True
            return changed

        return self._change(change)
