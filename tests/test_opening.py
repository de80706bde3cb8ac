"""Opening an article reads its files off the UI thread (issue 13).

An article not read ahead (opened from the Notes screen, with J or K, or with
enter before the read ahead) is read, re-anchored and laid out in a worker: the
UI thread never calls ``Library.load``. An older opening still being read when
another is asked for is never shown, and an article whose text has gone is said
in one line, the app still on the list.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from test_app_annotating import flush, new_app, settle
from test_app_search import wait_until
from test_worker_failures import make_library as library_of_two

from reader.core.library import Library
from reader.core.models import Annotation
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.library import LibraryScreen

SIZE = (120, 40)


def make_library(tmp_path: Path, seed_path: Path) -> tuple[Library, str, str]:
    """The seed article and an older, shorter one; their ids, newest first."""
    library = library_of_two(tmp_path, seed_path)
    seed_id, older_id = sorted(library.article_ids(), reverse=True)  # (ids start with dates)
    return library, seed_id, older_id


class LoadsWatched:
    """``Library.load`` as it is, noting the thread of each call; a call for an
    article in ``held`` waits until the test lets it go on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.threads: list[tuple[str, int]] = []
        self.held: dict[str, threading.Event] = {}
        original = Library.load

        def load(library: Library, article_id: str) -> tuple[object, list[Annotation]]:
            self.threads.append((article_id, threading.get_ident()))
            if article_id in self.held:
                assert self.held[article_id].wait(30), "never let go on"
            return original(library, article_id)

        monkeypatch.setattr(Library, "load", load)

    def loaded(self, article_id: str) -> list[int]:
        return [thread for loaded, thread in self.threads if loaded == article_id]


def shown(app: ReaderApp, article_id: str) -> bool:
    screen = app.screen
    return isinstance(screen, ArticleScreen) and screen.article.id == article_id


async def test_an_article_not_read_ahead_is_read_off_the_ui_thread(
    tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, seed_id, older_id = make_library(tmp_path, seed_path)
    watched = LoadsWatched(monkeypatch)
    app = new_app(library)
    ui_thread = threading.get_ident()  # the app's loop runs the test too
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.prefetched = None  # nothing read ahead
        app.open_article(older_id)  # as the Notes screen does
        await wait_until(pilot, lambda: shown(app, older_id), "the article shown")
        assert watched.loaded(older_id) and ui_thread not in watched.loaded(older_id)
        # K from there: the previous article of the list, read the same way.
        await pilot.press("K")
        await wait_until(pilot, lambda: shown(app, seed_id), "the previous article shown")
        assert watched.loaded(seed_id) and ui_thread not in watched.loaded(seed_id)
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        assert screen.view.text_layout.text == screen.article.text  # laid out for it
    assert all(thread != ui_thread for _, thread in watched.threads), watched.threads


async def test_an_older_opening_read_late_is_not_shown(
    tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, seed_id, older_id = make_library(tmp_path, seed_path)
    watched = LoadsWatched(monkeypatch)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.prefetched = None
        let_go = watched.held[older_id] = threading.Event()
        app.open_article(older_id)  # its read waits
        await wait_until(pilot, lambda: watched.loaded(older_id), "the older article's read")
        app.open_article(seed_id)  # asked for after: shown
        await wait_until(pilot, lambda: shown(app, seed_id), "the seed shown")
        let_go.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert shown(app, seed_id)  # not replaced by the older read, come late
        assert [s for s in app.screen_stack if isinstance(s, ArticleScreen)] == [app.screen]
        await flush(app, pilot)
        assert set(library.read_marks.read_ids()) == {seed_id}  # the older one never shown


async def test_an_article_whose_text_is_gone_is_said_and_the_list_stays(
    tmp_path: Path, seed_path: Path
) -> None:
    library, _, older_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.prefetched = None
        Path(library.text_path(older_id)).unlink()  # by another program, since it was listed
        app.open_article(older_id)
        said = await wait_until(
            pilot,
            lambda: [n.message for n in app._notifications if n.title == "Cannot open the article"],
            "the failure said",
        )
        assert any(older_id in message for message in said), said
        assert isinstance(app.screen, LibraryScreen) and app.is_running


async def test_enter_while_a_fresh_listing_has_dropped_the_rows_opens_the_article(
    tmp_path: Path, seed_path: Path
) -> None:
    """Back from an article, the list is listed afresh (its counts may have
    changed), which drops the rows it holds until it is drawn again: an enter
    in between opens the highlighted article all the same."""
    library, seed_id, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        listed = screen.article_list
        rowid = listed.highlighted
        assert rowid is not None and listed.row(rowid) is not None
        listed.show(list(listed.ids), fresh=True)  # as a fresh listing does
        assert listed.row(rowid) is None
        listed.post_message(listed.Opened(rowid))  # enter, before the list is drawn
        await wait_until(pilot, lambda: shown(app, seed_id), "the article shown")
