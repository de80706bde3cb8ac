"""One export, start to end: what ``reader export`` and the app's export dialog
both call. Writes are atomic; nothing is half-written."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from reader.core.export import (
    FORMATS,
    ExportError,
    Options,
    default_creator,
    export,
    gather,
    needs_entities,
)
from reader.core.library import Library
from reader.core.store import atomic_write


@dataclass
class ExportResult:
    text: str | None  # the stream, when there was no output path
    written: list[Path]  # the files written
    articles: int


def run_export(
    library: Library,
    fmt: str,
    query: str = "",
    *,
    output: str | None = None,
    csv_layout: str = "readwise",
    creator: str | None = None,
) -> ExportResult:
    """Gather, render and write (to ``output``, a file or a folder) or return the stream.

    Raises ExportError (or ModelUnavailable, for formats with entities, when
    none are cached and no model loads) and OSError when writing fails.
    """
    from reader.core.entities import EntityService

    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    service = EntityService(rules=library.rule_store()) if needs_entities(fmt) else None
    options = Options(
        creator=creator or default_creator(),
        csv_layout=csv_layout,
        rules=tuple(library.rule_store().corrections()) if fmt == "w3c" else (),
    )
    items = gather(library, query, entities=needs_entities(fmt), service=service)
    path = Path(output).expanduser() if output else None
    # A folder when asked for (an existing folder, or a path ending in /), or
    # when the format makes several files and there is somewhere to put them.
    _, _, can_stream, _ = FORMATS[fmt]
    several = not can_stream or (fmt == "html" and len(items) != 1)
    to_folder = path is not None and (path.is_dir() or output.endswith("/") or several)
    result = export(fmt, items, options, files=to_folder)
    if isinstance(result, dict):
        assert path is not None
        path.mkdir(parents=True, exist_ok=True)
        written = []
        for name, content in result.items():
            atomic_write(path / name, content.encode("utf-8"))
            written.append(path / name)
        return ExportResult(None, written, len(items))
    if path is None:
        return ExportResult(result, [], len(items))
    _write(path, result.encode("utf-8"))
    return ExportResult(None, [path], len(items))


def _write(path: Path, data: bytes) -> None:
    """A file is replaced atomically; a pipe, a device or a socket (``-o
    /dev/stdout``, a FIFO) is written to, never replaced by a file."""
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        special = False
    if special:
        with open(path, "wb") as handle:
            handle.write(data)
    else:
        atomic_write(path.resolve(), data)
