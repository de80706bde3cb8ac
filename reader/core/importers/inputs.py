"""What a user typed (files, folders, standard input, URLs) to one
:class:`~reader.core.importers.Imported` per input: its drafts, or a one-line
reason it failed. A file's bytes are read up to a limit; a folder's members that
are not articles are skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from reader.core.importers import MAX_BYTES, ImportBug, Imported, ImportFailed
from reader.core.importers.cleaning import without_credentials
from reader.core.importers.decoding import from_bom
from reader.core.importers.detect import is_binary, looks_like_prose, sniff
from reader.core.importers.parsing import parse_bytes, unexpected
from reader.core.models import ArticleDraft
from reader.core.text import strip_controls


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes, or ImportFailed with a one-line reason. At most
    ``max_bytes`` are read, whatever the size the file claims: a device
    (``/dev/zero``) or a pipe has none, and would otherwise be read forever."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImportFailed(f"{path}: file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        with path.open("rb") as file:
            data = _read_at_most(file, max_bytes + 1)
        if len(data) > max_bytes:
            raise ImportFailed(f"{path}: over the {max_bytes:,}-byte limit")
        return data
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFailed(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise ImportFailed(f"{path}: cannot read ({error.strerror})") from None


def _read_at_most(file: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``file``, read a megabyte at a time (one read of
    ``limit`` would take that much memory first)."""
    data = bytearray()
    while len(data) < limit and (chunk := file.read(min(1 << 20, limit - len(data)))):
        data += chunk
    return bytes(data)


def import_path(path: Path, max_bytes: int = MAX_BYTES) -> list[ArticleDraft]:
    """Drafts from one file (any format)."""
    drafts, _ = parse_bytes(read_bytes(path, max_bytes), str(path), str(path.resolve()))
    return drafts


# Text files in a folder that are code or data, not articles.
_NOT_ARTICLE_SUFFIXES = {
    ".py",
    ".js",
    ".mjs",
    ".ts",
    ".css",
    ".scss",
    ".json",
    ".jsonl",
    ".csv",
    ".tsv",
    ".svg",
    ".c",
    ".h",
    ".cpp",
    ".rs",
    ".go",
    ".java",
    ".rb",
    ".sh",
    ".toml",
    ".yaml",
    ".yml",
    ".ini",
    ".cfg",
    ".lock",
    ".log",
    ".ann",
    ".tcss",
    ".map",
    ".sql",
}


def _article_like(data: bytes, name: str) -> bool:
    """A folder member worth importing: a page, a feed, Markdown or prose."""
    try:
        data, _ = from_bom(data, name)
    except ImportFailed:
        return True  # a text file by its byte order mark: its import says what is wrong
    if not data.strip() or is_binary(data):
        return False
    if Path(name).suffix.lower() in _NOT_ARTICLE_SUFFIXES:
        return False
    kind = sniff(data, name)
    if kind != "text":
        return True
    # Judged without its escape sequences (removed on import): the ; and ] of an
    # ESC]0;title BEL are no code.
    return looks_like_prose(strip_controls(data[:8192].decode("utf-8", "ignore")))


def _files(folder: Path) -> Iterator[Path]:
    """The folder's files, in order, hidden ones left out; a symbolic link is not
    followed (to a file or a folder): a folder imported is what it holds, not
    what its links point to (``/etc/passwd``, the home folder, a loop)."""
    found: list[Path] = []
    for top, folders, files in os.walk(folder, followlinks=False):
        folders[:] = [f for f in folders if not f.startswith(".")]
        base = Path(top)
        found += [
            base / name
            for name in files
            if not name.startswith(".") and not (base / name).is_symlink()
        ]
    yield from sorted(found)


def count_inputs(inputs: list[str]) -> int:
    """How many :class:`Imported` :func:`read_inputs` will yield (for progress)."""
    total = 0
    for value in inputs:
        path = Path(value)
        total += sum(1 for _ in _files(path)) if value.strip() and path.is_dir() else 1
    return total


STDIN = "-"  # the input that names standard input


def read_inputs(
    inputs: list[str], max_bytes: int = MAX_BYTES, stdin: BinaryIO | None = None
) -> Iterator[Imported]:
    """One :class:`Imported` per file, per folder member, per URL, and for ``-``
    one from ``stdin`` (its format sniffed from its bytes), when given."""
    from reader.core.importers.fetch import fetch, is_url

    for value in inputs:
        if not value.strip():  # Path("") is the current folder: never import it unasked
            yield Imported(value, error="empty path")
            continue
        if value == STDIN:
            yield _import_stdin(stdin, max_bytes)
            continue
        if is_url(value):
            url = without_credentials(value)  # its credentials are sent, never kept
            try:
                fetched = fetch(value, max_bytes=max_bytes)
                drafts, notes = parse_bytes(
                    fetched.body,
                    url,
                    url,
                    declared_charset=fetched.charset,
                    content_type=fetched.content_type,
                )
                yield Imported(url, drafts, notes=notes)
            except ImportFailed as error:
                yield Imported(url, error=str(error), bug=isinstance(error, ImportBug))
            except Exception as error:  # one input's failure, not the batch's
                yield Imported(url, error=unexpected(url, error), bug=True)
            continue
        path = Path(value)
        if path.is_dir():
            for member in _files(path):
                yield _import_file(member, max_bytes, in_folder=True)
        else:
            yield _import_file(path, max_bytes)


def _import_stdin(stdin: BinaryIO | None, max_bytes: int) -> Imported:
    name = "standard input"
    if stdin is None:
        return Imported(STDIN, error=f"{STDIN}: {name} is not open to reader here")
    try:
        data = stdin.read(max_bytes + 1)
        if len(data) > max_bytes:
            return Imported(STDIN, error=f"{name}: over the {max_bytes:,}-byte limit")
        drafts, notes = parse_bytes(data, name, "")
        return Imported(STDIN, drafts, notes=notes)
    except ImportFailed as error:
        return Imported(STDIN, error=str(error), bug=isinstance(error, ImportBug))
    except OSError as error:
        return Imported(STDIN, error=f"{name}: cannot read ({error.strerror})")


def _import_file(path: Path, max_bytes: int, in_folder: bool = False) -> Imported:
    try:
        if in_folder and not path.is_file():  # a named pipe would wait for a writer forever
            return Imported(str(path), skipped=f"{path}: not a regular file")
        data = read_bytes(path, max_bytes)
        if in_folder and not _article_like(data, path.name):
            return Imported(str(path), skipped=f"{path}: not an article")
        drafts, notes = parse_bytes(data, str(path), str(path.resolve()))
        return Imported(str(path), drafts, notes=notes)
    except ImportFailed as error:
        return Imported(str(path), error=str(error), bug=isinstance(error, ImportBug))
    except Exception as error:  # one file's failure, not the batch's
        return Imported(str(path), error=unexpected(str(path), error), bug=True)
