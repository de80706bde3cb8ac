"""Changing a library's files behind reader's back, as people and tools do."""

from __future__ import annotations

import os
from pathlib import Path


def replace_by_hand(path: Path, data: bytes) -> None:
    """Write ``path`` as git, rsync and most editors save a file: a new file
    renamed over the old one. The library index sees such a change at once (the
    folder's mtime moves); a file rewritten in place is found by ``reader
    doctor`` and when its article is opened (see test_catalog)."""
    tmp = path.with_name(f"{path.name}.edit")
    tmp.write_bytes(data)
    os.replace(tmp, path)
