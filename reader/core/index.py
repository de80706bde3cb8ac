"""The library index: a derived cache for fast listing and search.

``annotations/.index.json`` holds, per article, its metadata, note count,
annotation tags and entity names, with the size and mtime of the two files it
was read from. Listing scans the folders (one ``scandir`` each) and re-reads
only the articles whose files changed, so it stays fast at any library size
and picks up writes by other processes. The index is never the only copy of
anything: deleted or unreadable, it is rebuilt from the per-article files.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

INDEX_VERSION = 4
INDEX_NAME = ".index.json"


@dataclass
class IndexEntry:
    stamp: list[int]  # text size, text mtime, store size, store mtime (ns)
    info: dict[str, Any]
    note_count: int
    tags: list[str] = field(default_factory=list)  # tags used on its annotations
    entities: list[list[str]] = field(default_factory=list)  # distinct [name, label]
    problems: list[str] = field(default_factory=list)


def _stats(folder: Path, suffix: str) -> dict[str, os.stat_result]:
    found: dict[str, os.stat_result] = {}
    with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(suffix) and entry.is_file():
                found[entry.name[: -len(suffix)]] = entry.stat()
    return found


def _stamp(text: os.stat_result, store: os.stat_result | None) -> list[int]:
    return [
        text.st_size,
        text.st_mtime_ns,
        store.st_size if store else -1,
        store.st_mtime_ns if store else -1,
    ]


class LibraryIndex:
    def __init__(self, articles_dir: Path, annotations_dir: Path) -> None:
        self.articles_dir, self.annotations_dir = articles_dir, annotations_dir
        self.path = annotations_dir / INDEX_NAME
        self.entries: dict[str, IndexEntry] = {}

    def saved(self) -> dict[str, IndexEntry]:
        """The entries as last saved (possibly stale), without bringing them up to date."""
        return self._load()

    def _load(self) -> dict[str, IndexEntry]:
        try:
            data = orjson.loads(self.path.read_bytes())
            if data.get("version") != INDEX_VERSION:
                return {}
            return {key: IndexEntry(**value) for key, value in data["articles"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}  # missing or unreadable: rebuilt from the articles

    def _save(self) -> None:
        data = {
            "version": INDEX_VERSION,
            "articles": {key: entry.__dict__ for key, entry in self.entries.items()},
        }
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            tmp.write_bytes(orjson.dumps(data))
            os.replace(tmp, self.path)  # a cache: atomic, but no need to fsync
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def refresh(
        self, ids: list[str], read: Callable[[str], IndexEntry], extra: list[int] = ()
    ) -> dict[str, IndexEntry]:
        """Entries for ``ids``, re-reading (with ``read``) those whose files changed."""
        old = self.entries or self._load()
        texts = _stats(self.articles_dir, ".txt")
        stores = _stats(self.annotations_dir, ".json")
        fresh: dict[str, IndexEntry] = {}
        changed = set(old) != set(ids)
        for article_id in ids:
            if article_id not in texts:
                continue
            stamp = _stamp(texts[article_id], stores.get(article_id)) + list(extra)
            entry = old.get(article_id)
            if entry is None or entry.stamp != stamp:
                entry = read(article_id)
                entry.stamp = stamp
                changed = True
            fresh[article_id] = entry
        self.entries = fresh
        if changed and self.annotations_dir.is_dir():
            self._save()
        return fresh
