"""Importers: one module per input format, each returning ArticleDrafts.

The only exception an importer raises for bad input is :class:`ImportFailed`,
whose message is one line naming the reason.
"""

from __future__ import annotations

from pathlib import Path

from reader.core.models import ArticleDraft

MAX_BYTES = 20 * 1024 * 1024


class ImportFailed(Exception):
    """An input that cannot be imported; ``str(error)`` is a one-line reason."""


def read_text_file(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The file decoded as UTF-8, or ImportFailed with a one-line reason."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImportFailed(f"{path}: file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFailed(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise ImportFailed(f"{path}: cannot read ({error.strerror})") from None
    if b"\x00" in raw[:8192]:
        raise ImportFailed(f"{path}: binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(f"{path}: not valid UTF-8 (byte {error.start})") from None


def import_path(path: Path) -> list[ArticleDraft]:
    """Read one file into article drafts (plain text for now)."""
    from reader.core.importers.plaintext import parse_plaintext

    return [parse_plaintext(read_text_file(path), source=str(path.resolve()))]
