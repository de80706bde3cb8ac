"""The library screen's index: opening it (built first if there is none, with
a progress bar), then watching it and the folders, so the list stays up to date
when another window or another program changes the library.

The screen paints its first page itself, in the first frame (``_first_page``),
and starts the watch (every ``WATCH_SECONDS``); the opening then runs here, in a
worker, after that frame. A failed worker is put right by the screen's
``worker_failed_here``.

A mixin of :class:`~reader.tui.screens.library.LibraryScreen`.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from textual import work

from reader.tui.messages import IndexProgress, LibraryOpened

if TYPE_CHECKING:
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.article_list import ArticleList


class LibraryIndexMixin:
    app: ReaderApp
    _opened: bool  # the index answered
    _version: int | None  # the index's data_version as last listed
    _reconciling: bool  # a reconciliation runs

    if TYPE_CHECKING:

        @property
        def article_list(self) -> ArticleList: ...

        @property
        def is_current(self) -> bool: ...

        # Provided by Screen and LibraryScreen. Only for the type checker: at run
        # time a stub here would come before Screen in the MRO and replace it.
        def post_message(self, *args, **kwargs): ...  # noqa: ANN002, ANN003, ANN201
        def request(self, fresh: bool = False) -> None: ...
        def _progress(self, done: int | None, total: int = 0) -> None: ...
        def _status(self, text: str) -> None: ...
        def _read_ahead(self) -> None: ...

    @work(thread=True, group="open", exit_on_error=False)
    def open_library(self, ready: bool) -> None:
        """Build the index if there is none (with a progress bar), list, then find
        what other programs changed since it was last brought up to date."""
        catalog = self.app.library.catalog
        try:
            if not ready:
                total = len(self.app.library.article_ids_on_disk())
                self.post_message(IndexProgress(0, total))
                catalog.ensure(lambda done, total: self.post_message(IndexProgress(done, total)))
                self.post_message(LibraryOpened())
            if catalog.reconcile() or self.app.library.problems:
                self.app.call_from_thread(self.request, True)
            if catalog.count_pending_entities():
                self.app.call_from_thread(self.app.find_entities_in_background)
        except (OSError, sqlite3.Error) as error:  # said where the list is, never "empty"
            self.app.call_from_thread(self._cannot_open, error)

    def _cannot_open(self, error: Exception) -> None:
        self._progress(None)
        where = f"{error.filename}: " if isinstance(error, OSError) and error.filename else ""
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        text = f"The library cannot be read: {where}{reason}"
        if not self._opened:
            self.article_list.set_message(text)
        self._status(text)

    def _open(self, ready: bool) -> None:
        if ready:
            self.on_library_opened(LibraryOpened())
        self.open_library(ready)

    def on_index_progress(self, message: IndexProgress) -> None:
        self._progress(message.done, message.total)
        text = f"Building the library index: {message.done:,} of {message.total:,} articles"
        self.article_list.set_message(text)
        self._status(text)

    def on_library_opened(self, _: LibraryOpened) -> None:
        self._opened = True
        self._progress(None)
        self.request()

    def _watch(self) -> None:
        """Re-list when the index changed (another window, another process, a
        reconciliation), and reconcile when another program changed the folders."""
        if not self._opened or not self.is_current:
            return
        catalog = self.app.library.catalog
        if catalog.replaced():  # deleted or rebuilt by another process: open it anew
            self._opened = False
            self.open_library(False)
            return
        try:
            if catalog.data_version() != self._version:
                self.request(fresh=True)
            if catalog.folders_changed() and not self._reconciling:
                self._reconciling = True  # one at a time: a thread cannot be cancelled
                self.reconcile()
        except sqlite3.Error:
            return

    @work(thread=True, group="reconcile", exit_on_error=False)
    def reconcile(self) -> None:
        self.app.library.catalog.reconcile()
        self._reconciling = False  # (after a failure: later, see worker_failed_here)

    def on_screen_resume(self) -> None:
        # After the saves made on the screen we come back from, so the counts are right.
        if self._opened:
            self.app.after_writes(lambda: self.request(fresh=True))
            self._read_ahead()  # back from an article: the highlighted one, again
