"""Paging through an article as vim and less users do (issue 12): the view and
the cursor move together, so the next key acts where the reader is looking."""

from __future__ import annotations

from pathlib import Path

from textual import events

from tests.test_app_annotating import make_library, new_app, open_seed

SIZE = (80, 24)  # the smallest terminal reader is made for: many pages of the seed


def in_sight(view) -> bool:  # noqa: ANN001
    top = round(view.scroll_offset.y)
    return top <= view.layout.row_of(view.cursor) < top + view.scrollable_content_region.height


async def test_page_keys_move_the_view_and_the_cursor_together(
    tmp_path: Path, seed_path: Path
) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        view.move_to(0)
        await pilot.pause()
        layout, height = view.layout, view.scrollable_content_region.height
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
        assert view.layout.row_of(view.cursor) == top  # the top row of the new view
        # The next j moves from there, not back to where the cursor was.
        await pilot.press("j")
        await pilot.pause()
        assert round(view.scroll_offset.y) == top and in_sight(view)
        for _ in range(5):
            view.post_message(events.MouseScrollUp(view, 5, 5, 0, 0, 0, False, False, False))
        await pilot.pause(0.3)
        assert round(view.scroll_offset.y) < top and in_sight(view)
