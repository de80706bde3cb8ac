"""reader.core.text: normalising, the shape of a text, quotes and slugs."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from reader.core.importers.inputs import import_path
from reader.core.text import QUOTE_CONTEXT, blocks, normalise, quote_context, slug

SEED_HEADINGS = [
    "Ankara urges Moscow to step aside",
    "Macron calls for ceasefire, urges Turkey to stop flow of migrants",
]
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- normalise ---------------------------------------------------------------


def test_normalise_turns_crlf_and_cr_into_newlines():
    assert normalise("one\r\ntwo\rthree\r\n") == "one\ntwo\nthree"


def test_normalise_composes_to_nfc():
    decomposed = "Caf\u0065\u0301 Erdog\u0306an"
    out = normalise(decomposed)
    assert out == "Caf\u00e9 Erdo\u011fan"
    assert unicodedata.is_normalized("NFC", out)


def test_normalise_removes_control_characters_but_keeps_newline():
    assert normalise("a\x00b\x07c\x08d\x7fe\x0bf\x0cg\nh") == "abcdefg\nh"


def test_normalise_turns_tabs_into_spaces():
    assert normalise("a\tb") == "a b"


def test_normalise_removes_ansi_csi_sequences():
    assert normalise("\x1b[1;31mred\x1b[0m and \x1b[2Kplain") == "red and plain"


def test_normalise_removes_osc_sequences_with_bel_or_st():
    hyperlink = "see \x1b]8;;https://example.com\x07the link\x1b]8;;\x07 here"
    title = "x\x1b]0;window title\x1b\\y"
    assert normalise(hyperlink) == "see the link here"
    assert normalise(title) == "xy"


def test_normalise_leaves_no_escape_character_at_all():
    out = normalise("a\x1b\x1b[\x1bPdcs\x1b\\b\x1b")
    assert "\x1b" not in out
    assert out.startswith("a") and out.endswith("b")


def test_normalise_removes_bidi_overrides_and_isolates():
    spoof = "invoice\u202egnp.exe\u202c and \u2066isolated\u2069 \u200fmark"
    assert normalise(spoof) == "invoicegnp.exe and isolated mark"


def test_normalise_keeps_rich_markup_literally():
    text = "[bold]x[/] and [link=https://e.com]y[/link] [red]"
    assert normalise(text) == text


def test_normalise_collapses_blank_lines_and_trailing_spaces():
    raw = "\n\n  \nfirst   \nline two\t\n\n\n   \n\n\nsecond\n\n\n"
    assert normalise(raw) == "first\nline two\n\nsecond"


def test_normalise_keeps_single_blank_line_between_paragraphs():
    assert normalise("p1\n\np2") == "p1\n\np2"


_HOSTILE_CHARS = st.sampled_from(
    list("ab \t\n\r[]/;0é\u0301")
    + [
        "\x1b",
        "\x1b[",
        "\x07",
        "\x9b",
        "\x00",
        "\u202e",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\x85",
        "\x1b]",
        "\x1b\\",
    ]
)


@given(st.lists(_HOSTILE_CHARS, max_size=40).map("".join))
def test_normalise_is_idempotent_and_clean(raw):
    out = normalise(raw)
    assert normalise(out) == out
    assert "\r" not in out and "\t" not in out and "\n\n\n" not in out
    allowed = {"\n", "\u200c", "\u200d"}  # the zero-width joiners scripts and emoji need
    assert not any(unicodedata.category(c) in {"Cc", "Cf"} and c not in allowed for c in out)
    assert not re.search(r"[ \t]\n", out)
    assert out == out.strip("\n ")


# --- blocks ------------------------------------------------------------------


def test_blocks_finds_the_seeds_two_subheadings_and_no_others(seed_path):
    (draft,) = import_path(seed_path)
    found = [draft.text[b.start : b.end] for b in blocks(draft.text) if b.kind == "heading"]
    assert found == SEED_HEADINGS


def test_blocks_cover_the_text_between_blank_lines():
    text = "Lead paragraph here.\n\nA Heading\n\nBody, line one\nline two."
    parts = blocks(text)
    assert [(text[b.start : b.end], b.kind) for b in parts] == [
        ("Lead paragraph here.", "paragraph"),
        ("A Heading", "heading"),
        ("Body, line one\nline two.", "paragraph"),
    ]


def test_blocks_never_makes_first_or_last_block_a_heading():
    text = "Short Title\n\nBody text goes here.\n\nTrailing Line"
    assert [b.kind for b in blocks(text)] == ["paragraph", "paragraph", "paragraph"]


# --- quote_context -------------------------------------------------------------


def test_quote_context_gives_32_characters_either_side(seed_path):
    (draft,) = import_path(seed_path)
    text = draft.text
    start = text.index("Recep Tayyip Erdogan")
    end = start + len("Recep Tayyip Erdogan")
    exact, prefix, suffix = quote_context(text, start, end)
    assert QUOTE_CONTEXT == 32
    assert exact == "Recep Tayyip Erdogan"
    assert prefix == text[start - 32 : start] and len(prefix) == 32
    assert suffix == text[end : end + 32] and len(suffix) == 32
    assert prefix.endswith("President ")


def test_quote_context_is_clipped_at_the_text_edges():
    text = "Short text here"
    assert quote_context(text, 0, 5) == ("Short", "", " text here")
    assert quote_context(text, 11, 15) == ("here", "Short text ", "")


# --- slug ----------------------------------------------------------------------


def test_slug_of_path_traversal_title_is_safe():
    out = slug("../../etc/passwd")
    assert out == "etc-passwd"
    assert "/" not in out and ".." not in out


def test_slug_of_emoji_and_cjk_titles_is_ascii():
    assert slug("🚀🔥💥") == "article"
    assert slug("北京新闻 速报") == "article"
    assert slug("Ünïcödé café ☕ 北京 news") == "unicode-cafe-news"


def test_slug_respects_its_limit_at_word_boundaries():
    out = slug("one two three four five six seven eight nine ten eleven twelve", limit=20)
    assert out == "one-two-three-four"
    assert len(out) <= 20


@given(st.text(max_size=200))
def test_slug_is_always_a_safe_ascii_name(title):
    out = slug(title)
    assert out.isascii()
    assert SLUG.match(out), out
    assert len(out) <= 48


# --- captions and related headlines (issue 12): shown apart from the story ---------------


def test_a_photo_caption_is_told_from_the_story() -> None:
    from reader.core.text import looks_like_caption

    captions = [
        "Troops near Aleppo on February 17, 2020. (Photo by AFP)",
        "Protesters gather in the square on Monday. (AFP Photo)",
        "Smoke rises over the city. Photo: Reuters",
        "Photo: Smoke rises over the city.",
        "Firefighters at work (Getty Images)",
        "The minister arrives in Brussels. Photograph by Jane Doe/AP",
    ]
    story = [
        "He said the photo by the river was fake.",
        "The minister said: we will not back down.",
        "The image of the president (in a file photo from 2019) was shared widely, "
        "the agency said, and officials denied it.",
        "Pictures of the damage were shared by residents on Monday.",
        "A long paragraph about a photo " + "word " * 80 + "(Photo by AFP)",
    ]
    assert [looks_like_caption(c) for c in captions] == [True] * len(captions)
    assert [looks_like_caption(s) for s in story] == [False] * len(story)


def test_blocks_and_rows_set_captions_and_related_headlines_apart() -> None:
    from reader.tui.widgets.layout import Layout

    text = (
        "Troops near Aleppo on February 17. (Photo by AFP)\n\n"
        "Turkish drone strikes killed 26 soldiers, a monitor said.\n"
        "Russia cites Syria agreement but Erdogan sounds belligerent\n"
        "Russia says it has agreed with Turkey to ease tensions\n\n"
        "Macron calls for ceasefire\n\n"
        "The French president spoke on Sunday."
    )
    assert [b.kind for b in blocks(text)] == ["caption", "paragraph", "heading", "paragraph"]
    rows = [(text[line.start : line.end].strip(), line.kind) for line in Layout(text, 120).lines]
    kinds = {row: kind for row, kind in rows if row}
    assert kinds["Turkish drone strikes killed 26 soldiers, a monitor said."] == "paragraph"
    assert kinds["Russia cites Syria agreement but Erdogan sounds belligerent"] == "aside"
    assert kinds["Russia says it has agreed with Turkey to ease tensions"] == "aside"
    assert kinds["Macron calls for ceasefire"] == "heading"
    assert kinds["Troops near Aleppo on February 17. (Photo by AFP)"] == "caption"
