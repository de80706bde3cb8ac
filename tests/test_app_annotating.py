"""The article screen's annotating features, driven with Textual's Pilot on real files:
undo and redo, whole-article tags and notes, the reading position, orphans and
their re-attachment, changes made by another process, the notes screen, and the
library's note count.

Every test builds its library in ``tmp_path`` from the seed article and checks the
store file with plain ``json`` (after ``app.flush_writes()``), not through the app.
No test needs entities, so the spaCy model is never loaded.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from library_screen import cell, columns, rows, status
from test_app_search import wait_until
from textual.widgets import OptionList, Static

from reader.core.entities import EntityService
from reader.core.importers.inputs import import_path
from reader.core.library import Library
from reader.core.models import ArticleDraft
from reader.core.text import sha256
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.notes import NotesScreen
from reader.tui.widgets.article_list import UNREAD
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.panels import AnnotationList

NAME = "Recep Tayyip Erdogan"
PUTIN = "Vladimir Putin"
SIZE = (120, 40)


# --- helpers ---------------------------------------------------------------------------

DEADLINE = 30.0  # seconds: how long a wait may last before the test fails, never a speed


def make_library(tmp_path: Path, seed_path: Path) -> tuple[Library, str]:
    library = Library(tmp_path / "lib").ensure()
    (draft,) = import_path(seed_path)
    library.add(draft)
    (article_id,) = library.article_ids()
    return library, article_id


def new_app(library: Library) -> ReaderApp:
    # A model package that does not exist: no spaCy load in these tests.
    return ReaderApp(library, EntityService(packages=("no_such_model_pkg",)))


def stored(library: Library, article_id: str) -> dict[str, Any]:
    """The article's store file, read with plain json."""
    with open(library.annotations_dir / f"{article_id}.json", encoding="utf-8") as handle:
        return json.load(handle)


def saved_positions(library: Library) -> dict[str, int]:
    """The reading positions file, read with plain json."""
    with open(library.annotations_dir / ".positions.json", encoding="utf-8") as handle:
        return json.load(handle)


def stored_annotations(library: Library, article_id: str) -> list[dict[str, Any]]:
    return list(stored(library, article_id).get("annotations", {}).values())


def selectors(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["type"]: s for s in record["target"]["selector"]}


def exact_of(record: dict[str, Any]) -> str:
    return selectors(record)["TextQuoteSelector"]["exact"]


def cli(library: Library, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


async def settle(app: ReaderApp, pilot) -> None:  # noqa: ANN001
    """The app at rest: the library listed, when it is the screen shown, and no
    worker running (waiting for the workers alone can come before they start)."""
    for _ in range(400):
        screen = app.screen
        listed = not isinstance(screen, LibraryScreen) or screen.shown_generation
        if listed and not any(w.is_running for w in app.workers):
            break
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def flush(app: ReaderApp, pilot) -> None:  # noqa: ANN001
    """``app.flush_writes()``, off the UI thread.

    Called on the UI thread (where the test runs), it deadlocks when a write that
    notifies is still in progress: the writer's done-callback waits in
    ``call_from_thread`` for the UI loop, which waits for the writer."""
    await asyncio.to_thread(app.flush_writes)
    await pilot.pause()


async def open_seed(app: ReaderApp, pilot) -> ArticleView:  # noqa: ANN001
    await settle(app, pilot)
    assert isinstance(app.screen, LibraryScreen)
    assert app.screen.listed(), "the library list is empty"
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ArticleScreen)
    await app.screen.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one(ArticleView)


async def walk_to(pilot, view: ArticleView, target: int) -> None:  # noqa: ANN001
    """Press } while the next paragraph starts at or before ``target``, then w
    until the cursor reaches it (a word start)."""
    while view.cursor < view.paragraph(1) <= target:
        await pilot.press("right_curly_bracket")
    for _ in range(600):
        if view.cursor >= target:
            break
        await pilot.press("w")
    assert view.cursor == target, f"w stopped at {view.cursor}, not on {target}"


async def type_text(pilot, text: str) -> None:  # noqa: ANN001
    """Type text into the focused widget; newlines as enter."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line:
            await pilot.press(*line)
        if number < len(lines) - 1:
            await pilot.press("enter")


async def submit_note(app: ReaderApp, pilot) -> None:  # noqa: ANN001
    """ctrl+s in the note editor, and wait for the dialog to close: the note is
    read from the editor's own queue, after the keys typed before ctrl+s."""
    from reader.tui.dialogs.annotate import NoteDialog

    await pilot.press("ctrl+s")
    for _ in range(500):
        if not any(isinstance(screen, NoteDialog) for screen in app.screen_stack):
            return
        await pilot.pause(0.01)
    raise AssertionError("ctrl+s did not close the note dialog")


def screen_items(app: ReaderApp) -> list:
    assert isinstance(app.screen, ArticleScreen)
    return list(app.screen.annotations.items)


# --- 1. undo and redo ------------------------------------------------------------------


async def test_undo_and_redo_of_create_delete_and_note_edit(
    tmp_path: Path, seed_path: Path
) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        target = view.text.index(NAME)
        await walk_to(pilot, view, target)

        # Create: v e e e, t, tags, enter.
        await pilot.press("v", "e", "e", "e", "t")
        await pilot.pause()
        await type_text(pilot, "leader, turkey")
        await pilot.press("enter")
        await pilot.pause()
        (created,) = screen_items(app)
        assert created.exact == NAME and created.tags == ("leader", "turkey")
        await flush(app, pilot)
        (record,) = stored_annotations(library, article_id)
        assert record["id"] == created.id and record["tags"] == ["leader", "turkey"]
        assert exact_of(record) == NAME

        # Delete: x, then y in the confirm dialog.
        assert view.annotations_at(view.cursor), "the cursor left the new annotation"
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, ArticleScreen), "x opened no confirm dialog"
        await pilot.press("y")
        await pilot.pause()
        assert screen_items(app) == [] and view.annotations == []
        await flush(app, pilot)
        assert stored_annotations(library, article_id) == []

        # u restores it: same id, same tags, same span, on screen and in the file.
        await pilot.press("u")
        await pilot.pause()
        (restored,) = screen_items(app)
        assert (restored.id, restored.tags) == (created.id, ("leader", "turkey"))
        assert (restored.start, restored.end) == (created.start, created.end)
        assert [a.id for a in view.annotations] == [created.id]
        await flush(app, pilot)
        (record,) = stored_annotations(library, article_id)
        assert record["id"] == created.id and record["tags"] == ["leader", "turkey"]
        assert exact_of(record) == NAME

        # ctrl+r deletes it again.
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert screen_items(app) == [] and view.annotations == []
        await flush(app, pilot)
        assert stored_annotations(library, article_id) == []

        # u undoes the deletion, u again undoes the creation: nothing is left.
        await pilot.press("u")
        await pilot.pause()
        assert [a.id for a in screen_items(app)] == [created.id]
        await flush(app, pilot)
        assert [r["id"] for r in stored_annotations(library, article_id)] == [created.id]
        await pilot.press("u")
        await pilot.pause()
        assert screen_items(app) == [] and view.annotations == []
        await flush(app, pilot)
        assert stored_annotations(library, article_id) == []

        # ctrl+r re-creates it; then a note, an edit of the note, and u.
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [a.id for a in screen_items(app)] == [created.id]
        assert view.annotations_at(view.cursor), "redo did not put the cursor on it"
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "First note")
        await submit_note(app, pilot)
        await pilot.pause()
        await flush(app, pilot)
        (record,) = stored_annotations(library, article_id)
        assert record["note"] == "First note"

        await pilot.press("a")  # the dialog opens with the note, the cursor at its end
        await pilot.pause()
        await type_text(pilot, ", revised")
        await submit_note(app, pilot)
        await pilot.pause()
        await flush(app, pilot)
        (record,) = stored_annotations(library, article_id)
        assert record["note"] == "First note, revised"
        assert screen_items(app)[0].note == "First note, revised"

        await pilot.press("u")
        await pilot.pause()
        assert screen_items(app)[0].note == "First note"
        await flush(app, pilot)
        (record,) = stored_annotations(library, article_id)
        assert record["id"] == created.id
        assert record["note"] == "First note"
        assert record["tags"] == ["leader", "turkey"]


def burst(app: ReaderApp, text: str, *keys: str) -> None:
    """``text`` and then ``keys`` (by name) delivered to the app in one go, as
    one write from the terminal brings them (SSH, mosh, a text expander): no
    key waits for the one before it to be handled."""
    from textual import events
    from textual.keys import _character_to_key

    for character in text:
        app.post_message(events.Key(_character_to_key(character), character))
    for key in keys:
        app.post_message(events.Key(key, None))


async def test_text_and_its_submit_key_in_one_write_are_all_saved(
    tmp_path: Path, seed_path: Path
) -> None:
    """Issue 12: a note's text and ctrl+s in one write saved the old text."""
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        screen = app.screen
        await pilot.press("A")  # the article's note
        await pilot.pause()
        assert app.screen is not screen
        burst(app, "Read twice, all of it", "ctrl+s")
        for _ in range(100):
            if app.screen is screen:
                break
            await pilot.pause(0.02)
        assert app.screen is screen, "ctrl+s did not close the note dialog"
        await flush(app, pilot)
        assert stored(library, article_id)["meta"]["1"]["article"]["note"] == (
            "Read twice, all of it"
        )

        await pilot.press("T")  # its tags: text and enter in one write
        await pilot.pause()
        burst(app, "syria, war", "enter")
        for _ in range(100):
            if app.screen is screen:
                break
            await pilot.pause(0.02)
        await flush(app, pilot)
        assert stored(library, article_id)["meta"]["1"]["article"]["tags"] == ["syria", "war"]


async def test_keys_typed_after_the_closing_key_in_one_write_reach_the_article(
    tmp_path: Path, seed_path: Path
) -> None:
    """A note's text, ctrl+s and the next keys in one write: the note is saved
    and the keys after ctrl+s move the cursor (they went to the closing dialog's
    field, and were lost); the same for the tags' enter."""
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        screen = app.screen
        text = view.text
        second_word = text.index(text.split()[1])
        await pilot.press("A")
        await pilot.pause()
        burst(app, "Read twice", "ctrl+s", "w")
        await wait_until(pilot, lambda: view.cursor == second_word, "the cursor on the next word")
        assert app.screen is screen
        await pilot.press("T")
        await pilot.pause()
        burst(app, "syria", "enter", "w")
        third_word = text.index(text.split()[2], second_word + 1)
        await wait_until(pilot, lambda: view.cursor == third_word, "the cursor a word on")
        await flush(app, pilot)
        article = stored(library, article_id)["meta"]["1"]["article"]
        assert (article["note"], article["tags"]) == ("Read twice", ["syria"])


# --- 2. tags and a note on the whole article -------------------------------------------


async def test_whole_article_tags_and_note(tmp_path: Path, seed_path: Path) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        screen = app.screen
        await pilot.press("T")
        await pilot.pause()
        assert app.screen is not screen, "T opened no tag dialog"
        await type_text(pilot, "syria, war")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        await flush(app, pilot)
        article = stored(library, article_id)["meta"]["1"]["article"]
        assert article["tags"] == ["syria", "war"]
        assert article["id"] == article_id and article["title"], "the record lost its fields"

        listed = cli(library, "list", "--json")
        (line,) = listed.stdout.splitlines()
        assert json.loads(line)["tags"] == ["syria", "war"]

        await pilot.press("A")
        await pilot.pause()
        assert app.screen is not screen, "N opened no note dialog"
        await type_text(pilot, "Retaliation after Idlib.\nCheck the SOHR count.")
        await submit_note(app, pilot)
        await pilot.pause()
        assert app.screen is screen
        await flush(app, pilot)
        article = stored(library, article_id)["meta"]["1"]["article"]
        assert article["note"] == "Retaliation after Idlib.\nCheck the SOHR count."
        assert article["tags"] == ["syria", "war"], "the note dropped the tags"
        assert stored_annotations(library, article_id) == []

        details = str(screen.query_one("#article-details", Static).render())
        assert "Retaliation after Idlib." in details
        assert "Check the SOHR count." not in details  # only the first line
        title = str(screen.query_one("#article-title", Static).render())
        assert "#syria" in title and "#war" in title


# --- 3. the reading position -----------------------------------------------------------


async def test_reading_position_is_a_text_offset_restored_at_any_size(
    tmp_path: Path, seed_path: Path
) -> None:
    """The position kept is what was on screen: the start of the view's top row
    (issue 12: reading by paging reopened at the top), a text offset, so at any
    terminal size the same text opens at the top of the view."""
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        assert view.cursor == 0
        await pilot.press("ctrl+d", "ctrl+d")
        await pilot.pause()
        offset = view.top_offset()
        assert 0 < offset < len(view.text) - 1, "ctrl+d did not scroll"
        row_wide = view.text_layout.row_of(offset)
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        await flush(app, pilot)
    # In the positions file, read with plain json; the article's store (kept in git
    # with the notes) is not touched by reading.
    assert saved_positions(library) == {article_id: offset}
    assert "position" not in stored(library, article_id)["meta"]["1"]
    store_bytes = library.store(article_id).path.read_bytes()

    for size in ((80, 30), (120, 40)):
        app = new_app(Library(library.root))
        async with app.run_test(size=size) as pilot:
            view = await open_seed(app, pilot)
            await pilot.pause()
            assert view.cursor == offset, f"at {size} the cursor is at {view.cursor}"
            # The same text at the top of the view, however it wraps.
            assert view.text_layout.row_of(offset) == round(view.scroll_offset.y), size
            if size == (80, 30):
                assert view.text_layout.row_of(offset) != row_wide  # wrapped otherwise
            await pilot.press("q")
            await settle(app, pilot)
            await flush(app, pilot)
        # Reopening without moving leaves the position alone.
        assert saved_positions(library) == {article_id: offset}
    assert library.store(article_id).path.read_bytes() == store_bytes


async def test_a_position_saved_in_the_store_by_an_older_reader_is_used(
    tmp_path: Path, seed_path: Path
) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    data = stored(library, article_id)
    data["meta"]["1"]["position"] = 120
    library.store(article_id).path.write_text(json.dumps(data), encoding="utf-8")
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        assert view.cursor == 120


# --- 4. orphans ------------------------------------------------------------------------


async def test_orphan_is_listed_reattached_and_undone(tmp_path: Path, seed_path: Path) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    annotation_id = cli(library, "annotate", article_id, "--quote", NAME, "--tag", "leader")
    annotation_id = annotation_id.stdout.strip()
    text_path = library.articles_dir / f"{article_id}.txt"
    old_text = text_path.read_text(encoding="utf-8")
    assert old_text.count(NAME) == 1
    replacement = "the Turkish leader"
    new_text = old_text.replace(NAME, replacement)
    text_path.write_text(new_text, encoding="utf-8")

    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        assert view.text == new_text
        (orphan,) = screen_items(app)
        assert (orphan.id, orphan.state) == (annotation_id, "orphan")
        assert view.annotations == [], "an orphan is shown in the text"
        panel = app.screen.query_one(AnnotationList)
        assert "orphan" in str(panel.get_option_at_index(0).prompt)

        # o alone focuses the orphan in the panel.
        await pilot.press("O")
        await pilot.pause()
        assert panel.has_focus and panel.highlighted == 0
        assert panel.get_option_at_index(0).id == annotation_id
        await pilot.press("tab")  # back to the text
        await pilot.pause()
        assert view.has_focus

        # Select the new place with keys, then o and enter.
        target = new_text.index(replacement)
        await walk_to(pilot, view, target)
        await pilot.press("v", "e", "e", "e")
        assert view.selection == (target, target + len(replacement))
        await pilot.press("O")
        await pilot.pause()
        assert panel.has_focus
        await pilot.press("enter")
        await pilot.pause()

        (moved,) = screen_items(app)
        assert (moved.id, moved.state) == (annotation_id, "anchored")
        assert (moved.start, moved.end) == (target, target + len(replacement))
        assert moved.exact == replacement and moved.tags == ("leader",)
        assert [a.id for a in view.annotations] == [annotation_id]
        assert view.selection is None and view.has_focus
        await flush(app, pilot)
        (record,) = stored_annotations(library, article_id)
        assert record["id"] == annotation_id and record["tags"] == ["leader"]
        assert exact_of(record) == replacement
        assert record["target"]["text_sha256"] == sha256(new_text)
        position = selectors(record)["TextPositionSelector"]
        assert (position["start"], position["end"]) == (target, target + len(replacement))

        # u puts it back: an orphan again, on screen and in the file.
        await pilot.press("u")
        await pilot.pause()
        (back,) = screen_items(app)
        assert (back.id, back.state) == (annotation_id, "orphan")
        assert view.annotations == []
        await flush(app, pilot)
        (record,) = stored_annotations(library, article_id)
        assert record["id"] == annotation_id and exact_of(record) == NAME
        assert record["target"]["text_sha256"] == sha256(old_text)
    (reloaded,) = Library(library.root).load(article_id)[1]
    assert (reloaded.id, reloaded.state) == (annotation_id, "orphan")


# --- 5. a change made by another process -----------------------------------------------


async def test_annotation_added_by_another_process_appears(tmp_path: Path, seed_path: Path) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        assert screen_items(app) == []
        result = await asyncio.to_thread(
            cli, library, "annotate", article_id, "--quote", PUTIN, "--tag", "russia"
        )
        new_id = result.stdout.strip()
        # The screen looks every 2 s; a deadline, never a speed (a loaded machine).
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if any(a.id == new_id for a in screen_items(app)):
                break
            await pilot.pause(0.5)
        assert [a.id for a in screen_items(app)] == [new_id], "never picked up"
        assert [(a.id, a.exact) for a in view.annotations] == [(new_id, PUTIN)]
        panel = app.screen.query_one(AnnotationList)
        assert PUTIN in str(panel.get_option_at_index(0).prompt)


# --- 6. the notes screen ---------------------------------------------------------------


async def test_notes_screen_filters_by_tag_and_opens_at_the_annotation(
    tmp_path: Path, seed_path: Path
) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    cli(library, "annotate", article_id, "--quote", NAME, "--tag", "leader")
    cli(library, "annotate", article_id, "--quote", PUTIN, "--tag", "russia")
    text = (library.articles_dir / f"{article_id}.txt").read_text(encoding="utf-8")

    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, NotesScreen)
        notes = app.screen
        options = notes.query_one(OptionList)
        assert options.option_count == 2
        assert sorted(a.exact for _, a in notes.found) == sorted([NAME, PUTIN])

        await type_text(pilot, "tag:russia")
        await settle(app, pilot)
        assert options.option_count == 1
        ((_, only),) = notes.found
        assert only.exact == PUTIN and only.tags == ("russia",)

        await pilot.press("enter")  # from the query to the list
        await pilot.pause()
        assert options.has_focus
        await pilot.press("enter")  # open the article at the annotation
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert view.cursor == text.index(PUTIN)


# --- 7. the library's note count -------------------------------------------------------


async def test_library_annotation_count_updates_on_return(tmp_path: Path, seed_path: Path) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.screen.listed()[0].annotation_count == 0
        view = await open_seed(app, pilot)
        # A note on the word under the cursor, then straight back.
        await pilot.press("w", "a")
        await pilot.pause()
        await type_text(pilot, "a note")
        await submit_note(app, pilot)
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert len(view.annotations) == 1
        assert app.screen.listed()[0].annotation_count == 1
        assert cell(app.screen, article_id, "Notes") == "1"


# --- 8. tags in the library list, and the tag: filter ---------------------------------------


async def test_library_lists_tags_and_filters_by_a_notes_tag(
    tmp_path: Path, seed_path: Path
) -> None:
    """The Tags column shows the article's tags and its notes' tags; ``tag:T`` in the
    filter keeps only the articles that carry T on themselves or on a note."""
    library, seed_id = make_library(tmp_path, seed_path)
    (other,) = library.add_many(
        [ArticleDraft(text="Orchards in Kent had a good year.", title="Harvest", tags=("farming",))]
    )
    cli(library, "annotate", seed_id, "--quote", NAME, "--tag", "leader", "--tag", "Turkey")
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert cell(app.screen, seed_id, "Tags") == "Turkey, leader"
        assert cell(app.screen, other.article_id, "Tags") == "farming"

        def listed() -> list[str]:
            return [row.strip().removeprefix(UNREAD).strip() for row in rows(app.screen)]

        await pilot.press("slash")
        for query, titles in (
            ("tag:leader", ["Turkish drone strikes"]),
            ("tag:#turkey", ["Turkish drone strikes"]),
            ("tag:farming", ["Harvest"]),
            ("tag:leader tag:farming", []),
            ("leader", ["Turkish drone strikes"]),  # a word matches a tag too
        ):
            app.screen.query_one("#filter").value = query
            await settle(app, pilot)
            shown = listed()
            assert len(shown) == len(titles), (query, shown)
            assert all(s.startswith(t) for s, t in zip(shown, titles, strict=True)), (query, shown)
        assert status(app.screen) == "1 of 2 articles match · newest first"
        app.screen.query_one("#filter").value = "since:garbage"
        await settle(app, pilot)
        assert status(app.screen) == (
            "0 of 2 articles match · newest first · since:garbage is not a date "
            "(YYYY, YYYY-MM or YYYY-MM-DD)"
        )

    listing = cli(library, "list", "tag:leader")
    assert [line.split("\t")[0] for line in listing.stdout.splitlines()] == [seed_id]
    (record,) = [
        json.loads(line)
        for line in cli(library, "list", "--json").stdout.splitlines()
        if json.loads(line)["id"] == seed_id
    ]
    assert record["annotation_tags"] == ["Turkey", "leader"] and record["tags"] == []


async def test_library_columns_fit_a_narrow_terminal(tmp_path: Path, seed_path: Path) -> None:
    """At 80 columns the Notes column is on screen and the title keeps room; the
    tags, then the source, then the word count give way, never the note count."""
    library, seed_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    for width, labels in (
        (120, [UNREAD, "Title", "Source / author", "Date", "Words", "Tags", "Notes"]),
        (80, [UNREAD, "Title", "Date", "Words", "Notes"]),
        (60, [UNREAD, "Title", "Date", "Notes"]),
    ):
        async with app.run_test(size=(width, 24)) as pilot:
            await settle(app, pilot)
            assert columns(app.screen) == labels, width
            (row,) = rows(app.screen)
            assert len(row) <= width
            assert app.screen.article_list.columns[1][1] >= min(30, width - 30), width
            assert cell(app.screen, seed_id, "Notes") == "0"
            header = str(app.screen.query_one("#list-header").render())
            assert header.split()[:2] == [UNREAD, "Title"] and "Date ▼" in header
        app = new_app(library)


# --- slow disks: saves that take a while -------------------------------------------------

SLOW_SAVE = 0.3  # seconds; an fsync on a busy or network disk


def slow_saves(monkeypatch) -> None:  # noqa: ANN001
    from reader.core.store import ArticleStore

    real = ArticleStore.save_annotation

    def slow(self: ArticleStore, annotation) -> None:  # noqa: ANN001
        time.sleep(SLOW_SAVE)
        real(self, annotation)

    monkeypatch.setattr(ArticleStore, "save_annotation", slow)


async def test_library_annotation_count_updates_after_returning_when_the_save_is_slow(
    tmp_path: Path, seed_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    """The note is saved right after ``q``; the list must not keep the old count."""
    slow_saves(monkeypatch)
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        await pilot.press("w", "a")
        await pilot.pause()
        await type_text(pilot, "a note")
        await submit_note(app, pilot)
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        await flush(app, pilot)
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline and app.screen.listed()[0].annotation_count != 1:
            await pilot.pause(0.25)
            await settle(app, pilot)
        assert len(library.store(article_id).read().annotations) == 1
        assert app.screen.listed()[0].annotation_count == 1, (
            "the library list still shows 0 notes: it reloaded before the save landed"
        )


QUIT_WHILE_SAVING = """
import sys, time, asyncio
from pathlib import Path
from reader.core.entities import EntityService
from reader.core.importers.inputs import import_path
from reader.core.library import Library
from reader.core.models import ArticleDraft
from reader.core.store import ArticleStore
from reader.tui.app import ReaderApp

real = ArticleStore.save_annotation
def slow(self, annotation):
    time.sleep(float(sys.argv[3]))
    real(self, annotation)
ArticleStore.save_annotation = slow

async def main():
    library = Library(Path(sys.argv[1])).ensure()
    (draft,) = import_path(Path(sys.argv[2]))
    library.add(draft)
    app = ReaderApp(library, EntityService(packages=("no_such_model_pkg",)))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("v", "e", "t", "x", "enter")  # a tag: saved with a notification
        await pilot.press("ctrl+q")  # at once, while the save is in progress
    print("exited", len(library.store(library.article_ids()[0]).read().annotations))

asyncio.run(main())
"""


def test_quitting_while_a_save_is_in_progress_exits(tmp_path: Path, seed_path: Path) -> None:
    """ctrl+q right after a save: the app must exit (with the save on disk), not hang.

    Run in a child process so that a hang fails the test instead of the suite."""
    command = [
        sys.executable,
        "-c",
        QUIT_WHILE_SAVING,
        str(tmp_path / "lib"),
        str(seed_path),
        str(SLOW_SAVE * 2),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=12, check=False)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            "the app hung on ctrl+q: ReaderApp.on_unmount waits for the writer thread "
            "(shutdown(wait=True)) while the writer's done-callback waits in "
            "call_from_thread(notify) for the UI thread"
        ) from None
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["exited", "1"]
