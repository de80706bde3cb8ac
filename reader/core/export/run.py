"""One export, start to end: what ``reader export`` and the app's export dialog
both call. Writes are atomic; nothing is half-written."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from reader.core.durable import atomic_write
from reader.core.export import (
    FORMATS,
    ExportError,
    Options,
    default_creator,
    export,
    gather,
    needs_entities,
)
from reader.core.export.managed import Unmergeable, merge
from reader.core.library import Library


class FilesKept(ExportError):
    """Files of a folder export left as they were (the others are written)."""


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
    listed: bool = False,
) -> ExportResult:
    """Gather (``listed``: every note of the articles the query lists; see
    gather), render and write (to ``output``, a file or a folder) or return the
    stream.

    Raises ExportError (or ModelUnavailable, for formats with entities, when
    none are cached and no model loads) and OSError when writing fails;
    FilesKept (an ExportError) after writing the rest, when Markdown files in
    the folder are not reader's to rewrite (see reader.core.export.managed).
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
    items = gather(library, query, listed=listed, entities=needs_entities(fmt), service=service)
    if not items and query.strip():  # nothing written (an earlier export is not emptied)
        if listed:
            raise ExportError("no article the query lists has notes: nothing exported")
        raise ExportError("no note matches the query: nothing exported")
    path = Path(output).expanduser() if output else None
    # A folder when asked for (an existing folder, or a path ending in /), or
    # when the format makes several files and there is somewhere to put them.
    several = not FORMATS[fmt].suffix or (fmt == "html" and len(items) != 1)
    asked = path is not None and (path.is_dir() or str(output).endswith("/"))
    if several and path is not None and not asked and path.suffix:
        # "x.html" names a file: a folder made with that name would surprise, and
        # a folder name with a dot ("notes.v2") is told apart by its final /.
        what = f"a page per article ({len(items)} here)" if fmt == "html" else "files per article"
        raise ExportError(
            f"{fmt} makes {what}: give --output a folder, not {output} "
            "(a name ending in / is a folder)"
        )
    to_folder = path is not None and (asked or several)
    result = export(fmt, items, options, files=to_folder)
    if isinstance(result, dict):
        assert path is not None
        path.mkdir(parents=True, exist_ok=True)
        written, kept = [], []
        for name, content in result.items():
            try:  # Markdown files are where the reader writes too: only reader's part changes
                text = _merged(path / name, content) if fmt == "md" else content
            except Unmergeable as why:
                kept.append((name, str(why)))
                continue
            atomic_write(path / name, text.encode("utf-8"))
            written.append(path / name)
        if kept:
            raise FilesKept(_kept_message(output, written, kept))
        return ExportResult(None, written, len(items))
    if path is None:
        return ExportResult(result, [], len(items))
    _write(path, result.encode("utf-8"))
    return ExportResult(None, [path], len(items))


def _merged(path: Path, made: str) -> str:
    """A Markdown file as the export leaves it: ``made``, or, when there is a
    file already, that file with reader's part of it replaced."""
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        return made
    try:
        return merge(old.decode("utf-8"), made)
    except UnicodeDecodeError:
        raise Unmergeable("not UTF-8 text") from None


def _kept_message(folder: str | None, written: list[Path], kept: list[tuple[str, str]]) -> str:
    listing = ", ".join(f"{name} ({why})" for name, why in kept[:3])
    if len(kept) > 3:
        listing += f" and {len(kept) - 3} more"
    one = len(kept) == 1
    return (
        f"wrote {len(written)} file(s) to {folder}, but left {listing} as "
        f"{'it was' if one else 'they were'}: move {'it' if one else 'them'} away, or add "
        "reader's two marker lines where its part goes (see README, Exports)"
    )


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
