"""Named entities on the seed with the real spaCy model, against hand labels."""

from __future__ import annotations

import difflib
import json
import unicodedata
from pathlib import Path

import pytest

from reader.core.entities import EntityService
from reader.core.importers.inputs import import_path
from reader.core.library import Library

MIN_RECALL = 0.95  # issue 5 (issue 2 asked 0.85; the bare model gets 0.89)
MIN_PRECISION = 0.90


@pytest.fixture(scope="module")
def recognised(tmp_path_factory, seed_path):
    """The seed in a library, with its entities recognised once (loads the model)."""
    library = Library(tmp_path_factory.mktemp("entities") / "library").ensure()
    (draft,) = import_path(seed_path)
    article_id = library.add(draft).article_id
    article, _ = library.load(article_id)
    service = EntityService()
    entities, from_cache = service.entities_for(article, library.store(article_id))
    return service, library, article, entities, from_cache


def _mentions(seed_path: Path, fixture_entities_path: Path, text: str) -> list[dict]:
    """The fixture's mentions, moved from raw-file offsets to stored-text offsets
    through an alignment of the raw file with the stored (normalised, mended) text."""
    raw = seed_path.read_text(encoding="utf-8")
    fixture = json.loads(fixture_entities_path.read_text(encoding="utf-8"))
    to_text: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, raw, text, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        to_text.update((a + i, b + i) for i in range(size))
    mentions = []
    for m in fixture["mentions"]:
        start, end = to_text[m["start"]], to_text[m["end"] - 1] + 1
        assert text[start:end] == m["text"], m
        mentions.append({**m, "start": start, "end": end})
    assert len(mentions) > 50
    return mentions


def test_first_call_recognises_and_is_not_cached(recognised):
    _, _, article, entities, from_cache = recognised
    assert from_cache is False
    assert entities
    for entity in entities:
        assert article.text[entity.start : entity.end] == entity.text


def test_recall_against_hand_labels(recognised, seed_path, fixture_entities_path):
    _, _, article, entities, _ = recognised
    mentions = _mentions(seed_path, fixture_entities_path, article.text)
    hits = sum(
        any(e.start < m["end"] and m["start"] < e.end and e.label in m["labels"] for e in entities)
        for m in mentions
    )
    recall = hits / len(mentions)
    print(f"entity recall on the seed: {recall:.3f} ({hits}/{len(mentions)})")
    assert recall >= MIN_RECALL


def test_precision_against_hand_labels(recognised, seed_path, fixture_entities_path):
    """A highlighted span is right when it overlaps a hand-labelled mention with an
    accepted label; anything else (a non-entity word, a wrong label) counts against."""
    _, _, article, entities, _ = recognised
    mentions = _mentions(seed_path, fixture_entities_path, article.text)
    right = [
        e
        for e in entities
        if any(
            e.start < m["end"] and m["start"] < e.end and e.label in m["labels"] for m in mentions
        )
    ]
    precision = len(right) / len(entities)
    wrong = [(e.text, e.label) for e in entities if e not in right]
    print(f"entity precision on the seed: {precision:.3f}; not in the fixture: {wrong}")
    assert precision >= MIN_PRECISION


def test_second_call_comes_from_the_cache(recognised):
    service, library, article, entities, _ = recognised
    again, from_cache = service.entities_for(article, library.store(article.id))
    assert from_cache is True
    assert again == entities


def test_cache_survives_a_new_service(recognised):
    _, library, article, entities, _ = recognised
    again, from_cache = EntityService().entities_for(article, library.store(article.id))
    assert from_cache is True
    assert again == entities


def test_entity_spans_are_clean(recognised):
    _, _, _, entities, _ = recognised
    for entity in entities:
        assert "\n" not in entity.text, entity
        assert entity.text == entity.text.strip(), entity
        assert not unicodedata.category(entity.text[-1]).startswith("P"), entity
