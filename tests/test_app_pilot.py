"""The first complete path, driven with Textual's Pilot on a real library:
open the seed, select "Recep Tayyip Erdogan" with keys, tag it, note it, find
both in the TinyDB file with plain json, and see them again in a second run."""

from __future__ import annotations

import json
from pathlib import Path

from reader.core.importers.inputs import import_path
from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.panels import AnnotationList
from tests.test_app_annotating import submit_note

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "articles" / "000_7151e915db61d1a9.txt"
NAME = "Recep Tayyip Erdogan"
NOTE = "Threatened reprisals.\nSee the SOHR figures."


def make_library(tmp_path: Path) -> Library:
    library = Library(tmp_path / "lib").ensure()
    (draft,) = import_path(SEED)
    library.add(draft)
    return library


async def open_seed(app: ReaderApp, pilot) -> ArticleView:  # noqa: ANN001
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, LibraryScreen)
    assert app.screen.listed(), "the library list is empty"
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ArticleScreen)
    await app.screen.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one(ArticleView)


async def test_tag_and_note_a_span_by_keyboard(tmp_path: Path) -> None:
    library = make_library(tmp_path)
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_seed(app, pilot)
        # The entities arrived from the worker and Erdogan is a person.
        assert any(e.text == NAME and e.label == "PERSON" for e in view.entities)

        target = view.text.index(NAME)
        for _ in range(400):
            if view.cursor >= target:
                break
            await pilot.press("w")
        assert view.cursor == target, "w did not land on the name"

        await pilot.press("v", "e", "e", "e")
        assert view.selection == (target, target + len(NAME))

        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"leader, turkey", "enter")
        await pilot.pause()
        # The cursor is inside the new annotation, so a notes it.
        await pilot.press("a")
        await pilot.pause()
        for line in NOTE.split("\n"):
            await pilot.press(*line)
            if line != NOTE.split("\n")[-1]:
                await pilot.press("enter")
        await submit_note(app, pilot)
        await pilot.pause()
        app.flush_writes()

        (annotation,) = view.annotations
        assert annotation.exact == NAME and annotation.tags == ("leader", "turkey")
        panel = app.screen.query_one(AnnotationList)
        assert NAME in str(panel.get_option_at_index(0).prompt)

    article_id = library.article_ids()[0]
    with open(library.annotations_dir / f"{article_id}.json", encoding="utf-8") as handle:
        stored = json.load(handle)
    assert stored["meta"]["1"]["schema"] == 1
    (record,) = stored["annotations"].values()
    assert record["tags"] == ["leader", "turkey"]
    assert record["note"] == NOTE
    selectors = {s["type"]: s for s in record["target"]["selector"]}
    assert selectors["TextQuoteSelector"]["exact"] == NAME
    assert selectors["TextQuoteSelector"]["prefix"].endswith("President ")
    position = selectors["TextPositionSelector"]
    text = (library.articles_dir / f"{article_id}.txt").read_text(encoding="utf-8")
    assert text[position["start"] : position["end"]] == NAME

    # A second run shows the annotation again, on the same words.
    app = ReaderApp(Library(library.root))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_seed(app, pilot)
        (annotation,) = view.annotations
        assert (annotation.start, annotation.end) == (position["start"], position["end"])
        assert annotation.note == NOTE
        # The library list counts the note.
        await pilot.press("q")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.listed()[0].annotation_count == 1


async def test_escape_cancels_a_note_and_nothing_is_written(tmp_path: Path) -> None:
    library = make_library(tmp_path)
    app = ReaderApp(library)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_seed(app, pilot)
        await pilot.press("v", "e", "a")
        await pilot.pause()
        await pilot.press(*"draft", "escape")
        await pilot.pause()
        app.flush_writes()
        assert view.annotations == []
        assert isinstance(app.screen, ArticleScreen)
    annotations = library.store(library.article_ids()[0]).read().annotations
    assert annotations == []


async def test_help_lists_the_keys_from_the_binding_table(tmp_path: Path) -> None:
    from reader.tui.bindings import ARTICLE, READING
    from reader.tui.screens.help import HelpScreen, help_table

    app = ReaderApp(make_library(tmp_path))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_seed(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ArticleScreen)
    rendered = "".join(str(cell) for column in help_table().columns for cell in column._cells)
    for key in READING + ARTICLE:
        assert key.description in rendered


async def test_without_a_model_the_article_still_opens_and_says_so(tmp_path: Path) -> None:
    from reader.core.entities import EntityService
    from reader.tui.widgets.panels import Legend

    app = ReaderApp(make_library(tmp_path), EntityService(packages=("no_such_model_pkg",)))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_seed(app, pilot)
        assert view.entities == []
        legend = str(app.screen.query_one(Legend).render())
        assert "no entities: no English entity model is installed" in legend
        assert "\n" not in legend.split("no entities:")[1].strip()
        # Reading and annotating still work.
        await pilot.press("v", "e", "t", *"still", "enter")
        await pilot.pause()
        assert [a.tags for a in view.annotations] == [("still",)]
