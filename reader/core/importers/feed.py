"""RSS and Atom feeds (feedparser): each entry becomes an article: title, link,
author (the feed's when the entry has none), published date, and the full
``content`` when given, else the summary, marked as a summary."""

from __future__ import annotations

import re
import time
from typing import Any

from reader.core.importers import ImportFailed
from reader.core.models import ArticleDraft
from reader.core.text import normalise, strip_controls

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "section",
    "article",
    "pre",
    "figcaption",
    "ul",
    "ol",
    "table",
    "hr",
}


def html_fragment_to_text(fragment: str | None) -> str:
    """Text of an HTML fragment, one block per paragraph; plain text passes through.
    No fragment (None, as feedparser gives for an empty element) is no text, and
    control characters go first: lxml refuses them (an ESC or a NUL in a title)."""
    fragment = strip_controls(fragment) if isinstance(fragment, str) else ""
    if "<" not in fragment:
        return fragment
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError, AssertionError):  # "<html>" alone asserts
        return re.sub(r"<[^>]*>", " ", fragment)
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    parts: list[str] = []

    def walk(element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _BLOCK_TAGS:
            parts.append("\n\n")
        if element.text and tag:
            parts.append(element.text)
        for child in element:
            walk(child)
        if tag in _BLOCK_TAGS:
            parts.append("\n\n")
        if element.tail:
            parts.append(element.tail)

    walk(root)
    text = "".join(parts)
    return "\n\n".join(" ".join(block.split()) for block in text.split("\n\n") if block.strip())


def _date(entry: Any) -> str:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return time.strftime("%Y-%m-%d", parsed)
    return ""


_EMAIL_AND_NAME = re.compile(r"^\S+@\S+\s+\((?P<name>[^()]+)\)$")  # RSS: "x@y.z (Name)"


def _author(node: Any) -> str:
    """The author's name (feedparser's ``author`` may be "email (Name)")."""
    name = (node.get("author_detail") or {}).get("name") or node.get("author") or ""
    name = " ".join(str(name).split())
    both = _EMAIL_AND_NAME.match(name)
    return both.group("name").strip() if both else name


def parse_feed(data: bytes, source: str = "", notes: list[str] | None = None) -> list[ArticleDraft]:
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo"):
            reason = str(parsed.get("bozo_exception", "")).replace("\n", " ")[:100]
            raise ImportFailed(f"{source or 'feed'}: malformed feed ({reason})")
        raise ImportFailed(f"{source or 'feed'}: the feed has no entries")
    feed_author = _author(parsed.feed)
    drafts = []
    for number, entry in enumerate(parsed.entries, 1):
        content = entry.get("content") or []
        body = next((c.get("value", "") for c in content if c.get("value", "").strip()), "")
        fmt = "feed"
        if not body:
            body, fmt = entry.get("summary", ""), "feed-summary"
        text = normalise(html_fragment_to_text(body))
        if not text:
            if notes is not None:
                notes.append(f"{source or 'feed'}: entry {number} has no text; skipped")
            continue
        title = normalise(html_fragment_to_text(entry.get("title", "")))
        if not title:
            from reader.core.importers.plaintext import derive_title

            title = derive_title(text)
        drafts.append(
            ArticleDraft(
                text=text,
                title=" ".join(title.split()),
                author=_author(entry) or feed_author,
                date=_date(entry),
                source=entry.get("link") or f"{source}#entry-{number}",
                format=fmt,
            )
        )
    if not drafts:
        raise ImportFailed(f"{source or 'feed'}: no entry of the feed has text")
    return drafts
