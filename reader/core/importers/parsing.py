"""One input's bytes to drafts: decoded, told apart by format and handed to that
format's importer, their metadata cleaned; any error a one-line reason."""

from __future__ import annotations

from dataclasses import replace

from reader.core.importers import ImportBug, ImportFailed
from reader.core.importers.cleaning import clean_draft, clean_line, without_credentials
from reader.core.importers.decoding import decode, from_bom
from reader.core.importers.detect import is_binary, sniff
from reader.core.models import ArticleDraft


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
