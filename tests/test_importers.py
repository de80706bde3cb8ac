"""Every import format on small hand-written fixtures (tests/fixtures/import/), folder
imports, format sniffing, text hygiene, and what Library.add does with the drafts:
duplicates, updates that keep the old text and the annotations, and safe ids."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from reader.core.anchoring import new_annotation
from reader.core.importers import Imported, ImportFailed
from reader.core.importers.detect import sniff
from reader.core.importers.inputs import count_inputs, read_inputs
from reader.core.importers.parsing import parse_bytes
from reader.core.library import Library, is_safe_id
from reader.core.models import ArticleDraft
from reader.core.text import sha256

FIXTURES = Path(__file__).parent / "fixtures" / "import"
FOLDER = FIXTURES / "folder"

# Newlines, and the zero-width (non-)joiners Persian, Indic scripts and emoji need.
ALLOWED = {"\n", "\u200c", "\u200d"}


def parse(name: str, as_name: str | None = None) -> tuple[list[ArticleDraft], list[str]]:
    """parse_bytes on a fixture, as read_inputs would call it (optionally renamed)."""
    path = FIXTURES / name
    return parse_bytes(path.read_bytes(), as_name or str(path), str(path))


def one(name: str) -> ArticleDraft:
    drafts, _ = parse(name)
    assert len(drafts) == 1, drafts
    return drafts[0]


def failure(name: str, data: bytes | None = None) -> str:
    path = FIXTURES / name
    with pytest.raises(ImportFailed) as caught:
        parse_bytes(path.read_bytes() if data is None else data, str(path), str(path))
    message = str(caught.value)
    assert "\n" not in message and message.strip() == message and message
    return message


def copy_folder_with_git(tmp_path: Path) -> Path:
    """The fixture folder plus a hidden .git folder (git cannot commit one), in tmp."""
    root = tmp_path / "inbox"
    shutil.copytree(FOLDER, root)
    git = root / ".git"
    (git / "objects" / "ab").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = false\n")
    (git / "description").write_text(
        "Unnamed repository; edit this file to name the repository for the gitweb pages.\n"
    )
    (git / "COMMIT_EDITMSG").write_text(
        "Add the new articles about the island election and the harbour fishermen\n\n"
        "The wire desk sent these on Tuesday morning and they read like prose.\n"
    )
    (git / "objects" / "ab" / "cdef0123").write_bytes(b"x\x01\x00\x9c\xff" * 20)
    return root


# --- Markdown --------------------------------------------------------------------------------


def test_markdown_front_matter_gives_the_metadata():
    draft = one("front_matter.md")
    assert draft.title == "Harbour Town Votes to Rebuild Its Flooded Sea Wall"
    assert draft.author == "Maria Okafor"
    assert draft.date == "2023-11-05"
    assert draft.source == "https://news.example.org/2023/11/05/harbour-sea-wall"
    assert draft.format == "markdown"
    assert draft.tags == ("climate", "local politics", "infrastructure")


def test_markdown_text_is_plain_without_front_matter_or_title_heading():
    text = one("front_matter.md").text
    assert text.startswith("The council of Harbour Town voted on Sunday night")
    assert "title:" not in text and "---" not in text
    assert "Harbour Town Votes" not in text  # the h1 repeats the title: dropped
    assert "\n\nA costly compromise\n\n" in text  # the sub-heading is its own block
    assert "*" not in text and "##" not in text and "extra height" in text
    assert "• Work starts in the spring." in text
    assert text.endswith("the first stones laid.")


def test_markdown_without_front_matter_takes_the_first_heading_as_title():
    draft = one("no_front_matter.md")
    assert draft.title == "Night Trains Return to the Alpine Line"
    assert (draft.author, draft.date, draft.tags, draft.format) == ("", "", (), "markdown")
    assert draft.source == str(FIXTURES / "no_front_matter.md")
    assert draft.text.startswith("After a pause of almost twenty years")
    assert "Night Trains Return" not in draft.text
    # A link keeps its words, not its address.
    assert "European subsidy scheme" in draft.text and "https://example.eu" not in draft.text
    assert "\n\nWhy now\n\n" in draft.text


# --- HTML ------------------------------------------------------------------------------------


def test_html_page_metadata():
    draft = one("news_page.html")
    assert draft.title == "City Library Opens Its Doors Around the Clock"
    assert draft.author == "Jonas Whitfield"
    assert draft.date == "2024-02-14"
    assert draft.source == str(FIXTURES / "news_page.html")
    assert draft.format == "html"


def test_html_page_text_is_the_article_only():
    text = one("news_page.html").text
    assert text.startswith("The central library will stay open twenty-four hours a day")
    assert text.endswith('"Now it belongs to everyone at every hour," she said.')
    paragraphs = text.split("\n\n")
    assert "Staffing the night shift" in paragraphs  # the sub-heading, its own block
    assert len([p for p in paragraphs if len(p.split()) > 15]) == 5
    for boilerplate in (
        "NavMenu",
        "Subscribe today",
        "AdvertPlaceholder",
        "RelatedLink",
        "Related stories",
        "SponsoredContent",
        "CommentOne",
        "CommentTwo",
        "Reader comments",
        "FooterText",
        "The Daily Courier",
    ):
        assert boilerplate not in text, boilerplate


def test_html_js_shell_falls_back_to_json_ld():
    draft = one("js_shell.html")
    assert draft.title == "Volcano Observatory Raises Alert Level on Northern Island"
    assert draft.author == "Ingrid Halvorsen"
    assert draft.date == "2024-05-20"
    assert draft.format == "html"
    assert draft.text.startswith("Scientists at the volcano observatory raised the alert level")
    assert "last erupted in 1998." in draft.text
    assert "enable JavaScript" not in draft.text and "Loading" not in draft.text


def test_html_json_ld_article_body_keeps_its_paragraphs():
    """articleBody separates its three paragraphs with blank lines; they stay blocks."""
    paragraphs = one("js_shell.html").text.split("\n\n")
    assert len(paragraphs) == 3, paragraphs
    assert paragraphs[1].startswith("The observatory said there was no sign")


def test_html_without_any_text_fails_in_one_line():
    message = failure("x.html", b"<html><body><div id='app'></div></body></html>")
    assert message.endswith("no article text found in the page")


# --- feeds -----------------------------------------------------------------------------------


def test_rss_entries():
    drafts, notes = parse("feed_rss.xml")
    assert notes == []
    by_source = {d.source.rsplit("/", 1)[1]: d for d in drafts}
    assert list(by_source) == [
        "bridge-reopens",
        "orchard-harvest",
        "cycle-lanes",
        "school-choir",
        "untitled-item",
    ]
    bridge = by_source["bridge-reopens"]
    assert bridge.format == "feed"  # content:encoded, not the summary
    assert bridge.text == (
        "The old stone bridge over the river reopened to traffic on Monday after two years of "
        "repairs.\n\nEngineers replaced the worn arches and strengthened the foundations "
        "against floods."
    )
    assert "Short summary" not in bridge.text
    assert (bridge.title, bridge.author, bridge.date) == (
        "Bridge Reopens After Two Years of Repairs",
        "Hana Sato",
        "2024-03-04",
    )
    orchard = by_source["orchard-harvest"]
    assert orchard.format == "feed-summary"
    assert orchard.text == (
        "Fruit growers in the valley expect the largest apple harvest in a decade."
    )
    assert orchard.author == "Pedro Alves"  # "email (Name)" gives the name
    # No author on the item: the feed's.
    assert by_source["cycle-lanes"].author == "Valley Gazette Desk"
    assert by_source["cycle-lanes"].date == "2024-03-06"
    # No date: empty, not made up.
    assert by_source["school-choir"].date == ""
    # No title: derived from the text's first sentence.
    untitled = by_source["untitled-item"]
    assert untitled.title == "Heavy snow closed the mountain pass overnight"
    assert untitled.format == "feed-summary"


def test_atom_entries():
    drafts, _ = parse("feed_atom.xml")
    seagrass, tide = drafts
    assert seagrass.title == "Seagrass Meadows Store More Carbon Than Thought"
    assert seagrass.source == "https://science.example.net/seagrass-carbon"
    assert (seagrass.author, seagrass.date, seagrass.format) == (
        "Dr. Aiko Tanaka",
        "2024-04-01",
        "feed",
    )
    assert seagrass.text.split("\n\n") == [
        "Seagrass meadows along the coast store far more carbon than earlier surveys "
        "suggested, a new study finds.",
        "The researchers sampled sediment cores at forty sites.",
    ]
    assert (tide.author, tide.format, tide.date) == (
        "Coastal Science Team",
        "feed-summary",
        "2024-03-28",
    )


def test_malformed_feed_fails_in_one_line():
    message = failure("malformed_feed.xml")
    assert message.startswith(str(FIXTURES / "malformed_feed.xml") + ": malformed feed")


def test_feed_without_entries_fails():
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    assert failure("f.xml", data).endswith("the feed has no entries")


# --- plain text: encodings, controls, glued words -----------------------------------------


def test_cp1252_text_is_decoded_with_a_note():
    (draft,), notes = parse("cp1252.txt")
    assert notes == [f"{FIXTURES / 'cp1252.txt'}: not UTF-8; decoded as cp1252"]
    assert "The café on the corner" in draft.text
    assert "“We missed it,” said one regular – a retired teacher" in draft.text
    assert "€2.40" in draft.text and "espresso machine … and" in draft.text
    assert "naïve" in draft.text


def test_control_characters_are_stripped_and_markup_kept_literally():
    draft = one("controls.txt")
    for text in (draft.text, draft.title):
        bad = [c for c in text if unicodedata.category(c) in {"Cc", "Cf"} and c not in ALLOWED]
        assert bad == [], bad
    assert "\x1b" not in draft.text
    assert "Colours: red text and a  and a bell ring." in draft.text  # the OSC title is gone
    assert "window title" not in draft.text
    assert "Reversed: gnp.exe and a backspace" in draft.text
    # Rich markup is text like any other: kept, never interpreted.
    assert "on Monday [bold red]x[/] and agreed [link=https://evil.example]click[/link]" in (
        draft.text
    )


def test_seed_format_header_and_glued_words():
    (draft,), notes = parse("seed_format.txt")
    assert (draft.date, draft.author, draft.format) == ("2022-09-12", "Priya Raman", "text")
    assert not draft.text.startswith("date") and "Posted on" not in draft.text
    assert "right now.\nRussia cites" in draft.text
    assert "belligerent\nRussia says" in draft.text
    assert draft.mended == (("now.", "Russia"), ("belligerent", "Russia"))
    assert notes == [
        f"{FIXTURES / 'seed_format.txt'}: split 2 glued word(s): now.|Russia, belligerent|Russia"
    ]
    for name in ("McDonald", "iPhone", "YouTube"):
        assert f" {name} " in draft.text, name
    assert draft.title.startswith("Talks between the two delegations broke down")


def test_empty_and_binary_files_fail_in_one_line():
    assert failure("empty.txt").endswith(": empty")
    assert failure("image.png").endswith(": binary file, not text")
    assert failure("blank.txt", b" \n\t\n").endswith(": empty")


# --- control characters in metadata ---------------------------------------------------------


def _clean(value: str) -> bool:
    return not any(unicodedata.category(c) in {"Cc", "Cf"} and c not in ALLOWED for c in value)


def test_markdown_front_matter_metadata_has_no_control_characters():
    data = (
        b'---\ntitle: "\\e[31mRed\\e[0m \\u202etitle"\nauthor: "Bob\\a \\e]0;pwn\\a"\n'
        b'tags: ["\\e[1mbold"]\n---\n\nThe body of the article is an ordinary sentence.\n'
    )
    (draft,), _ = parse_bytes(data, "x.md", "x.md")
    assert _clean(draft.title), repr(draft.title)
    assert _clean(draft.author), repr(draft.author)
    assert all(_clean(tag) for tag in draft.tags), draft.tags


def test_markdown_heading_title_has_no_control_characters():
    data = b"# \x1b[31mRed\x1b[0m heading\n\nThe body of the article.\n"
    (draft,), _ = parse_bytes(data, "x.md", "x.md")
    assert draft.title == "Red heading", repr(draft.title)


def test_plain_text_header_author_has_no_control_characters():
    data = "date 2020-01-02 Posted on by \x1b[31mEve\u202e Smith\n\nA body sentence.\n".encode()
    (draft,), _ = parse_bytes(data, "x.txt", "x.txt")
    assert draft.author == "Eve Smith", repr(draft.author)


def test_feed_author_has_no_control_characters():
    data = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        "<title>Hi</title><author>Eve\u202e Smith</author>"
        "<description>Some text.</description></item></channel></rss>"
    ).encode()
    (draft,), _ = parse_bytes(data, "f.xml", "f.xml")
    assert draft.author == "Eve Smith", repr(draft.author)


# --- telling formats by content -----------------------------------------------------------


def test_sniff_goes_by_content_not_name():
    html = (FIXTURES / "news_page.html").read_bytes()
    rss = (FIXTURES / "feed_rss.xml").read_bytes()
    atom = (FIXTURES / "feed_atom.xml").read_bytes()
    assert sniff(html, "saved-page.txt") == "html"
    assert sniff(html, "page") == "html"
    assert sniff(rss, "feed.html") == "feed"
    assert sniff(atom, "index.html") == "feed"
    assert sniff((FIXTURES / "front_matter.md").read_bytes(), "notes.txt") == "markdown"
    assert sniff((FIXTURES / "seed_format.txt").read_bytes(), "a.md") == "markdown"
    assert sniff((FIXTURES / "seed_format.txt").read_bytes(), "a.txt") == "text"


def test_html_named_txt_is_imported_as_html():
    (draft,), _ = parse("news_page.html", as_name="saved.txt")
    assert draft.format == "html" and "NavMenu" not in draft.text


def test_feed_named_html_is_imported_as_a_feed():
    drafts, _ = parse("feed_rss.xml", as_name="feed.html")
    assert len(drafts) == 5 and {d.format for d in drafts} == {"feed", "feed-summary"}


# --- folders ---------------------------------------------------------------------------------


def _by_name(results: list[Imported], root: Path) -> dict[str, Imported]:
    return {Path(r.source).relative_to(root).as_posix(): r for r in results}


def test_folder_import_yields_the_articles_and_skips_the_rest(tmp_path):
    root = copy_folder_with_git(tmp_path)
    results = list(read_inputs([str(root)]))
    found = _by_name(results, root)
    assert count_inputs([str(root)]) == len(results)
    articles = {
        "world/2024/election.html": ("Island Nation Heads to the Polls in Close Race", "html"),
        "opinion/column.md": ("In Praise of the Slow Commute", "markdown"),
        "wire/market-report.txt": (None, "text"),
        "wire/DISPATCH": (None, "text"),
    }
    for name, (title, fmt) in articles.items():
        result = found[name]
        assert (result.error, result.skipped) == ("", ""), name
        (draft,) = result.drafts
        assert draft.format == fmt
        assert draft.source == str((root / name).resolve())
        if title:
            assert draft.title == title
    assert found["wire/market-report.txt"].drafts[0].author == "Wire Desk"
    assert found["wire/DISPATCH"].drafts[0].title.startswith("Fishermen in the northern harbour")
    for name in ("assets/site.css", "assets/app.js", "assets/img/logo.png"):
        result = found[name]
        assert result.drafts == [] and result.error == "", name
        assert result.skipped == f"{root / name}: not an article"
    # Hidden folders are not looked into at all: nothing imported, nothing failed.
    hidden = [n for n in found if any(part.startswith(".") for part in n.split("/"))]
    for name in hidden:
        assert found[name].drafts == [] and found[name].error == "", name
    assert set(found) - set(hidden) == set(articles) | {
        "assets/site.css",
        "assets/app.js",
        "assets/img/logo.png",
    }


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("widget.js", 'const row = "<p>Hello there</p>";\ndocument.body.innerHTML = row;\n'),
        ("render.js", "function render(t) {\n  return `<article><p>${t}</p></article>`;\n}\n"),
        ("site.css", "/* <p> spacing </p> */\np { margin: 0 0 1em; }\n"),
        ("data.json", '{"html": "<p>Hello, world</p>"}\n'),
        ("icon.svg", '<svg xmlns="http://www.w3.org/2000/svg"><p>x</p></svg>\n'),
    ],
)
def test_code_files_with_html_snippets_in_a_folder_are_skipped(tmp_path, name, content):
    (tmp_path / name).write_text(content)
    (result,) = read_inputs([str(tmp_path)])
    assert (result.drafts, result.error) == ([], ""), (result.drafts, result.error)
    assert result.skipped


def test_a_file_named_on_its_own_is_not_skipped(tmp_path):
    """Skipping is for folder members: a named non-article file fails or imports."""
    (result,) = read_inputs([str(FIXTURES / "image.png")])
    assert result.skipped == "" and result.error.endswith("binary file, not text")


def test_missing_input_fails_in_one_line(tmp_path):
    (result,) = read_inputs([str(tmp_path / "nope.txt")])
    assert result.error == f"{tmp_path / 'nope.txt'}: no such file"


# --- Library.add -----------------------------------------------------------------------------


def test_same_text_twice_is_a_duplicate(library: Library):
    (draft,), _ = parse("seed_format.txt")
    first = library.add(draft)
    assert first.status == "added"
    again = library.add(ArticleDraft(text=draft.text, title="Other", source="elsewhere"))
    assert (again.status, again.article_id) == ("duplicate", first.article_id)
    assert library.article_ids() == [first.article_id]


def test_reimport_of_a_changed_file_updates_and_keeps_the_old_text_and_notes(
    library: Library, tmp_path: Path
):
    path = tmp_path / "story.txt"
    shutil.copy(FIXTURES / "seed_format.txt", path)
    ((first,),) = [r.drafts for r in read_inputs([str(path)])]
    added = library.add(first)
    assert added.status == "added"
    article_id = added.article_id
    old_text = (library.articles_dir / f"{article_id}.txt").read_text(encoding="utf-8")
    assert old_text == first.text

    name = "McDonald restaurant"
    start = old_text.index(name)
    note = new_annotation(old_text, start, start + len(name), tags=("food",), note="Still open.")
    library.store(article_id).save_annotation(note)

    # The file changes: a new first paragraph moves every offset.
    original = path.read_text(encoding="utf-8")
    header, _, body = original.partition("\n\n")
    path.write_text(f"{header}\n\nA new opening paragraph was added by the editors.\n\n{body}")
    ((second,),) = [r.drafts for r in read_inputs([str(path)])]
    assert second.source == first.source and second.text != first.text

    updated = Library(library.root).add(second)  # a fresh Library, as a new run would be
    assert (updated.status, updated.article_id) == ("updated", article_id)
    assert library.article_ids() == [article_id]
    assert (library.articles_dir / f"{article_id}.txt").read_text(encoding="utf-8") == second.text
    version = library.articles_dir / "versions" / article_id / f"{sha256(old_text)}.txt"
    assert version.read_text(encoding="utf-8") == old_text
    assert library.text_version(article_id, sha256(old_text)) == old_text

    article, annotations = Library(library.root).load(article_id)
    assert article.text == second.text
    assert article.info.text_sha256 == sha256(second.text)
    (placed,) = annotations
    assert (placed.id, placed.tags, placed.note, placed.state) == (
        note.id,
        ("food",),
        "Still open.",
        "anchored",
    )
    assert placed.start != note.start
    assert second.text[placed.start : placed.end] == name

    # Importing the same, unchanged file again is a duplicate.
    assert Library(library.root).add(second).status == "duplicate"


HOSTILE = [
    "../../etc/passwd",
    "a/b\\c",
    "..\\..\\windows\\system32",
    "/absolute/path",
    "~root/.ssh/authorized_keys",
    "x" * 5000,
    "Ünïcödé " * 300,
    "🔥💥🗞️ breaking 🚨",
    "🔥💥",
    "",
    ".",
    "..",
    'con:aux|nul?*<>"',
    "\x00\x1b[31m\u202e title",
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_titles_and_sources_stay_inside_articles(library: Library, hostile: str):
    text = f"An article whose title is hostile: {hostile[:40]!r}."
    draft = ArticleDraft(text=text, title=hostile, source=hostile, date="../" + hostile[:20])
    result = library.add(draft)
    assert is_safe_id(result.article_id) and len(result.article_id) <= 96
    articles = library.articles_dir.resolve()
    allowed = (articles, library.annotations_dir.resolve())
    assert (library.articles_dir / f"{result.article_id}.txt").resolve().parent == articles

    def inside() -> None:
        for path in library.root.rglob("*"):
            resolved = path.resolve()
            assert resolved in allowed or any(a in resolved.parents for a in allowed), path

    inside()
    if hostile:  # an update through the same hostile source stays in place too
        again = library.add(ArticleDraft(text=text + " Changed.", title=hostile, source=hostile))
        assert (again.article_id, again.status) == (result.article_id, "updated")
        (version,) = (library.articles_dir / "versions" / result.article_id).iterdir()
        assert articles in version.resolve().parents
        inside()


def test_hostile_markdown_front_matter_makes_a_safe_id(library: Library):
    data = (
        b"---\ntitle: ../../../../tmp/owned\nurl: ../../../../tmp/owned\n"
        b"date: ../../x\n---\n\nSome ordinary article text.\n"
    )
    (draft,), _ = parse_bytes(data, "evil.md", "evil.md")
    result = library.add(draft)
    assert is_safe_id(result.article_id)
    assert (library.articles_dir / f"{result.article_id}.txt").resolve().parent == (
        library.articles_dir.resolve()
    )


def test_a_text_readded_after_its_ids_were_taken_by_updates_still_gets_a_valid_id(
    library: Library,
):
    """new_id falls back from 8 to 16 to 64 hex digits when an id is taken. Ids taken
    by articles that were since updated (so the hash is free again) force the 64."""
    title = "A very long headline about the council's plans for the harbour and sea wall"

    def draft(text: str, source: str) -> ArticleDraft:
        return ArticleDraft(text=text, title=title, date="2020-01-01", source=source)

    assert library.add(draft("one", "a")).status == "added"
    assert library.add(draft("two", "a")).status == "updated"
    assert library.add(draft("one", "b")).status == "added"
    assert library.add(draft("three", "b")).status == "updated"
    result = library.add(draft("one", "c"))  # raised KeyError: the id was too long
    assert result.status == "added"
    assert is_safe_id(result.article_id)
    assert len(library.article_ids()) == 3


_STORY = (
    "<p>Negotiators from Israel and Hamas resumed indirect talks in Cairo on Tuesday, Egyptian "
    "officials said, as mediators from Qatar and the United States pushed for a truce.</p>"
    "<p>The talks come as aid agencies warned of famine in northern Gaza, where the United "
    "Nations says hundreds of thousands of people face catastrophic hunger.</p>"
    "<p>Previous rounds of negotiations in Paris and Doha failed to produce an agreement.</p>"
)
_COMMENTS = (
    '<div class="post"><span class="user">troll99</span><p>Typical biased reporting from this '
    "outlet, I will cancel my subscription today and tell everyone.</p></div>"
    '<div class="post"><span class="user">jane</span><p>Thanks for the balanced coverage of '
    "this conflict, it is rare these days to read something fair.</p></div>"
)


@pytest.mark.parametrize(
    "section",
    [
        f'<section class="user-comments">{_COMMENTS}</section>',
        f'<div id="disqus_thread">{_COMMENTS}</div>',
        f'<div class="box comments">{_COMMENTS}</div>',
        f'<section class="user-comments">{_COMMENTS}</div>',  # closed by the wrong tag
    ],
    ids=["user-comments", "disqus", "comments-class", "malformed"],
)
def test_readers_comments_in_other_markup_are_left_out(section: str) -> None:
    from reader.core.importers.html import parse_html

    page = (
        "<html><head><title>Ceasefire talks resume in Cairo</title></head><body>"
        f"<div class='content'><h1>Ceasefire talks resume in Cairo</h1>{_STORY}</div>"
        f"{section}</body></html>"
    )
    draft = parse_html(page)
    assert draft.text.startswith("Negotiators from Israel")
    assert "biased" not in draft.text and "balanced coverage" not in draft.text
    assert "Doha failed" in draft.text


def test_an_opinion_piece_or_open_comments_keep_their_text() -> None:
    """Pages mark opinion articles and articles open to comments with classes
    that name comments: the article's text must stay."""
    from reader.core.importers.html import parse_html

    page = (
        "<html><head><title>Ceasefire talks resume in Cairo</title></head><body>"
        "<article class='content content--comment comments-open comments'>"
        f"<h1>Ceasefire talks resume in Cairo</h1>{_STORY}</article></body></html>"
    )
    draft = parse_html(page)
    assert draft.text.startswith("Negotiators from Israel") and "Doha failed" in draft.text


@pytest.mark.parametrize(
    "raw, title, starts",
    [
        (
            "Floods in Lausanne\n\nThe storm hurt shops.\n\nThe station closed.",
            "Floods in Lausanne",
            "The storm hurt shops.",
        ),
        # A sentence, a caption or a lone paragraph is text, not a title line.
        ("The storm hurt shops.\n\nThe station closed.", "The storm hurt shops", "The storm"),
        (
            "Photo: the flooded station (AFP)\n\nThe storm hurt shops.",
            "The storm hurt shops",
            "Photo:",
        ),
        ("Floods in Lausanne", "Floods in Lausanne", "Floods in Lausanne"),
        ("Two lines\nof a poem\n\nThe storm hurt shops.", "Two lines of a poem", "Two lines"),
    ],
    ids=["title-line", "sentence", "caption", "only-line", "two-lines"],
)
def test_a_plain_text_title_line_is_the_title_and_not_the_text(raw, title, starts) -> None:
    from reader.core.importers.plaintext import parse_plaintext

    draft = parse_plaintext(raw)
    assert draft.title == title
    assert draft.text.startswith(starts)


def test_an_rss_author_given_as_email_and_name_is_the_name() -> None:
    from reader.core.importers.feed import parse_feed

    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Bridge reopens</title><author>x@y.z (Feed Writer)</author>"
        b"<description>The old bridge over the river reopened on Monday after two years "
        b"of repairs, the council said.</description><link>https://e.com/a</link></item>"
        b"</channel></rss>"
    )
    assert [d.author for d in parse_feed(rss)] == ["Feed Writer"]
