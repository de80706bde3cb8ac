"""Markdown of all notes: per article its title, source and date, then each
annotation as a quote block with its tags and note."""

from __future__ import annotations

from reader.core.library import Library
from reader.core.models import Annotation, ArticleInfo


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def _article_section(info: ArticleInfo, annotations: list[Annotation]) -> str:
    lines = [f"## {info.title}", ""]
    details = [
        ("Author", info.author),
        ("Source", info.source),
        ("Date", info.date),
        ("Article", info.id),
    ]
    lines += [f"- {name}: {value}" for name, value in details if value]
    for annotation in annotations:
        lines.append("")
        lines.append(_quote_block(annotation.exact))
        if annotation.state != "anchored":
            lines += ["", f"*{annotation.state}: this passage is no longer found in the text*"]
        if annotation.tags:
            lines += ["", " ".join(f"#{tag.replace(' ', '-')}" for tag in annotation.tags)]
        if annotation.note:
            lines += ["", annotation.note.rstrip()]
    return "\n".join(lines)


def export_markdown(library: Library, article_ids: list[str] | None = None) -> str:
    """Markdown of every annotated article (or of ``article_ids``)."""
    sections = []
    ids = article_ids if article_ids is not None else library.article_ids()
    for article_id in ids:
        article, annotations = library.load(article_id)
        if annotations:
            sections.append(_article_section(article.info, annotations))
    return "# Notes\n\n" + "\n\n".join(sections) + "\n" if sections else "# Notes\n"
