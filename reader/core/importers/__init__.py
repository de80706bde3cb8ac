"""Importers: one module per input format, each returning ArticleDrafts.

:func:`read_inputs` takes what a user typed (files, folders, URLs) and yields
one :class:`Imported` per input: its drafts, or a one-line reason it failed.
The only exception a parser raises for bad input is :class:`ImportFailed`.
Formats are told by content, not only by extension.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from reader.core.models import ArticleDraft
from reader.core.text import normalise, strip_controls

MAX_BYTES = 20 * 1024 * 1024
PREFERRED_ENCODINGS = ("cp1252", "latin_1")


class ImportFailed(Exception):
    """An input that cannot be imported; ``str(error)`` is a one-line reason."""


class ImportBug(ImportFailed):
    """An input not imported because of an error in reader's own code, not in
    the input: one input's failure still (the batch goes on), but said as a bug,
    with its traceback in the log (reader.core.errorlog), and failing the tests."""


@dataclass
class Imported:
    """What one input gave: drafts, or the reason it failed, plus notes to show."""

    source: str
    drafts: list[ArticleDraft] = field(default_factory=list)
    error: str = ""
    bug: bool = False  # the error is reader's own (ImportBug), not the input's
    skipped: str = ""  # a folder member that is not an article (an image, say)
    notes: list[str] = field(default_factory=list)


# --- telling formats apart ------------------------------------------------------

_FEED = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_HTML = re.compile(
    rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<article[\s>]|<p[\s>]", re.IGNORECASE
)
_MARKDOWN = re.compile(r"\A---[ \t]*\n|^#{1,6} \S|^\s*[-*] \S|\[[^\]]+\]\([^)]+\)", re.MULTILINE)
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}


# Bytes that are not control characters, or are controls that text has.
_NOT_CONTROL_BYTES = bytes([9, 10, 12, 13, 27, *range(32, 256)])


def is_binary(data: bytes) -> bool:
    """NUL bytes, or many control bytes, in the first 8 KiB."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = len(head.translate(None, _NOT_CONTROL_BYTES))
    return bool(head) and controls / len(head) > 0.1


def sniff(data: bytes, name: str = "") -> str:
    """``feed``, ``html``, ``markdown`` or ``text``, from the content (and name)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or head.lower().startswith(b"<?xml"):
        if _FEED.search(data[:4096]):
            return "feed"
        if _HTML.search(data[:65536]) or head.lower().startswith(b"<!doctype"):
            return "html"
    elif _HTML.search(data[:2048]) and b"</" in data[:65536]:
        return "html"
    suffix = Path(name).suffix.lower()
    if suffix in _MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in {".txt", ".text", ""} and not head.startswith(b"---"):
        return "text"
    try:
        sample = data[:4096].decode("utf-8", "ignore")
    except Exception:  # pragma: no cover - "ignore" cannot fail
        sample = ""
    return "markdown" if len(_MARKDOWN.findall(sample)) >= 2 else "text"


# Byte order marks, longest first (a UTF-32 LE mark starts like a UTF-16 LE one).
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf_32_be"),
    (b"\xff\xfe\x00\x00", "utf_32_le"),
    (b"\xfe\xff", "utf_16_be"),
    (b"\xff\xfe", "utf_16_le"),
    (b"\xef\xbb\xbf", "utf_8"),
)


def from_bom(data: bytes, name: str) -> tuple[bytes, str]:
    """The bytes as UTF-8 without a byte order mark, and the encoding the mark
    named ("" when there is none). UTF-16 and UTF-32 are told by their mark only."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise ImportFailed(
                    f"{name}: not valid {encoding} (byte {error.start + len(bom)})"
                ) from None
            return text.encode("utf-8"), encoding
    return data, ""


# Letters a Western (cp1252) decoding shows when the bytes are really another
# code page: Turkish ş ğ ı, Baltic š ž and Czech ě come out as þ ð ý and ì.
_FOREIGN_LETTERS = re.compile(r"[ðþÐÞýÝ]|ì(?=[^\W\d_])")
# Latin-1 symbols (¿ ³ ¹ ± ...) between two letters: Polish ż ł ą, or Western
# é ü decoded in a DOS or Baltic code page.
_SYMBOL_IN_WORD = re.compile(r"(?<=[^\W\d_])[\xa1-\xaa\xac\xae-\xb6\xb8-\xba\xbc-\xbf](?=[^\W\d_])")
_HIGH_LETTER_RUN = re.compile(r"[^\W\d_\x00-\x7f]{3,}")
_HIGH_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")


def looks_western(text: str) -> bool:
    """Whether text decoded as cp1252 reads as a Western European language: its
    accented letters stand alone or in pairs inside ASCII words (café, Zürich,
    negociações), with no stray symbols inside words; Cyrillic or Greek decoded
    as cp1252 gives long runs of accented letters instead (Æèòåëè)."""
    letters = len(_HIGH_LETTER.findall(text))
    in_runs = sum(len(run) for run in _HIGH_LETTER_RUN.findall(text))
    return (
        in_runs <= letters * 0.1
        and not _SYMBOL_IN_WORD.search(text)
        and not _FOREIGN_LETTERS.search(text)
    )


def decode(data: bytes, name: str, declared: str | None = None) -> tuple[str, str]:
    """Text and a note ("" when UTF-8): the byte order mark's encoding, else the
    declared charset, else UTF-8, else cp1252 when it reads as Western text, else
    the encoding charset-normalizer detects."""
    data, bom = from_bom(data, name)
    if bom:
        return data.decode("utf-8"), ""
    if declared:
        try:
            return data.decode(declared), ""
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as error:
        first_bad = error.start
    # charset-normalizer often takes short Western text for a DOS or Baltic code
    # page (Café as Cafķ): cp1252 first, when it reads as Western text.
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = ""
    if western and looks_western(western):
        return western, f"{name}: not UTF-8; decoded as cp1252"
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    best = results[0] if results else None
    if best is not None:
        # Candidates that fit equally well: prefer the commonest Western code page,
        # unless cp1252 was found not to read as Western text.
        ties = [r for r in results if (r.chaos, r.coherence) == (best.chaos, best.coherence)]
        if western:
            best = next((r for r in ties if r.encoding not in PREFERRED_ENCODINGS), best)
        else:
            best = next((r for r in ties if r.encoding in PREFERRED_ENCODINGS), best)
    if best is None or best.encoding in {"utf_8", "utf-8"}:
        raise ImportFailed(f"{name}: not valid UTF-8 (byte {first_bad}) and no other encoding fits")
    return str(best), f"{name}: not UTF-8; decoded as {best.encoding}"


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


def clean_line(value: str) -> str:
    """One line of metadata: no controls, NFC, single spaces."""
    return " ".join(normalise(value).split())


# A URL's user:password@ (RFC 3986: the authority runs to the first / ? or #,
# its user information to the last @ in it, as urllib reads it too).
_USERINFO = re.compile(r"\A(\s*[A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


def without_credentials(value: str) -> str:
    """``value`` without the ``user:password@`` of a URL (anything else as it is):
    credentials are for fetching, never kept in a source or shown in a message."""
    return _USERINFO.sub(r"\1", value, count=1)


def clean_draft(draft: ArticleDraft) -> ArticleDraft:
    """Metadata is untrusted text too: every field of every draft is cleaned here,
    whichever importer made it (the text is normalised by the importers). A
    source keeps no credentials (a feed's <link>, a Markdown url:)."""
    return replace(
        draft,
        title=clean_line(draft.title),
        author=clean_line(draft.author),
        date=clean_line(draft.date),
        source=without_credentials(clean_line(draft.source)),
        tags=tuple(dict.fromkeys(t for t in map(clean_line, draft.tags) if t)),
    )


def parse_bytes(
    data: bytes,
    name: str,
    source: str,
    *,
    declared_charset: str | None = None,
    content_type: str = "",
) -> tuple[list[ArticleDraft], list[str]]:
    """Drafts from one input's bytes (metadata cleaned), and notes for the user.

    The only exception is :class:`ImportFailed`: a parser's unexpected error on
    one input is that input's failure (:class:`ImportBug`), never the end of a batch."""
    try:
        drafts, notes = _parse_bytes(data, name, source, declared_charset, content_type)
        origin = without_credentials(clean_line(source))
        return [replace(clean_draft(d), origin=origin) for d in drafts], notes
    except ImportFailed:
        raise
    except Exception as error:  # a last resort: one input, not the batch
        raise ImportBug(unexpected(name, error)) from error


def unexpected(name: str, error: BaseException) -> str:
    """A one-line reason for an error no importer expected: a bug in reader,
    whose traceback goes to the log."""
    from reader.core.errorlog import record

    log = record(f"importing {name}", error)
    reason = clean_line(str(error).replace("\n", " "))[:200]
    kind = f"{type(error).__name__}: {reason}" if reason else type(error).__name__
    return f"{name}: not imported: an error in reader itself ({kind}; the details are in {log})"


def _parse_bytes(
    data: bytes, name: str, source: str, declared_charset: str | None, content_type: str
) -> tuple[list[ArticleDraft], list[str]]:
    notes: list[str] = []
    original = data
    data, bom = from_bom(data, name)
    if bom:
        declared_charset = None  # the byte order mark wins over a declared charset
    if not data.strip():
        raise ImportFailed(f"{name}: empty")
    if is_binary(data):
        raise ImportFailed(f"{name}: binary file, not text")
    if bom and bom != "utf_8":
        notes.append(f"{name}: not UTF-8; decoded as {bom} (byte order mark)")
    kind = sniff(data, name)
    if "html" in content_type and kind == "text":
        kind = "html"
    if kind == "feed":
        from reader.core.importers.feed import parse_feed

        return parse_feed(original if bom else data, source, notes), notes
    if kind == "html":
        from reader.core.importers.html import parse_html

        text, note = decode(data, name, declared_charset)
        notes += [note] if note else []
        return [parse_html(text, source)], notes
    text, note = decode(data, name, declared_charset)
    notes += [note] if note else []
    if kind == "markdown":
        from reader.core.importers.markdown import parse_markdown

        return [parse_markdown(text, source)], notes
    from reader.core.importers.plaintext import parse_plaintext

    draft = parse_plaintext(text, source)
    if draft.mended:
        notes.append(
            f"{name}: split {len(draft.mended)} glued word(s): "
            + ", ".join(f"{left}|{right}" for left, right in draft.mended[:5])
        )
    return [draft], notes


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
_CODE_LINE = re.compile(
    r"^\s*(?:import |from \S+ import|def |class |function |var |const |let |#include|"
    r"@|[\w.]+\s*[:=]\s*[\[{(\"'\d])",
    re.MULTILINE,
)


_NOT_LETTER_OR_SPACE = re.compile(r"[^\w\s]|[\d_]")


def looks_like_prose(sample: str) -> bool:
    """Mostly letters and spaces, few code characters or code lines."""
    if not sample.strip():
        return False
    code = sum(sample.count(c) for c in "{};=<>$\\_()[]")
    not_letters = len(_NOT_LETTER_OR_SPACE.findall(sample))
    lines = max(1, sample.count("\n"))
    return (
        code / len(sample) < 0.02
        and not_letters / len(sample) < 0.25
        and len(_CODE_LINE.findall(sample)) / lines < 0.1
    )


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
