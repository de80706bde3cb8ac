"""Markdown articles: YAML front matter (title, author, date, url, tags) when
present, else the first ``#`` heading as the title; the body as plain text."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from reader.core.importers import ImportFailed
from reader.core.models import ArticleDraft
from reader.core.text import normalise

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def _front_matter(raw: str, source: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(raw)
    if not match:
        return {}, raw
    import yaml

    block = match.group(1) or ""
    if len(block) > FRONT_MATTER_LIMIT:
        raise ImportFailed(f"{source}: front matter over {FRONT_MATTER_LIMIT:,} characters")
    try:
        data = yaml.load(block, Loader=_lenient_loader())  # a SafeLoader
    except yaml.YAMLError as error:
        reason = str(error).replace("\n", " ")[:100]
        raise ImportFailed(f"{source}: front matter is not valid YAML ({reason})") from None
    except Exception:  # a value yaml cannot construct (!!int "abc")
        try:  # every value as the string it is written as
            data = yaml.load(block, Loader=_loaders()[1])  # builds strings only
        except Exception:  # the metadata is lost, not the article
            data = {}
    return (data if isinstance(data, dict) else {}), raw[match.end() :]


FRONT_MATTER_LIMIT = 64_000  # characters: metadata, not a document
FRONT_MATTER_DEPTH = 32  # lists and mappings in lists and mappings: metadata is flat
_TOO_DEEP = f"lists or mappings nested over {FRONT_MATTER_DEPTH} deep"


def _lenient_loader() -> Any:
    return _loaders()[0]


@cache
def _loaders() -> tuple[Any, Any]:
    """yaml's SafeLoader, but a timestamp that is no date (2023-02-29, 25:00:00)
    stays the string it is written as instead of raising ValueError; and its
    BaseLoader (strings only). Neither takes an alias (``*a``): front matter has
    no use for one, and a kilobyte of aliases to aliases expands to gigabytes.
    Nor lists and mappings nested over FRONT_MATTER_DEPTH deep: yaml's scanner
    takes time growing with the cube of the depth of ``[[[…]]]`` (two kilobytes
    took 5 s), and its composer recurses once per level."""
    import yaml

    class NoAliases:
        _depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
                mark = self.peek_event().start_mark  # type: ignore[attr-defined]
                raise yaml.composer.ComposerError(
                    None, None, "an alias (*name), which front matter may not use", mark
                )
            if self._depth >= FRONT_MATTER_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[attr-defined]
                raise yaml.composer.ComposerError(None, None, _TOO_DEEP, mark)
            self._depth += 1
            try:
                return super().compose_node(parent, index)  # type: ignore[misc]
            finally:
                self._depth -= 1

        def fetch_flow_collection_start(self, token_class: Any) -> None:
            if self.flow_level >= FRONT_MATTER_DEPTH:  # type: ignore[attr-defined]
                mark = self.get_mark()  # type: ignore[attr-defined]
                raise yaml.scanner.ScannerError(None, None, _TOO_DEEP, mark)
            super().fetch_flow_collection_start(token_class)  # type: ignore[misc]

    class LenientLoader(NoAliases, yaml.SafeLoader):
        pass

    class StringLoader(NoAliases, yaml.BaseLoader):
        pass

    def timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        try:
            return loader.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    LenientLoader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return LenientLoader, StringLoader


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _date(value: Any) -> str:
    """The date as text; a written date that is no date (2023-02-29) is dropped."""
    text = _text_of(value)
    iso = _ISO_DATE.match(text)
    if iso:
        try:
            dt.date(*map(int, iso.groups()))
        except ValueError:
            return ""
        return iso.group()
    return text


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, list):
        return ", ".join(_text_of(v) for v in value)
    return " ".join(str(value).split())


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(t for t in (_text_of(v).lstrip("#") for v in value) if t))


def markdown_to_text(markdown: str) -> tuple[str, str]:
    """Plain text of Markdown, blocks separated by blank lines, and the first
    level-one heading (removed from the text)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    blocks: list[str] = []
    title = ""
    prefix: list[str] = []
    pending_heading = ""
    for token in tokens:
        if token.type == "heading_open":
            pending_heading = token.tag
        elif token.type == "bullet_list_open":
            prefix.append("•")
        elif token.type == "ordered_list_open":
            prefix.append("1.")
        elif token.type in {"bullet_list_close", "ordered_list_close"}:
            prefix.pop()
        elif token.type == "inline":
            text = "".join(
                child.content
                if child.type in {"text", "code_inline"}
                else "\n"
                if child.type in {"softbreak", "hardbreak"}
                else child.content
                if child.type == "image"
                else ""
                for child in token.children or []
            )
            if pending_heading == "h1" and not title:
                title = " ".join(text.split())
            elif prefix and pending_heading == "":
                blocks.append(f"{prefix[-1]} {text}")
            else:
                blocks.append(text)
            pending_heading = ""
        elif token.type in {"fence", "code_block"}:
            blocks.append(token.content.rstrip("\n"))
    return "\n\n".join(b for b in blocks if b.strip()), title


def parse_markdown(raw: str, source: str = "") -> ArticleDraft:
    meta, body = _front_matter(raw.lstrip("\ufeff"), source)
    text, first_heading = markdown_to_text(body)
    title = _text_of(meta.get("title"))
    if title and first_heading and first_heading != title:
        text = f"{first_heading}\n\n{text}"  # a heading of the body, not its title
    text = normalise(text)
    if not text:
        raise ImportFailed(f"{source or 'input'}: no article text")
    title = title or first_heading
    if not title:
        from reader.core.importers.plaintext import derive_title

        title = derive_title(text)
    return ArticleDraft(
        text=text,
        title=title,
        author=_text_of(meta.get("author") or meta.get("authors")),
        date=_date(meta.get("date") or meta.get("published")),
        source=_text_of(meta.get("url") or meta.get("source")) or source,
        format="markdown",
        tags=_tags(meta.get("tags")),
    )
