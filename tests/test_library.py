"""reader.core.library: adding, ids, finding the library folder, loading and re-anchoring."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader.core.anchoring import new_annotation
from reader.core.importers.inputs import import_path
from reader.core.library import LIBRARY_ENV, Library, resolve_library_dir
from reader.core.models import ArticleDraft
from reader.core.text import sha256

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
QUOTE = "Recep Tayyip Erdogan"


# --- adding -----------------------------------------------------------------------


def test_add_seed_then_again_is_a_duplicate(library, seed_path):
    (draft,) = import_path(seed_path)
    first = library.add(draft)
    assert first.status == "added"
    assert first.title == draft.title
    again = library.add(import_path(seed_path)[0])
    assert again.status == "duplicate"
    assert again.article_id == first.article_id
    assert library.article_ids() == [first.article_id]


def test_added_article_has_its_exact_text_and_metadata(library, seed_path):
    (draft,) = import_path(seed_path)
    result = library.add(draft)
    text_file = library.articles_dir / f"{result.article_id}.txt"
    assert text_file.read_text(encoding="utf-8") == draft.text
    (info,) = library.list_articles()
    assert info.id == result.article_id
    assert (info.title, info.author, info.date) == (draft.title, draft.author, draft.date)
    assert info.text_sha256 == sha256(draft.text)
    assert info.word_count > 500
    assert info.annotation_count == 0


def test_seed_id_is_safe_and_dated(seed_id):
    assert ID.match(seed_id)
    assert seed_id.startswith("2020-03-01-turkish-drone-strikes")


@pytest.mark.parametrize(
    "title", ["../../etc/passwd", "🚀🔥 launch", "北京新闻", "", "CON", ".hidden", "a" * 300]
)
def test_ids_are_safe_for_hostile_titles(library, title):
    result = library.add(ArticleDraft(text=f"Body for {title!r}.", title=title, date="../x"))
    assert result.status == "added"
    assert ID.match(result.article_id), result.article_id
    assert len(result.article_id) <= 96
    assert (library.articles_dir / f"{result.article_id}.txt").is_file()
    assert library.article_ids() == [result.article_id]


def test_same_title_different_text_gets_distinct_ids(library):
    a = library.add(ArticleDraft(text="First body.", title="Same title"))
    b = library.add(ArticleDraft(text="Second body.", title="Same title"))
    assert a.status == b.status == "added"
    assert a.article_id != b.article_id
    assert sorted(library.article_ids()) == sorted([a.article_id, b.article_id])


def test_store_rejects_an_unsafe_id(library):
    with pytest.raises(KeyError):
        library.store("../escape")


# --- finding the library folder ---------------------------------------------------------


@pytest.fixture
def places(tmp_path, monkeypatch):
    explicit, env, cwd = tmp_path / "explicit", tmp_path / "env", tmp_path / "cwd"
    (cwd / "articles").mkdir(parents=True)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(cwd)
    return explicit, env, cwd, tmp_path / "xdg" / "reader"


def test_explicit_library_wins(places, monkeypatch):
    explicit, env, _, _ = places
    monkeypatch.setenv(LIBRARY_ENV, str(env))
    assert resolve_library_dir(explicit) == explicit
    assert resolve_library_dir(str(explicit)) == explicit


def test_environment_beats_current_directory(places, monkeypatch):
    _, env, _, _ = places
    monkeypatch.setenv(LIBRARY_ENV, str(env))
    assert resolve_library_dir() == env
    assert resolve_library_dir(None) == env


def test_current_directory_with_articles_is_used(places, monkeypatch):
    _, _, cwd, _ = places
    monkeypatch.delenv(LIBRARY_ENV, raising=False)
    assert resolve_library_dir().resolve() == cwd.resolve()


def test_user_data_dir_is_the_fallback(places, monkeypatch, tmp_path):
    _, _, _, user_dir = places
    monkeypatch.delenv(LIBRARY_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # no articles/ here
    assert resolve_library_dir() == user_dir
    assert not user_dir.exists()  # resolving creates nothing


def test_empty_environment_variable_is_ignored(places, monkeypatch):
    _, _, cwd, _ = places
    monkeypatch.setenv(LIBRARY_ENV, "")
    assert resolve_library_dir().resolve() == cwd.resolve()


# --- loading and re-anchoring --------------------------------------------------------------


def _annotate(library: Library, article_id: str):
    article, _ = library.load(article_id)
    start = article.text.index(QUOTE)
    annotation = new_annotation(article.text, start, start + len(QUOTE), tags=("leader",))
    library.store(article_id).save_annotation(annotation)
    return article, annotation


def _rewrite(library: Library, article_id: str, text: str) -> Path:
    path = library.articles_dir / f"{article_id}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_unchanged_text_keeps_the_position(seed_library, seed_id):
    article, annotation = _annotate(seed_library, seed_id)
    loaded, (placed,) = seed_library.load(seed_id)
    assert loaded.text == article.text
    assert (placed.start, placed.end, placed.state) == (
        annotation.start,
        annotation.end,
        "anchored",
    )
    assert loaded.info.annotation_count == 1


def test_load_reanchors_after_text_is_inserted_before_the_quote(seed_library, seed_id):
    article, annotation = _annotate(seed_library, seed_id)
    paragraph = article.text.rindex("\n\n", 0, annotation.start) + 2
    inserted = "An editor's note added later, which shifts every offset after it.\n\n"
    new_text = article.text[:paragraph] + inserted + article.text[paragraph:]
    _rewrite(seed_library, seed_id, new_text)

    loaded, (placed,) = seed_library.load(seed_id)
    assert loaded.text == new_text
    assert loaded.info.text_sha256 == sha256(new_text)
    assert placed.state == "anchored"
    assert placed.id == annotation.id and placed.tags == ("leader",)
    assert placed.start == annotation.start + len(inserted)
    assert new_text[placed.start : placed.end] == QUOTE


def test_load_reanchors_to_the_occurrence_with_matching_context(seed_library, seed_id):
    article, annotation = _annotate(seed_library, seed_id)
    # Another mention of the same name, earlier, in a different context.
    decoy = f"Profile: {QUOTE} was born in Istanbul.\n\n"
    new_text = decoy + article.text
    _rewrite(seed_library, seed_id, new_text)
    _, (placed,) = seed_library.load(seed_id)
    assert placed.state == "anchored"
    assert placed.start == annotation.start + len(decoy)


def test_annotation_whose_quote_is_gone_comes_back_as_an_orphan(seed_library, seed_id):
    article, annotation = _annotate(seed_library, seed_id)
    _rewrite(seed_library, seed_id, article.text.replace(QUOTE, "Mr Erdogan"))
    _, annotations = seed_library.load(seed_id)
    assert len(annotations) == 1
    (orphan,) = annotations
    assert orphan.state == "orphan"
    assert orphan.id == annotation.id
    assert orphan.quote == annotation.quote
    # Loading never rewrites the store: the annotation is still there as saved.
    assert seed_library.store(seed_id).read().annotations == [annotation]
