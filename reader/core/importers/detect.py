"""What kind of input bytes are: binary or text, and which format (a feed,
HTML, Markdown or plain text), told by content, not only by extension; and
whether text reads as prose rather than code or data."""

from __future__ import annotations

import re
from pathlib import Path

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


# Lines that are code: imports, definitions, decorators, assignments of literals.
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
