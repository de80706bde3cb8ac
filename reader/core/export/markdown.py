"""Markdown that a notes app (Obsidian) reads well.

One file per article (``--output DIR``: YAML front matter with title, author,
source, date and tags, then reader's part between marker lines, so that a
re-export keeps what the reader wrote around it: see
:mod:`reader.core.export.managed`) or one stream (a section per article). The
article's note comes first; each annotation is a ``>`` quote with a block id
(``^id``), its ``#tags`` and its note; orphans have their own section.

Article text (quotes, titles, authors) is escaped so that it shows as it is:
``<script>``, ``*only*``, a line starting ``# `` or ``1.``, ``#hashtag`` and
``$5 … $10`` (Obsidian's tags and maths) stay text. The reader's notes are
Markdown and go in as they are.
"""

from __future__ import annotations

import re

from reader.core.export import ArticleExport, Options
from reader.core.export.managed import wrap
from reader.core.models import Annotation, ArticleInfo


def _yaml_string(value: str) -> str:
    """A double-quoted YAML scalar (safe for any text)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def front_matter(info: ArticleInfo) -> str:
    lines = ["---", f"title: {_yaml_string(info.title)}"]
    for name, value in (("author", info.author), ("source", info.source), ("date", info.date)):
        if value:
            lines.append(f"{name}: {_yaml_string(value)}")
    if info.tags:  # Obsidian tags have no spaces: the same form as the #tags below
        lines.append("tags: [" + ", ".join(_yaml_string(_tag(t)[1:]) for t in info.tags) + "]")
    lines.append("---")
    return "\n".join(lines)


_PUNCTUATION = re.compile(r"[\\`*_\[\]<>#|~$&]|=(?==)|%(?=%)")
_BLOCK_START = re.compile(r"^(\s*)(?:([-+])|(\d+)([.)]))")
_NOT_IN_TAG = re.compile(r"[^\w/-]+")


def _escape_line(line: str) -> str:
    # Indentation means nothing in a quote, and four spaces would make a code block.
    line = _PUNCTUATION.sub(lambda m: "\\" + m[0], line.lstrip())
    return _BLOCK_START.sub(
        lambda m: m[1] + ("\\" + m[2] if m[2] else f"{m[3]}\\{m[4]}"), line, count=1
    )


def escape(text: str) -> str:
    """Text that Markdown (CommonMark, and Obsidian's extensions) shows literally."""
    return "\n".join(_escape_line(line) for line in text.split("\n"))


def _tag(tag: str) -> str:
    """An Obsidian tag: letters, digits, ``_``, ``-`` and ``/``; anything else a
    ``-``; and not digits alone (``#1984`` is no tag to Obsidian: ``#_1984`` is)."""
    name = _NOT_IN_TAG.sub("-", tag).strip("-") or "tag"
    return "#" + ("_" + name if name.isdigit() else name)


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in escape(text).splitlines() or [""])


def _annotation(annotation: Annotation) -> str:
    # Obsidian takes a quote's block id on its own line after the quote.
    parts = [_quote(annotation.exact), f"^{annotation.id}"]
    if annotation.tags:
        parts.append(" ".join(_tag(t) for t in annotation.tags))
    if annotation.note:
        parts.append(annotation.note.rstrip())
    return "\n\n".join(parts)


def _body(item: ArticleExport, heading: str) -> str:
    info = item.article.info
    parts = []
    if info.note:
        parts.append(f"{heading} Article note\n\n{info.note.rstrip()}")
    placed = [a for a in item.annotations if a.state == "anchored"]
    lost = [a for a in item.annotations if a.state != "anchored"]
    if placed:
        parts.append(f"{heading} Highlights\n\n" + "\n\n".join(_annotation(a) for a in placed))
    if lost:
        parts.append(
            f"{heading} Orphans\n\nThese passages are no longer found as they were in the "
            "text (needs review: placed by a best guess; orphan: not placed).\n\n"
            + "\n\n".join(f"*{a.state}*\n\n{_annotation(a)}" for a in lost)
        )
    return "\n\n".join(parts)


def _link(source: str) -> str:
    """A web address as an autolink (kept whole), anything else as text."""
    if source.startswith(("http://", "https://")) and not re.search(r"[\s<>]", source):
        return f"<{source}>"
    return escape(source)


def file_name(item: ArticleExport, suffix: str) -> str:
    return f"{item.article.id}{suffix}"


def files(items: list[ArticleExport], options: Options) -> dict[str, str]:
    out = {}
    for item in items:
        info = item.article.info
        part = f"# {escape(info.title)}\n\n{_body(item, '##')}".rstrip()
        out[file_name(item, ".md")] = wrap(front_matter(info), part)
    return out


def stream(items: list[ArticleExport], options: Options) -> str:
    sections = []
    for item in items:
        info = item.article.info
        details = [
            ("Author", escape(info.author)),
            ("Source", _link(info.source)),
            ("Date", info.date),
            ("Tags", " ".join(_tag(t) for t in info.tags)),
            ("Article", info.id),
        ]
        meta = "\n".join(f"- {name}: {value}" for name, value in details if value)
        sections.append(f"## {escape(info.title)}\n\n{meta}\n\n{_body(item, '###')}".rstrip())
    return "# Notes\n\n" + "\n\n".join(sections) + "\n" if sections else "# Notes\n"
