"""The jsonl export in spaCy: every span of every line (``spans``, ``entities``,
``tagged``) is a ``doc.char_span(..., alignment_mode="strict")`` of a
``spacy.blank("en")`` Doc of the line's ``text``, annotations and entities made
inside words included (they are snapped outwards to token boundaries)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from export_fixture import CAFE, CREATOR, HARBOUR, build_library, find

from reader.core.anchoring import new_annotation
from reader.core.entities import EntityService
from reader.core.export import Options, export, gather
from reader.core.library import Library
from reader.core.models import Correction

# (article, quote, occurrence, cut from the start, cut from the end): annotations that
# start or end inside a word (or a grapheme cluster, or a CJK run).
MID_WORD = [
    (HARBOUR, "Harbour Council voted", 1, 1, 2),  # "arbour Council vot"
    (HARBOUR, "£4.2 million", 1, 2, 3),  # ".2 mill"
    (HARBOUR, "council's own", 1, 3, 0),  # "ncil's own"
    (CAFE, "Zoë Müller opened", 1, 5, 1),  # "üller opene"
    (CAFE, "北京烤鸭", 1, 1, 1),  # "京烤"
    (CAFE, "👩\u200d👩\u200d👧", 1, 2, 0),  # from the second woman of the ZWJ family
    (CAFE, "🇯🇵", 1, 1, 0),  # half a flag
    (CAFE, "façade", 1, 2, 2),  # "ça"
]
# Entities inside words, by this article's corrections ("add" at a position).
MID_WORD_ENTITIES = [
    (HARBOUR, "Portsmouth", 1, 1, 2, "GPE"),  # "ortsmou"
    (CAFE, "pastel", 1, 2, 0, "NORP"),  # "stel"
]


def _mid_word(library: Library) -> list[tuple[str, int, int]]:
    made = []
    for article_id, quote, occurrence, left, right in MID_WORD:
        text = library.load(article_id)[0].text
        start = find(text, quote, occurrence) + left
        end = find(text, quote, occurrence) + len(quote) - right
        library.store(article_id).save_annotation(
            new_annotation(text, start, end, ("mid word",), "made inside a word")
        )
        made.append((article_id, start, end))
    for number, (article_id, word, occurrence, left, right, label) in enumerate(MID_WORD_ENTITIES):
        text = library.load(article_id)[0].text
        start = find(text, word, occurrence) + left
        end = find(text, word, occurrence) + len(word) - right
        library.store(article_id).save_correction(
            Correction(
                f"{number:032x}", "add", text[start:end], label, start, end, "2024-06-01T00:00:00Z"
            )
        )
        made.append((article_id, start, end))
    return made


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return build_library(tmp_path / "library")


def _lines(library: Library) -> list[dict]:
    items = gather(library, entities=True, service=EntityService(rules=library.rule_store()))
    out = export("jsonl", items, Options(creator=CREATOR), files=False)
    assert out.endswith("\n")
    return [json.loads(line) for line in out.splitlines()]


def _ids_and_spans(line: dict) -> list[tuple[str, int, int, str]]:
    return (
        [("spans", s["start"], s["end"], s["label"]) for s in line["spans"]]
        + [("entities", s, e, label) for s, e, label in line["entities"]]
        + [("tagged", s["start"], s["end"], s["label"]) for s in line["tagged"]]
    )


def test_every_span_is_a_strict_char_span(library: Library) -> None:
    made = _mid_word(library)
    nlp = spacy.blank("en")
    lines = _lines(library)
    assert [line["meta"]["id"] for line in lines] == library.article_ids()
    checked = 0
    for line in lines:
        doc = nlp(line["text"])
        for kind, start, end, label in _ids_and_spans(line):
            span = doc.char_span(start, end, label=label, alignment_mode="strict")
            assert span is not None, (line["meta"]["id"], kind, start, end, label)
            assert span.text == line["text"][start:end] and span.label_ == label
            checked += 1
    assert checked > 40
    # Each span made inside a word is there, snapped outwards to whole tokens.
    by_article = {line["meta"]["id"]: line for line in lines}
    for article_id, start, end in made:
        line = by_article[article_id]
        spans = [(s["start"], s["end"]) for s in line["tagged"] + line["spans"]]
        around = [(s, e) for s, e in spans if s <= start and end <= e and (s, e) != (start, end)]
        assert around, (article_id, start, end, line["text"][start:end])


def test_every_anchored_annotation_is_tagged(library: Library) -> None:
    _mid_word(library)
    for line in _lines(library):
        annotations = library.load(line["meta"]["id"])[1]
        wanted = {a.id for a in annotations if a.state != "orphan"}
        assert {t["id"] for t in line["tagged"]} == wanted
        for a in annotations:
            if a.state == "orphan":
                continue
            tags = [t for t in line["tagged"] if t["id"] == a.id]
            assert [t["label"] for t in tags] == list(a.tags or ("NOTE",))
            assert all(t["note"] == a.note for t in tags)


def test_entities_are_spacy_training_entities(library: Library) -> None:
    """spaCy's training tuples must not overlap: ``doc.ents`` takes them all."""
    _mid_word(library)
    nlp = spacy.blank("en")
    for line in _lines(library):
        doc = nlp(line["text"])
        doc.ents = [
            doc.char_span(s, e, label=label, alignment_mode="strict")
            for s, e, label in line["entities"]
        ]
        assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [
            tuple(t) for t in line["entities"]
        ]


def test_entities_snapped_into_one_token_do_not_overlap(library: Library) -> None:
    """Two entities inside one token (北京 and 烤鸭 of 北京烤鸭) snap to the same
    token: the export must still give spaCy entities it can set on a Doc."""
    text = library.load(CAFE)[0].text
    start = find(text, "烤鸭")
    library.store(CAFE).save_correction(
        Correction("f" * 32, "add", "烤鸭", "PRODUCT", start, start + 2, "2024-06-01T00:00:00Z")
    )
    nlp = spacy.blank("en")
    (line,) = [x for x in _lines(library) if x["meta"]["id"] == CAFE]
    doc = nlp(line["text"])
    spans = [
        doc.char_span(s, e, label=label, alignment_mode="strict")
        for s, e, label in line["entities"]
    ]
    doc.ents = spans  # raises ValueError [E1010] when two entities overlap
