"""reader.core.export: Markdown of the notes."""

from __future__ import annotations

import re

from reader.core.anchoring import new_annotation
from reader.core.export import FORMATS, Options, export, gather


def export_markdown(library, article_ids=None) -> str:
    query = " ".join(f"article:{a}" for a in article_ids or [])
    return export("md", gather(library, query), Options(), files=False)


QUOTE = "Recep Tayyip Erdogan"


def _annotate(library, article_id, quote=QUOTE, tags=("leader",), note="Turkey's president"):
    article, _ = library.load(article_id)
    start = article.text.index(quote)
    annotation = new_annotation(article.text, start, start + len(quote), tags=tags, note=note)
    library.store(article_id).save_annotation(annotation)
    return article


def test_export_without_annotations_is_just_the_header(seed_library, seed_id):
    assert export_markdown(seed_library) == "# Notes\n"
    assert export_markdown(seed_library, [seed_id]) == "# Notes\n"


def test_export_of_an_empty_library_is_just_the_header(library):
    assert export_markdown(library) == "# Notes\n"


def test_export_has_title_date_quote_tag_and_note(seed_library, seed_id):
    article = _annotate(seed_library, seed_id)
    out = export_markdown(seed_library)
    lines = out.splitlines()
    assert out.startswith("# Notes\n\n")
    assert out.endswith("\n")
    assert f"## {article.info.title}" in lines
    assert "- Date: 2020-03-01" in lines
    assert "- Author: uprootedpalestinians" in lines
    assert f"- Article: {seed_id}" in lines
    assert "> Recep Tayyip Erdogan" in lines
    assert "#leader" in lines
    assert "Turkey's president" in lines
    # The quote, its tags and its note come in that order.
    assert lines.index("> Recep Tayyip Erdogan") < lines.index("#leader")
    assert lines.index("#leader") < lines.index("Turkey's president")


def test_export_lists_annotations_in_text_order(seed_library, seed_id):
    _annotate(seed_library, seed_id, quote="Emmanuel Macron", tags=(), note="")
    _annotate(seed_library, seed_id)
    out = export_markdown(seed_library)
    assert out.index("> Recep Tayyip Erdogan") < out.index("> Emmanuel Macron")


def test_export_tags_with_spaces_become_single_hashtags(seed_library, seed_id):
    _annotate(seed_library, seed_id, tags=("head of state", "leader"))
    assert "#head-of-state #leader" in export_markdown(seed_library).splitlines()


def test_export_marks_orphans(seed_library, seed_id):
    article = _annotate(seed_library, seed_id)
    path = seed_library.articles_dir / f"{seed_id}.txt"
    path.write_text(article.text.replace(QUOTE, "Mr Erdogan"), encoding="utf-8")
    out = export_markdown(seed_library)
    lines = out.splitlines()
    assert "> Recep Tayyip Erdogan" in lines
    assert (
        lines.index("### Orphans") < lines.index("*orphan*") < lines.index("> Recep Tayyip Erdogan")
    )


def test_md_format_is_registered():
    assert FORMATS["md"].module == "markdown"


def test_each_quote_has_its_block_id_on_a_line_after_it(seed_library, seed_id):
    """Obsidian's form for a quote's block id: a blank line, then ^id alone."""
    _annotate(seed_library, seed_id)
    (annotation,) = seed_library.load(seed_id)[1]
    lines = export_markdown(seed_library).splitlines()
    at = lines.index("> Recep Tayyip Erdogan")
    assert lines[at + 1 : at + 3] == ["", f"^{annotation.id}"]


def test_one_file_per_article_has_yaml_front_matter(seed_library, seed_id):
    import yaml

    _annotate(seed_library, seed_id)
    ((name, text),) = export("md", gather(seed_library), Options(), files=True).items()
    assert name == f"{seed_id}.md"
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["title"].startswith("Turkish drone strikes")
    assert meta["author"] == "uprootedpalestinians" and meta["date"] == "2020-03-01"
    assert "> Recep Tayyip Erdogan" in body.splitlines()


TRICKY = (
    "posting <img src=x onerror=alert(1)> or <script>steal()</script> in a comment",
    "# Not really a heading",
    "The fix costs *only* $5, or $10 for __two__ sites",
    "1. not a list and - not [a link](http://x.example) either",
    "- nor this, nor #MeToo, nor ==this== or a %%comment%%",
    "prices <rose> &amp; fell, a_b `code` | pipe ~strike~ \\ backslash",
)


def test_article_text_in_markdown_renders_as_it_is(library):
    """Quotes and titles are article text: rendered by a CommonMark parser they
    must come out as the same characters, with no HTML tag, heading, emphasis,
    list, link or code made of them."""
    from html import unescape

    from markdown_it import MarkdownIt

    from reader.core.models import ArticleDraft

    text = "\n\n".join(TRICKY)
    article_id = library.add(
        ArticleDraft(text=text, title="<b>Flaw</b> in *forum*", author="A_B <ab@x>")
    ).article_id
    for line in TRICKY:
        _annotate(library, article_id, quote=line, tags=("a,b", "Erdoğan tag"), note="")
    out = export_markdown(library)
    html = MarkdownIt("commonmark").render(out)
    for made in ("<script", "<img", "<em>", "<strong>", "<h1>", "<ol", "<a ", "<code>", "<del"):
        assert made not in html.replace("<h1>Notes</h1>", ""), made
    quotes = re.findall(r"<blockquote>\s*(.*?)\s*</blockquote>", html, re.S)
    assert all(q.startswith("<p>") and q.endswith("</p>") for q in quotes), quotes
    assert not any("<" in q[3:-4] for q in quotes), quotes  # one paragraph of text each
    assert [unescape(q[3:-4]) for q in quotes] == list(TRICKY)
    (title,) = re.findall(r"<h2>(.*?)</h2>", html)
    assert unescape(title) == "<b>Flaw</b> in *forum*"
    assert "- Author: A_B <ab@x>" not in out
    # Obsidian's own syntax, which CommonMark does not have: tags, maths,
    # highlights and comments stay text too.
    for escaped in ("\\#MeToo", "\\$5", "\\$10", "\\==this\\==", "\\%%comment\\%%"):
        assert escaped in out, escaped
    # Tags an Obsidian vault reads whole: no comma, no space, not digits alone.
    assert "#a-b #Erdoğan-tag" in out.splitlines()


def test_an_indented_line_and_a_number_tag_stay_text_and_a_tag(library):
    from markdown_it import MarkdownIt

    from reader.core.models import ArticleDraft

    line = "    indented four spaces line stays text"
    article_id = library.add(ArticleDraft(text=f"Intro.\n{line}\nEnd.", title="T")).article_id
    _annotate(library, article_id, quote=line, tags=("1984",), note="")
    out = export_markdown(library)
    html = MarkdownIt("commonmark").render(out)
    assert "<code>" not in html and "<p>indented four spaces line stays text</p>" in html
    assert "#_1984" in out.splitlines()
