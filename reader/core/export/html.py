"""One self-contained HTML page per article: the text with entity highlights
(a colour per type, the label on hover) and annotation marks numbered to the
notes below; no external assets and no scripts; readable when printed.
Everything from the article is escaped: it is data, never markup."""

from __future__ import annotations

from html import escape

from reader.core.export import ArticleExport, Options
from reader.core.labels import LABEL_GROUPS, label_group
from reader.core.language import detect_language
from reader.core.text import blocks

COLOURS = {
    "person": "#f4a6a6",
    "organisation": "#a6c8f4",
    "place": "#b5e3b0",
    "nationality": "#d7b9f0",
    "date": "#f7d59c",
    "number": "#c9e8e8",
    "money": "#e3f0a8",
    "other": "#e0e0e0",
}

STYLE = """
body { font: 17px/1.6 Georgia, 'Times New Roman', serif; max-width: 44em; margin: 2em auto;
       padding: 0 1em; color: #1a1a1a; background: #fff; }
header p { color: #555; font-size: 0.9em; margin: 0.2em 0; }
h2.sub { font-size: 1.1em; margin: 1.6em 0 0.4em; }
mark.ent { padding: 0 0.1em; border-radius: 0.2em; color: inherit; }
%(entity_css)s
span.note { border-bottom: 2px solid #d4a017; background: #fff3c4; }
sup.ref { font-size: 0.7em; color: #8a6d00; }
.legend span { display: inline-block; margin: 0 0.4em 0.3em 0; padding: 0 0.3em;
               border-radius: 0.2em; font-size: 0.85em; }
section.notes { border-top: 1px solid #ccc; margin-top: 2em; font-size: 0.95em; }
section.notes li { margin-bottom: 0.8em; }
blockquote { margin: 0.2em 0; color: #444; font-style: italic; }
.tags { color: #8a6d00; }
.state { color: #a00; font-size: 0.85em; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  mark.ent, span.note, .legend span { -webkit-print-color-adjust: exact;
                                     print-color-adjust: exact; }
}
"""


def _entity_css() -> str:
    return "\n".join(f"mark.ent-{g} {{ background: {c}; }}" for g, c in COLOURS.items())


def _paragraph(
    text: str, start: int, end: int, item: ArticleExport, numbers: dict[str, int]
) -> str:
    """The HTML of text[start:end], entity marks inside annotation marks."""
    entities = [e for e in item.entities if e.start < end and e.end > start]
    notes = [a for a in item.annotations if a.state != "orphan" and a.start < end and a.end > start]
    cuts = {start, end}
    for left, right in [(e.start, e.end) for e in entities] + [(a.start, a.end) for a in notes]:
        cuts.update((max(left, start), min(right, end)))
    ordered = sorted(cuts)
    out = []
    for left, right in zip(ordered, ordered[1:], strict=False):
        piece = escape(text[left:right]).replace("\n", "<br>\n")
        entity = next((e for e in entities if e.start <= left and right <= e.end), None)
        if entity is not None:
            group = label_group(entity.label)
            piece = f'<mark class="ent ent-{group}" title="{escape(entity.label)}">{piece}</mark>'
        for a in notes:
            if a.start <= left and right <= a.end:
                piece = f'<span class="note" title="note {numbers[a.id]}">{piece}</span>'
        out.append(piece)
        ends_here = [a for a in notes if a.end == right]
        if ends_here:  # several notes ending together: 1,2 not 12
            refs = ",".join(
                f'<a href="#note-{numbers[a.id]}">{numbers[a.id]}</a>' for a in ends_here
            )
            out.append(f'<sup class="ref">{refs}</sup>')
    return "".join(out)


def _tags(tags: tuple[str, ...]) -> str:
    return " ".join("#" + "-".join(t.split()) for t in tags)


def _paragraphs(note: str) -> str:
    """A note's paragraphs, its single line breaks kept."""
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in note.split("\n\n"))


def page(item: ArticleExport) -> str:
    info = item.article.info
    text = item.article.text
    numbers = {a.id: n for n, a in enumerate(item.annotations, 1)}
    body = []
    for block in blocks(text):
        inner = _paragraph(text, block.start, block.end, item, numbers)
        tag = 'h2 class="sub"' if block.kind == "heading" else "p"
        body.append(f"<{tag}>{inner}</{tag.split()[0]}>")
    details = " · ".join(escape(p) for p in (info.author, info.date, info.source) if p)
    legend = "".join(
        f'<span class="ent-{g}" style="background:{COLOURS[g]}">{g}</span>' for g in LABEL_GROUPS
    )
    notes = []
    for a in item.annotations:
        parts = [f"<blockquote>{escape(' '.join(a.exact.split()))}</blockquote>"]
        if a.tags:
            parts.append(f'<div class="tags">{escape(_tags(a.tags))}</div>')
        if a.note:
            parts.append(_paragraphs(a.note))
        if a.state != "anchored":
            parts.append(
                f'<div class="state">{escape(a.state)}: not found as it was in the text</div>'
            )
        notes.append(f'<li id="note-{numbers[a.id]}">{"".join(parts)}</li>')
    article_note = (
        f'<section class="article-note"><h2>Article note</h2>{_paragraphs(info.note)}</section>'
        if info.note
        else ""
    )
    tags = f'<p class="tags">{escape(_tags(info.tags))}</p>' if info.tags else ""
    notes_html = (
        f'<section class="notes"><h2>Notes</h2><ol>{"".join(notes)}</ol></section>' if notes else ""
    )
    return f"""<!DOCTYPE html>
<html lang="{detect_language(item.article.text)}">
<head>
<meta charset="utf-8">
<meta name="generator" content="reader">
<title>{escape(info.title)}</title>
<style>{STYLE % {"entity_css": _entity_css()}}</style>
</head>
<body>
<header>
<h1>{escape(info.title)}</h1>
<p>{details}</p>
{tags}
<p class="legend">{legend}</p>
</header>
{article_note}
<article>
{chr(10).join(body)}
</article>
{notes_html}
</body>
</html>
"""


def files(items: list[ArticleExport], options: Options) -> dict[str, str]:
    return {f"{item.article.id}.html": page(item) for item in items}


def stream(items: list[ArticleExport], options: Options) -> str:
    return page(items[0])
