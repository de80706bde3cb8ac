"""W3C selectors on non-ASCII text: in the export, every TextQuoteSelector's
``exact`` is ``text[start:end]`` of its TextPositionSelector, offsets in code
points (Python ``str`` indices), whatever the characters: accents, CJK, emoji
with skin tones, ZWJ sequences, flags, keycaps, astral letters, combining marks."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from export_fixture import CAFE, CREATOR, build_library

from reader.core.anchoring import new_annotation
from reader.core.export import Options, export, gather
from reader.core.library import Library
from reader.core.models import ArticleDraft
from reader.core.text import normalise, sha256

SCRIPTS = normalise(
    "Ünïcödé ＴＥＳＴ: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and q\u0303 (no precomposed form) in São Paulo.\n"
    "Keycap 1\ufe0f\u20e3, rainbow flag 🏳\ufe0f\u200d🌈, couple 👩🏽\u200d❤\ufe0f\u200d👨🏿, "
    "flags 🇺🇦🇵🇱🇧🇷 side by side.\n"
    "\n"
    "日本語の文章と한국어 문장, and العربية and עברית and हिन्दी (नमस्ते) mixed in.\n"
    "Emoji at the end 🧑\u200d🚀"
)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    library = build_library(tmp_path / "library")
    (result,) = library.add_many(
        [
            ArticleDraft(
                text=SCRIPTS,
                title="Scripts",
                date="2024-06-01",
                source="https://example.org/scripts",
            )
        ]
    )
    assert result.status == "added"
    return library


def _annotate_non_ascii(library: Library, article_id: str) -> int:
    """Annotations starting at every non-ASCII code point (one and five code points
    long, so many start or end inside a grapheme cluster), and on each word."""
    article, _ = library.load(article_id)
    text = article.text
    store = library.store(article_id)
    spans = set()
    for i, char in enumerate(text):
        if ord(char) > 127 and not char.isspace():
            spans.update({(i, i + 1), (i, min(i + 5, len(text)))})
    for word in text.split():
        if any(ord(c) > 127 for c in word):
            start = text.index(word)
            spans.add((start, start + len(word)))
    for start, end in sorted(spans):
        store.save_annotation(new_annotation(text, start, end, ("span",), f"{start}-{end}"))
    return len(spans)


def _w3c_items(library: Library) -> list[dict]:
    options = Options(creator=CREATOR, rules=tuple(library.rule_store().corrections()))
    data = json.loads(export("w3c", gather(library), options, files=False))
    return data["first"]["items"]


def test_quote_selectors_are_the_text_at_the_position_selectors(library: Library) -> None:
    scripts = next(a for a in library.article_ids() if a not in {CAFE} and "scripts" in a)
    added = {
        CAFE: _annotate_non_ascii(library, CAFE),
        scripts: _annotate_non_ascii(library, scripts),
    }
    texts = {a: library.load(a)[0].text for a in added}
    checked = {a: 0 for a in added}
    for item in _w3c_items(library):
        target = item["target"]
        article_id = target.get("reader:article")
        if article_id not in texts or not isinstance(target.get("selector"), list):
            continue
        text = texts[article_id]
        quote, position = target["selector"]
        assert quote["type"] == "TextQuoteSelector"
        assert position["type"] == "TextPositionSelector"
        start, end = position["start"], position["end"]
        assert quote["exact"] == text[start:end], (article_id, start, end)
        assert quote["prefix"] == text[max(0, start - len(quote["prefix"])) : start]
        assert quote["suffix"] == text[end : end + len(quote["suffix"])]
        if "reader:textSha256" in target:
            assert target["reader:textSha256"] == sha256(text)
        if (
            item["body"]
            and item["body"][-1]["purpose"] == "commenting"
            and item["body"][0]["value"] == "span"
        ):
            assert item["body"][-1]["value"] == f"{start}-{end}"
        checked[article_id] += 1
    # Every annotation of both articles was checked (the café's own five as well).
    assert checked == {CAFE: added[CAFE] + 5, scripts: added[scripts]}


def test_the_texts_have_what_the_test_is_about(library: Library) -> None:
    text = SCRIPTS + library.load(CAFE)[0].text
    assert "\u200d" in text  # ZWJ sequences
    assert any(0x1F1E6 <= ord(c) <= 0x1F1FF for c in text)  # regional indicators (flags)
    assert any(0x1F3FB <= ord(c) <= 0x1F3FF for c in text)  # skin tones
    assert any(unicodedata.combining(c) for c in text)  # combining marks
    assert any(ord(c) > 0xFFFF for c in text)  # astral (two UTF-16 units each)
    assert any("\u4e00" <= c <= "\u9fff" for c in text)  # CJK
    assert unicodedata.normalize("NFC", SCRIPTS) == SCRIPTS
