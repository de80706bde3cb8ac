"""Saved HTML pages: the main text, title, author and date, without menus,
ads, related links or reader comments (trafilatura). When the page's body
holds no article text but its JSON-LD has an ``articleBody``, that is used."""

from __future__ import annotations

import json
import re
from typing import Any

from reader.core.importers import ImportFailed
from reader.core.models import ArticleDraft
from reader.core.text import normalise, strip_escapes, word_count

MIN_WORDS = 20  # below this, the extraction found no article
_WORDS = re.compile(r"\w+")
_JSON_LD = re.compile(
    r"<script[^>]*type\s*=\s*[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
    re.IGNORECASE | re.DOTALL,
)


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def json_ld_article(html: str) -> dict[str, str]:
    """headline, articleBody, author and datePublished from the page's JSON-LD."""
    for block in _JSON_LD.findall(html):
        try:
            data = json.loads(block.strip())
        except (ValueError, RecursionError):  # deep nesting: not worth reading
            continue
        for node in _walk(data):
            body = node.get("articleBody")
            if isinstance(body, str) and body.strip():
                author = node.get("author")
                if isinstance(author, list):
                    author = author[0] if author else ""
                if isinstance(author, dict):
                    author = author.get("name", "")
                return {
                    "title": str(node.get("headline") or ""),
                    "text": body,
                    "author": str(author or ""),
                    "date": str(node.get("datePublished") or "")[:10],
                }
    return {}


def _paragraphs(text: str) -> str:
    """trafilatura separates paragraphs by single newlines: make them blocks."""
    return "\n\n".join(filter(None, map(str.strip, text.split("\n"))))


def _fewer_words_than(text: str, count: int) -> bool:
    """Whether the text has fewer than ``count`` words, counting no further."""
    return sum(1 for _ in zip(range(count), _WORDS.finditer(text), strict=False)) < count


_BETWEEN_TAGS = re.compile(r"[^<]+")
# Dates only from what the page declares (meta tags, JSON-LD, <time>, date
# markup, the URL), not guessed from its text: htmldate's extensive search
# turns a footer's "© 2023" or a mention of "in 2025" into 2023-01-01.
DATE_PARAMS = {"extensive_search": False, "original_date": True}


def _strip_escapes(html: str) -> str:
    """Terminal escape sequences out of the page, whole: lxml drops the ESC
    alone and leaves "[31m" in the text. Each run between tags is stripped on
    its own, so a sequence without its end cannot swallow the markup after it."""
    if "\x1b" not in html and "\x9b" not in html:
        return html
    return _BETWEEN_TAGS.sub(lambda run: strip_escapes(run.group()), html)


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# Readers' comment sections that trafilatura's own rules miss (they know
# WordPress's): removed before extraction. Whole class names only, and never an
# element holding the headline, so that an article tagged "comments-open" or an
# opinion piece ("comment") keeps its text.
COMMENT_SECTIONS = (
    "//*[@id or @class]["  # the cheap tests first: XPath applies predicates in order
    + " or ".join(
        ["@id='comments'", "@id='disqus_thread'"]
        + [
            _has_class(n)
            for n in ("comments", "user-comments", "reader-comments", "comment-list")
            + ("disqus_thread",)
        ]
    )
    + "][not(self::body) and not(.//h1)]"
)


def parse_html(html: str, source: str = "") -> ArticleDraft:
    from trafilatura import bare_extraction

    html = _strip_escapes(html)
    try:
        document = bare_extraction(
            html,
            url=source if source.startswith(("http://", "https://")) else None,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=dict(DATE_PARAMS),
            prune_xpath=COMMENT_SECTIONS,
        )
    except Exception as error:  # trafilatura/lxml raise many kinds on broken pages
        reason = type(error).__name__
        raise ImportFailed(f"{source or 'page'}: cannot parse the HTML ({reason})") from None
    found: dict[str, Any] = document.as_dict() if document is not None else {}  # type: ignore[union-attr]
    text = normalise(_paragraphs(found.get("text") or ""))
    title = " ".join((found.get("title") or "").split())
    author = " ".join((found.get("author") or "").split())
    date = found.get("date") or ""
    short = _fewer_words_than(text, MIN_WORDS)
    if short or not (title and author and date) or "articleBody" in html:
        ld = json_ld_article(html)
        flat = " ".join(ld.get("text", "").split())
        if ld and (
            short and word_count(ld["text"]) > word_count(text) or flat == " ".join(text.split())
        ):  # trafilatura flattened it
            text = normalise(_paragraphs(ld["text"]))
        if ld:
            title, author, date = title or ld["title"], author or ld["author"], date or ld["date"]
    if not text:
        raise ImportFailed(f"{source or 'page'}: no article text found in the page")
    first, _, rest = text.partition("\n\n")
    if rest and first.strip() == title:  # the title repeated as the first line
        text = rest
    if not title:
        from reader.core.importers.plaintext import derive_title

        title = derive_title(text)
    return ArticleDraft(
        text=text,
        title=normalise(title),
        author=normalise(author),
        date=date,
        source=source,
        format="html",
    )
