"""Paging through an article as vim and less users do (issue 12): the view and
the cursor move together, so the next key acts where the reader is looking."""

from __future__ import annotations

import re
from pathlib import Path

from textual import events

from reader.core.library import Library
from reader.core.models import ArticleDraft
from tests.test_app_annotating import make_library, new_app, open_seed

SIZE = (80, 24)  # the smallest terminal reader is made for: many pages of the seed


def in_sight(view) -> bool:  # noqa: ANN001
    top = round(view.scroll_offset.y)
    return top <= view.text_layout.row_of(view.cursor) < top + view.scrollable_content_region.height


async def test_page_keys_move_the_view_and_the_cursor_together(
    tmp_path: Path, seed_path: Path
) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        view.move_to(0)
        await pilot.pause()
        layout, height = view.text_layout, view.scrollable_content_region.height
        assert len(layout) > 3 * height, "the seed is too short to page through here"

        for key, rows in [("ctrl+d", height // 2), ("pagedown", height - 2), ("space", height - 2)]:
            top, row = round(view.scroll_offset.y), layout.row_of(view.cursor)
            await pilot.press(key)
            await pilot.pause()
            moved = round(view.scroll_offset.y) - top
            assert 0 < moved <= rows, (key, moved)
            assert moved == rows or round(view.scroll_offset.y) == round(view.max_scroll_y)
            # The cursor kept its place on screen (give or take a blank row).
            assert abs(layout.row_of(view.cursor) - row - moved) <= 1, key
            assert in_sight(view), key

        for key in ("pageup", "ctrl+u", "ctrl+b"):
            top = round(view.scroll_offset.y)
            await pilot.press(key)
            await pilot.pause()
            assert round(view.scroll_offset.y) < top or top == 0, key
            assert in_sight(view), key

        # At the end, where the view scrolls no further, the cursor goes on alone,
        # to the last row.
        view.move_to(0)
        await pilot.pause()
        for _ in range(2 * len(layout) // height + 2):
            await pilot.press("ctrl+d")
            await pilot.pause()
        assert round(view.scroll_offset.y) == round(view.max_scroll_y)
        assert layout.row_of(view.cursor) == layout.row_of(len(view.text) - 1)


async def test_the_wheel_takes_the_cursor_along(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        view.move_to(0)
        await pilot.pause()
        for _ in range(15):
            view.post_message(events.MouseScrollDown(view, 5, 5, 0, 0, 0, False, False, False))
        await pilot.pause(0.3)
        top = round(view.scroll_offset.y)
        assert top > 0, "the wheel did not scroll"
        assert in_sight(view)
        assert view.text_layout.row_of(view.cursor) == top  # the top row of the new view
        # The next j moves from there, not back to where the cursor was.
        await pilot.press("j")
        await pilot.pause()
        assert round(view.scroll_offset.y) == top and in_sight(view)
        for _ in range(5):
            view.post_message(events.MouseScrollUp(view, 5, 5, 0, 0, 0, False, False, False))
        await pilot.pause(0.3)
        assert round(view.scroll_offset.y) < top and in_sight(view)


TEXT = (
    "He said it. “Then what?” she asked! The U.S.-led talks ended in 2020.\n\n"
    "A second paragraph starts here. It has two sentences."
)


def motions_library(tmp_path: Path) -> Library:
    """A library of TEXT alone."""
    library = Library(tmp_path / "lib").ensure()
    library.add(ArticleDraft(text=TEXT, title="Motions", date="2020-01-01"))
    return library


async def test_vim_motions_words_sentences_rows_and_gg(tmp_path: Path) -> None:
    app = new_app(motions_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_seed(app, pilot)
        assert view.text == TEXT

        async def keys(*pressed: str) -> str:
            await pilot.press(*pressed)
            await pilot.pause()
            return TEXT[view.cursor :]

        view.move_to(0)
        # ) and ( by sentences: "she" after "?”" starts none (lowercase).
        assert (await keys("right_parenthesis")).startswith("“Then what?” she asked!")
        assert (await keys("right_parenthesis")).startswith("The U.S.-led")
        assert (await keys("right_parenthesis")).startswith("A second paragraph")
        assert (await keys("right_parenthesis")).startswith("It has two")
        await keys("w", "w")
        assert (await keys("left_parenthesis")).startswith("It has two")  # this one's start
        assert (await keys("left_parenthesis")).startswith("A second")  # then the one before

        # W B E by WORDs, w by words.
        view.move_to(TEXT.index("The U.S."))
        assert (await keys("W")).startswith("U.S.-led talks")
        assert (await keys("E")).startswith("d talks")  # the last letter of "U.S.-led"
        assert (await keys("W")).startswith("talks")
        assert (await keys("B")).startswith("U.S.-led")
        assert not (await keys("w")).startswith("talks")  # a word stops inside "U.S.-led"

        # l is right (relabel moved to r); 0 ^ $ on the screen row.
        view.move_to(TEXT.index("said"))
        assert (await keys("l")).startswith("aid")
        await keys("dollar_sign")
        assert view.text_layout.row_of(view.cursor) == 0
        assert view.cursor == TEXT.index("\n") - 1  # the row's last character: "."
        assert await keys("0") == TEXT
        view.move_to(TEXT.index("sentences"))
        assert (await keys("circumflex_accent")).startswith("A second")

        # gg to the top; a g alone then j: the j moves a line.
        assert (await keys("g", "g")) == TEXT
        view.move_to(TEXT.index("sentences"))
        await keys("G")
        assert view.cursor == len(TEXT) - 1
        view.move_to(TEXT.index("He said"))
        after = await keys("g", "j")
        assert view.text_layout.row_of(view.cursor) > 0 and after != TEXT


async def test_counts_and_keys_in_one_write(tmp_path: Path) -> None:
    """Counts repeat a motion (5j), and the view's keys act in the order they
    came however they were grouped: "v" then motions in one write select."""
    from tests.test_app_annotating import burst

    app = new_app(motions_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_seed(app, pilot)
        view.move_to(0)
        await pilot.press("3", "w")
        await pilot.pause()
        assert TEXT[view.cursor :].startswith("Then what")  # from He: said, it, Then
        view.move_to(0)
        await pilot.press("1", "0", "w")  # 10w: a count of two digits
        await pilot.pause()
        ten = view.cursor
        view.move_to(0)
        for _ in range(10):
            await pilot.press("w")
        assert view.cursor == ten
        view.move_to(0)
        burst(app, "vwwe")  # in one write: the selection starts before the motions
        await pilot.pause()
        assert view.selection == (0, TEXT.index("it.") + 2)
        burst(app, "\x1b")
        view.clear_selection()
        view.move_to(TEXT.index("said"))
        await pilot.press("0")  # no count: the row's start
        await pilot.pause()
        assert view.cursor == 0


async def test_the_status_line_says_how_far_the_reader_is(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        view.move_to(0)
        await pilot.pause()
        status = app.screen.query_one("#article-status")
        seen = []
        for _ in range(6):
            seen.append(int(re.search(r"(\d+)% read", str(status.render()))[1]))
            await pilot.press("pagedown")
            await pilot.pause()
        assert seen[0] < 50 and seen == sorted(seen) and seen[-1] == 100, seen
