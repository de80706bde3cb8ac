"""``tag:`` in an export compares tags as the query language does everywhere
(reader.core.query.tag_key): any case, no diacritics, a leading ``#`` or not,
for an article's own tags as for its annotations' tags."""

from __future__ import annotations

import pytest
from export_fixture import ARTICLES, CAFE, HARBOUR, LIBRARY_HOURS, build_library, info

from reader.core.export import Options, export, gather
from reader.core.library import Library
from reader.core.query import tag_key


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """The fixed library, with the café article's own tags ``leader`` and
    ``Zürich`` (no annotation of it has them)."""
    library = build_library(tmp_path_factory.mktemp("tags") / "library")
    (cafe,) = (m for m in ARTICLES if m.id == CAFE)
    library.store(CAFE).update_article(info(cafe), tags=("leader", "Zürich"), note="")
    return library


def exported(library: Library, query: str) -> dict[str, list[str]]:
    """Article id -> the ids of its annotations exported, for the query."""
    return {item.article.id: [a.id for a in item.annotations] for item in gather(library, query)}


SPELLINGS = ["tag:leader", "tag:Leader", "tag:LEADER", "tag:#leader", "tag:#Leader"]


@pytest.mark.parametrize("query", SPELLINGS)
def test_an_articles_own_tag_matches_in_any_case_and_with_a_hash(
    library: Library, query: str
) -> None:
    assert CAFE in exported(library, query)
    assert exported(library, query) == exported(library, "tag:leader")


@pytest.mark.parametrize("query", ["tag:zurich", "tag:ZÜRICH", "tag:#Zurich"])
def test_an_articles_own_tag_matches_without_its_diacritics(library: Library, query: str) -> None:
    assert list(exported(library, query)) == [CAFE]


@pytest.mark.parametrize("query", ["tag:Harbour", "tag:#HARBOUR", 'tag:"Follow Up"'])
def test_annotation_and_article_tags_compare_alike(library: Library, query: str) -> None:
    """The harbour article's own tags are harbour and "follow up"; an annotation
    of it is tagged harbour: each spelling exports the same as the plain one."""
    plain = exported(library, query.lower().replace("#", ""))
    assert HARBOUR in plain and exported(library, query) == plain


def test_the_tags_the_export_writes_are_the_articles_own(library: Library) -> None:
    """The café article, chosen by its own tag in another case, is exported with it."""
    text = export("md", gather(library, "tag:LEADER"), Options(), files=False)
    assert "- Tags: #leader #Zürich" in text.splitlines()


def test_tag_key_is_what_the_query_language_compares() -> None:
    assert {tag_key(t) for t in ("leader", "Leader", "#LEADER", " #leader ")} == {"leader"}
    assert tag_key("Zürich") == tag_key("zurich")


def test_a_tag_no_note_has_exports_nothing(library: Library) -> None:
    assert exported(library, "tag:nobody") == {}
    assert LIBRARY_HOURS not in exported(library, "tag:leader")
