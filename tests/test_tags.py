"""Tags as they are typed (issue 12): a leading "#" dropped, spaces inside a
tag made one "-", one tag per name in any case, shown as first typed; found by
``tag:`` with or without "#", in any case; imported tags kept as the other tool
wrote them (so an export, imported and exported again, is the same)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.anchoring import new_annotation
from reader.core.library import Library
from reader.core.models import ArticleDraft, clean_tags, typed_tags
from reader.core.query import parse_query
from reader.tui.dialogs.annotate import parse_tags


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("#shield", ("shield",)),
        ("##shield, #Leader", ("shield", "Leader")),
        ("Turkey Syria", ("Turkey-Syria",)),
        ("  head   of\tstate ", ("head-of-state",)),
        ("leader, Leader, LEADER", ("leader",)),  # one tag, as first written
        ("#leader, leader", ("leader",)),
        ("a,,b, ,#", ("a", "b")),  # empty ones and a lone # dropped
        ("war\x1b[31m, x", ("war", "x")),  # terminal escapes go
    ],
)
def test_tags_are_normalised_as_they_are_typed(typed: str, kept: tuple[str, ...]) -> None:
    assert parse_tags(typed) == kept
    assert typed_tags([typed]) == kept


def test_imported_tags_keep_their_spaces_and_hashes() -> None:
    assert clean_tags(["#shield, Turkey  Syria, turkey syria"]) == ("#shield", "Turkey Syria")


def test_a_tag_typed_with_hash_or_spaces_is_found_with_or_without_them(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib").ensure()
    text = "Turkish troops moved toward Saraqeb on Thursday, officials said."
    (added,) = library.add_many([ArticleDraft(text=text, title="Saraqeb", date="2020-02-27")])
    store = library.store(added.article_id)
    tags = typed_tags(["#Shield, Turkey Syria"])
    store.save_annotation(new_annotation(text, 0, 15, tags, ""))
    catalog = library.catalog

    def found(query: str) -> bool:
        return bool(catalog.article_ids(parse_query(query), "date"))

    for query in (
        "tag:shield",
        "tag:#shield",
        "tag:SHIELD",
        "tag:Turkey-Syria",
        "tag:turkey-SYRIA",
    ):
        assert found(query), query
    assert not found("tag:turkey")  # one tag, not two
    (record,) = store.snapshot().annotations
    assert record.tags == ("Shield", "Turkey-Syria")


async def test_the_tag_dialog_completes_from_the_librarys_tags(
    tmp_path: Path, seed_path: Path
) -> None:
    from textual.widgets import Input

    from tests.test_app_annotating import SIZE, flush, make_library, new_app, open_seed

    library, article_id = make_library(tmp_path, seed_path)
    loaded, _ = library.load(article_id)
    store = library.store(article_id)
    text = loaded.text
    store.save_annotation(new_annotation(text, 0, 9, ("Turkey-Syria", "leader"), ""))
    store.save_annotation(new_annotation(text, 20, 29, ("turkey-syria",), ""))
    store.update_article(library.load(article_id)[0].info, tags=("Turkmen",))
    assert library.catalog.tag_names() == ["Turkey-Syria", "leader", "Turkmen"]

    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        screen = app.screen
        await pilot.press("T")  # the whole article's tags: "Turkmen" there already
        await pilot.pause()
        field = app.screen.query_one("#tags", Input)
        await pilot.press("end", *", #tu")
        for _ in range(100):  # the library's tags are read off the UI thread
            if field._suggestion:
                break
            await pilot.pause(0.02)
        assert field._suggestion == "Turkmen, #turkey-Syria"  # not Turkmen again
        await pilot.press("right", "enter")
        await pilot.pause()
        assert app.screen is screen
        await flush(app, pilot)
        assert library.load(article_id)[0].info.tags == ("Turkmen", "turkey-Syria")
