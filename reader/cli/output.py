"""The command line's output guard: nothing reader prints can act on the
terminal. Titles, tags, notes, quotes, file names and error messages come from
files that people and other tools edit (stores, texts, notes exported by
someone else): an ``ESC]52`` there would write the clipboard, an ``ESC]0`` the
window title. Stores and texts are cleaned as they are read; this guard makes
sure of it for every line, whichever command prints it.

Text written to stdout or stderr loses its control characters and escape
sequences (newline, tab and a CSV's CRLF kept); bytes written to their buffers (JSON lines)
have C0 controls removed and DEL and C1 controls written as ``\\u00XX``, which
keeps a JSON string valid and what it held readable.
"""

from __future__ import annotations

import io
import re
import sys
from typing import Any, BinaryIO, TextIO, cast

from reader.core.text import strip_controls

_C0 = bytes([*range(0x00, 0x09), *range(0x0B, 0x20)])  # tab and newline kept
_C1 = re.compile(rb"\xc2[\x80-\x9f]")  # C1 controls in UTF-8 (a literal first byte: quick)


def _escaped(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match.group().decode())


def clean_text(text: str) -> str:
    """``strip_controls``, keeping CRLF line ends (a CSV's, RFC 4180): a lone
    carriage return, which could hide what is before it, goes."""
    if "\r\n" in text:
        return "\r\n".join(strip_controls(part) for part in text.split("\r\n"))
    return strip_controls(text)


EXIT_BUG = 70  # an error in reader itself, not in the input (sysexits' EX_SOFTWARE)


def one_line(text: str) -> str:
    """A message as the one line it must be: a line break in it (file names and
    quotes may hold one) is shown as ``\\n``, so nothing an input holds starts a
    line of its own, such as a forged ``reader: imported: …``."""
    if "\n" not in text and "\r" not in text:
        return text
    return text.replace("\r", "\\r").replace("\n", "\\n")


def clean_bytes(data: bytes) -> bytes:
    if b"\r\n" in data:
        return b"\r\n".join(clean_bytes(part) for part in data.split(b"\r\n"))
    data = data.translate(None, _C0)
    if b"\x7f" in data:
        data = data.replace(b"\x7f", b"\\u007f")
    if b"\xc2" in data:
        data = _C1.sub(_escaped, data)
    return data


class _GuardedBuffer(io.BufferedIOBase):
    """A stream's binary buffer whose writes are cleaned (see clean_bytes)."""

    def __init__(self, raw: Any) -> None:
        super().__init__()
        self._raw = raw

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._raw.write(clean_bytes(bytes(data)))
        return len(data)

    def write_clean(self, data: bytes) -> None:
        """Write bytes known to hold no control character (the index's listing,
        made of strings cleaned as they were read): 12 MB are not scanned again."""
        self._raw.write(data)

    def flush(self) -> None:
        self._raw.flush()

    def fileno(self) -> int:
        return self._raw.fileno()

    def isatty(self) -> bool:
        return self._raw.isatty()

    def close(self) -> None:  # the real stream stays open, as sys.stdout does
        self.flush()


class _GuardedText(io.TextIOWrapper):
    def write(self, text: str) -> int:
        super().write(clean_text(text))
        return len(text)


_ORIGINAL: dict[str, TextIO] = {}


def guard_output() -> None:
    """Put the guard on sys.stdout and sys.stderr (once)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, _GuardedText) or not hasattr(stream, "buffer"):
            continue
        stream.flush()
        _ORIGINAL[name] = stream
        guarded = _GuardedText(
            cast("BinaryIO", _GuardedBuffer(stream.buffer)),
            encoding=stream.encoding,
            errors=stream.errors,
            line_buffering=stream.line_buffering,
            write_through=True,
        )
        setattr(sys, name, guarded)


def write_clean(data: bytes) -> None:
    """Write to stdout bytes that hold no control character (see _GuardedBuffer)."""
    buffer = sys.stdout.buffer
    if isinstance(buffer, _GuardedBuffer):
        buffer.write_clean(data)
    else:
        buffer.write(data)


def unguarded_stderr() -> TextIO:
    """stderr as it was: for the progress bar, whose own escape sequences draw it
    (what it shows of files is cleaned by its caller)."""
    return _ORIGINAL.get("stderr", sys.stderr)
