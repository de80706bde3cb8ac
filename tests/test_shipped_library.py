"""The library shipped in the repository (``articles/``, ``annotations/``): the
seed, imported by the importer, with its entities already cached under the key
the app looks for, so that opening it in a fresh clone reads the cache and
writes nothing into the repository (``git status`` stays clean)."""

from __future__ import annotations

from pathlib import Path

from reader.core.entities import EntityService
from reader.core.importers.inputs import import_path
from reader.core.library import Library

REPO = Path(__file__).resolve().parents[1]


def test_the_shipped_library_is_the_seed_as_the_importer_reads_it(seed_path: Path) -> None:
    library = Library(REPO)
    (article_id,) = library.article_ids()
    (draft,) = import_path(seed_path)
    article, _ = library.load(article_id)
    assert article.text == draft.text and article.info.title == draft.title
    assert library.problems == []


def test_opening_the_shipped_article_reads_its_cached_entities_and_writes_nothing() -> None:
    """If this fails after a change to the recogniser's rules, refresh the cache:
    ``uv run reader find-entities`` in the repository, and commit ``annotations/``."""
    library = Library(REPO)
    service = EntityService(rules=library.rule_store())
    for article_id in library.article_ids():
        store = library.store(article_id)
        before = store.path.read_bytes()
        article, _ = library.load(article_id)
        entities, cached = service.entities_for(article, store)
        assert cached, f"{article_id}: no entities cached under {service.cache_key()}"
        assert len(entities) > 100
        assert store.path.read_bytes() == before
