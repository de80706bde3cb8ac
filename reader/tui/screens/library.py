"""The first screen: the library as a list, filtered and searched as you type.

Everything comes from the library index (reader.core.catalog): the screen
paints at once with "Loading", the index answers in a worker with the row ids
of the articles listed, and the list fetches the rows it shows. Each key in
the filter starts a query in a worker; an older one still running is
interrupted and its answer dropped. Every second a look at the index (has
another connection written?) and at the folders (did another program change
them?) keeps the list up to date.

Opening and watching the index are in reader.tui.screens.library_index, adding
articles in reader.tui.screens.adding (mixins of the screen).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker

from reader.core.models import ArticleInfo

if TYPE_CHECKING:
    from textual.timer import Timer

    from reader.core.catalog import Catalog
from reader.core.query import (
    highlight_expression,
    is_text_search,
    parse_query,
    query_problems,
)
from reader.tui.bindings import GLOBAL, LIBRARY, TypeAhead, bindings
from reader.tui.failures import ReportsFailures
from reader.tui.messages import Listing, SnippetFound
from reader.tui.screens.adding import AddingMixin
from reader.tui.screens.library_actions import ArticleActionsMixin
from reader.tui.screens.library_index import LibraryIndexMixin
from reader.tui.widgets.article_list import ArticleList
from reader.tui.widgets.footer import KeyFooter

RECONCILE_AFTER_FAILURE = 60.0  # seconds before a reconciliation that failed is tried again
WATCH_SECONDS = 1.0  # how often to look for changes made by another window or program
SORTS = ("date", "added", "title", "words", "notes")
SORT_COLUMNS = {"date": "Date", "title": "Title", "words": "Words", "notes": "Notes"}
SORT_NAMES = {
    "date": "newest first",
    "added": "last added first",
    "title": "by title",
    "words": "longest first",
    "notes": "most notes first",
}
EMPTY = "The library is empty: press a to add a file, folder or URL."
FIRST_PAGE = 100  # rows listed before the whole library is in order
PREFETCH_AFTER = 0.15  # seconds the cursor rests on an article before it is read ahead


class LibraryScreen(
    ReportsFailures, LibraryIndexMixin, AddingMixin, ArticleActionsMixin, TypeAhead, Screen[None]
):
    BINDINGS = bindings(LIBRARY + GLOBAL)

    def __init__(self) -> None:
        super().__init__()
        self.sort = "date"
        self._generation = 0  # of the latest query asked for
        self.shown_generation = 0  # of the latest answer shown
        self._reconciling = False  # a reconciliation runs
        self._prefetch_timer: Timer | None = None
        self._querying: sqlite3.Connection | None = None  # the connection a query runs on
        self._opened = False  # the index answered
        self._version: int | None = None  # the index's data_version as last listed
        self._total = 0
        self._problems_shown: set[str] = set()

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    def listed(self) -> list[ArticleInfo]:
        """The metadata of every article listed, in order (one query of the index:
        for tests and small libraries; the list itself fetches only what it shows)."""
        return self.app.library.catalog.infos(self.article_list.ids)

    def compose(self) -> ComposeResult:
        yield Static(id="library-title")
        yield Input(
            placeholder='Search: words, "phrases", tag:T, entity:"Name", since:2020-01 (? for all)',
            id="filter",
        )
        yield Static(id="list-header")
        yield ArticleList(self._fetch, id="articles")
        yield Static(id="library-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#library-title", Static).update(
            Text(f"reader — {self.app.library.root}", no_wrap=True, overflow="ellipsis")
        )
        self.article_list.focus()
        self.article_list.set_message("Loading the library…")
        self._status("Loading the library…")
        try:
            ready = self.app.library.catalog.is_ready()  # a quick look: no building here
        except (OSError, sqlite3.Error):
            ready = False
        if ready:
            self._first_page()
        # The rest after the first frame, which it would slow down (one interpreter).
        self.call_after_refresh(self._open, ready)
        self.set_interval(WATCH_SECONDS, self._watch)

    def _first_page(self) -> None:
        """The newest articles, in the first frame: a screenful from the index (a
        few milliseconds, whatever the library's size), before a worker lists
        them all (which, at 100,000 articles, waits for the first frame)."""
        catalog = self.app.library.catalog
        try:
            first, total = catalog.first_ids(self.sort, FIRST_PAGE), catalog.count()
        except sqlite3.Error:
            return
        self.article_list.show(first, EMPTY)
        self._show_header()
        if total:
            self._status(f"{total:,} article{'' if total == 1 else 's'} · {SORT_NAMES[self.sort]}")

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_header)

    def _progress(self, done: int | None, total: int = 0) -> None:
        """The progress bar of long work (an import, building the index), made when
        first needed (not at start-up); None hides it."""
        from textual.widgets import ProgressBar

        bars = self.query(ProgressBar)
        if done is None:
            for bar in bars:
                bar.display = False
            return
        if bars:
            bar = bars.first()
        else:
            bar = ProgressBar(id="import-progress", show_eta=False)
            self.mount(bar, before=self.query_one("#library-status"))
        bar.display = done < total
        bar.update(total=max(total, 1), progress=done)

    def _show_header(self) -> None:
        header = self.article_list.header_text(SORT_COLUMNS.get(self.sort, ""))
        # One line, always (app.tcss): no layout of the screen at each key.
        self.query_one("#list-header", Static).update(
            Text(header, style="bold", no_wrap=True), layout=False
        )

    def _status(self, text: str) -> None:
        self.query_one("#library-status", Static).update(Text(text, no_wrap=True), layout=False)

    def worker_failed_here(self, worker: Worker) -> None:
        if worker.group in ("open", "listing"):  # never "Loading" for ever
            self._progress(None)
            text = f"The library could not be listed: {worker.error}"
            if not self.article_list.ids:
                self.article_list.set_message(text)
            self._status(text)
        elif worker.group == "import":
            self._progress(None)
            self._status(f"The import stopped: {worker.error}")
        elif worker.group == "reconcile":  # tried again later, not at the next look
            self.set_timer(RECONCILE_AFTER_FAILURE, lambda: setattr(self, "_reconciling", False))

    # --- listing ---------------------------------------------------------------------------

    def request(self, fresh: bool = False) -> None:
        """List what the filter asks for, in a worker; a query still running for
        an older filter is interrupted."""
        self._generation += 1
        running = self._querying
        if running is not None:
            running.interrupt()
        self._list(self._generation, self.current_query(), self.sort, fresh)

    @work(thread=True, group="listing", exit_on_error=False)
    def _list(self, generation: int, text: str, sort: str, fresh: bool) -> None:
        from reader.core.search import entities_pending

        library = self.app.library
        catalog = library.catalog
        query = parse_query(text, typing=True)
        failure: sqlite3.Error | None = None
        for _ in range(3):  # interrupted for a newer query, or by mistake (see request)
            if generation != self._generation:
                return
            connection = catalog.connection()
            self._querying = connection
            try:
                version = catalog.data_version()
                if not query and not catalog.has_order(sort):
                    # The whole library, not yet in order: a screenful first.
                    first, total = catalog.first_ids(sort, FIRST_PAGE), catalog.count()
                    self.post_message(
                        Listing(generation, first, total, fresh, version, "", [], first_page=True)
                    )
                ids = catalog.article_ids(query, sort)
                total = len(catalog.order(sort).ids)  # kept: no count
                pending = entities_pending(library, query) or self._recognising(catalog)
                problems = catalog.problems()
                break
            except sqlite3.OperationalError as error:
                failure = error
                continue
            finally:
                if self._querying is connection:
                    self._querying = None
        else:
            if generation == self._generation:  # not interrupted for a newer one: say so
                message = f"The library index cannot be read: {failure}"
                self.app.call_from_thread(self._status, message)
            return
        # What was met reading the files (a store set aside), then what is known
        # to be unreadable.
        events, library.problems[:] = list(library.problems), []
        problems = events + problems
        self.post_message(Listing(generation, ids, total, fresh, version, pending, problems))

    def _recognising(self, catalog: Catalog) -> str:
        """The background recogniser's progress, while it works ("" otherwise)."""
        from reader.core import entity_queue

        left = catalog.count_pending_entities()
        if not left or not entity_queue.running(self.app.library):
            return ""
        return f"finding entities: {left:,} article{'' if left == 1 else 's'} to go"

    def on_listing(self, message: Listing) -> None:
        self._say_problems(message.problems)  # (those of an older answer too: said once)
        if message.generation != self._generation:
            return  # an answer to an older filter
        self.shown_generation = message.generation
        self._total = message.total
        self._version = self.app.library.catalog.data_version()
        query = parse_query(self.current_query(), typing=True)
        empty = "Nothing matches." if message.total else EMPTY
        self.article_list.show(message.ids, empty, fresh=message.fresh)
        self._show_header()
        count = message.total if message.first_page else len(message.ids)
        if query:
            status = f"{count:,} of {message.total:,} articles match"
        else:
            status = f"{count:,} article{'' if count == 1 else 's'}"
        status += f" · {SORT_NAMES[self.sort]}"
        problems = query_problems(query)
        if problems:  # say why nothing matches rather than just "0 of N"
            status = f"{status} · {problems[0]}"
        if message.pending:
            status = f"{status} · {message.pending}"
        if not message.total:
            status = EMPTY
        self._status(status)

    def _say_problems(self, problems: list[str]) -> None:
        for problem in problems:
            if problem not in self._problems_shown:
                self._problems_shown.add(problem)
                self.notify(problem, title="Problem in the library", severity="error", timeout=15)

    def _fetch(self, rowids: list[int]) -> dict[int, ArticleInfo]:
        """The rows the list shows (on the UI thread: a few dozen, by primary key)."""
        try:
            return self.app.library.catalog.rows(rowids)
        except sqlite3.Error:
            return {}

    def info_of(self, rowid: int) -> ArticleInfo | None:
        """A row's article: as the list holds it, else from the index (a fresh
        listing, back from an article say, drops the rows until it is drawn)."""
        return self.article_list.row(rowid) or self._fetch([rowid]).get(rowid)

    # --- where the search matched, for the highlighted article -------------------------------

    def on_article_list_highlighted(self, message: ArticleList.Highlighted) -> None:
        if message.rowid is not None:
            self._read_ahead()
        query = parse_query(self.current_query(), typing=True)
        if message.rowid is None or not is_text_search(query):
            for snippet in self.query("#snippet"):
                snippet.display = False
            return
        info = self.info_of(message.rowid)
        if info is None:
            return
        # After the list is repainted: the snippet is not worth delaying it for.
        self.call_after_refresh(
            self.find_snippet, message.rowid, info.id, highlight_expression(query)
        )

    def _read_ahead(self) -> None:
        """Read the highlighted article ahead once the cursor rests on it (not at
        each row passed while scrolling): enter then opens it at once."""
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
        self._prefetch_timer = self.set_timer(PREFETCH_AFTER, self._prefetch)

    def _prefetch(self) -> None:
        self._prefetch_timer = None
        rowid = self.article_list.highlighted
        info = self.article_list.row(rowid) if rowid is not None else None
        if info is not None:
            self.app.prefetch_article(info.id)

    @work(thread=True, exclusive=True, group="snippet", exit_on_error=False)
    def find_snippet(self, rowid: int, article_id: str, expression: str) -> None:
        from reader.core.fulltext import match_spans, snippet

        try:
            text = self.app.library.read_text(article_id)
        except OSError:
            return
        spans = match_spans(text, expression)
        width = max(20, self.size.width - 4)
        if spans:
            line, start, end = snippet(text, spans[0], width)
            self.post_message(SnippetFound(rowid, line, start, end, len(spans)))
        else:
            self.post_message(SnippetFound(rowid, "", 0, 0, 0))

    def on_snippet_found(self, message: SnippetFound) -> None:
        if message.rowid != self.article_list.highlighted:
            return
        found = self.query("#snippet")
        if found:
            snippet = found.first(Static)
        else:  # made when first needed: one widget less at start-up
            snippet = Static(id="snippet")
            self.mount(snippet, after=self.article_list)
        if message.line:
            text = Text(message.line, no_wrap=True, overflow="ellipsis", style="italic")
            text.stylize("bold reverse", message.start, message.end)
        else:
            text = Text("(found in its title, author or notes)", style="dim italic")
        snippet.update(text, layout=False)
        snippet.display = True

    # --- keys ------------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._opened:
            self.request()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.set_focus(self.article_list)

    def on_article_list_opened(self, message: ArticleList.Opened) -> None:
        info = self.info_of(message.rowid)
        if info is not None:
            self.open_article(info.id)

    def open_article(self, article_id: str | None) -> None:
        if article_id:
            self.app.open_article(article_id, search=self.text_search())

    def text_search(self) -> str:
        """The filter, when it searches words: what an article opened shows found."""
        query = parse_query(self.current_query())
        return self.current_query() if is_text_search(query) else ""

    def highlighted_info(self) -> ArticleInfo | None:
        rowid = self.article_list.highlighted
        return None if rowid is None else self.info_of(rowid)

    def neighbour(self, article_id: str, step: int) -> str | None:
        """The article ``step`` rows from this one in the list as filtered (the
        list's cursor goes there), or None at either end. From an article not
        listed (opened from the Notes screen), from the list's cursor."""
        article_list = self.article_list
        if not article_list.ids:
            return None
        try:
            rowid = self.app.library.catalog.rowid(article_id)
        except sqlite3.Error:
            rowid = None
        try:
            index = article_list.ids.index(rowid)
        except ValueError:
            index = article_list.cursor - (step > 0)
        target = index + step
        if not 0 <= target < len(article_list.ids):
            return None
        article_list.move_to(target)
        info = self.highlighted_info()
        return info.id if info is not None else None

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.request()

    def action_notes(self) -> None:
        self.app.show_notes()

    def set_filter(self, query: str) -> None:
        self.query_one("#filter", Input).value = query
        self.set_focus(self.article_list)

    def current_query(self) -> str:
        """The filter as typed: what is listed, so what the export dialog offers."""
        return self.query_one("#filter", Input).value

    def action_filter(self) -> None:
        # At once, not after the keys already queued (Widget.focus waits for them):
        # what is typed right after / goes to the filter.
        self.set_focus(self.query_one("#filter", Input))

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.set_focus(self.article_list)
