"""Reading one article: the text with its entities, a legend, and its annotations."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import replace

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.worker import Worker

from reader.core.editing import AnnotationSet
from reader.core.labels import LABEL_GROUPS, label_group
from reader.core.models import hashtags
from reader.core.recogniser import ModelUnavailable, failure_reason
from reader.core.store import StoreError
from reader.core.text import shorten
from reader.tui.bindings import ARTICLE, GLOBAL, TypeAhead, bindings
from reader.tui.failures import ReportsFailures
from reader.tui.loading import LoadedArticle
from reader.tui.messages import AnnotationsChanged, EntitiesReady, EntitiesUnavailable
from reader.tui.screens.annotating import AnnotatingMixin
from reader.tui.screens.correcting import CorrectingMixin
from reader.tui.screens.finding import FindingMixin
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.footer import KeyFooter
from reader.tui.widgets.panels import AnnotationList, EntityList, Legend

WATCH_SECONDS = 2.0  # how often to look for changes made by another process
# The side panel's width by the screen's: narrower than PANEL_MIN_WIDTH it hides
# (p shows it) and the text takes the width; narrower than PANEL_FULL_WIDTH it slims.
PANEL_MIN_WIDTH, PANEL_FULL_WIDTH = 70, 110


class ArticleScreen(
    ReportsFailures, AnnotatingMixin, CorrectingMixin, FindingMixin, TypeAhead, Screen[None]
):
    """One article; the app keeps the screen and shows the next article in it
    (:meth:`open`): making its widgets and styling them anew took longer than
    everything else in opening an article."""

    BINDINGS = bindings(ARTICLE + GLOBAL)

    def __init__(self, loaded: LoadedArticle, offset: int | None = None, search: str = "") -> None:
        super().__init__()
        self._panel_wanted: bool | None = None  # None: shown when the screen is wide enough
        self._load(loaded, offset, search)

    def _load(self, loaded: LoadedArticle, offset: int | None, search: str) -> None:
        """The article's state (read in a worker: see reader.tui.navigation): ``offset``,
        where to put the cursor (else where the reader left it); ``search``, the
        library's search, whose matches are shown (the cursor on the first)."""
        self.search = search
        self._layout = loaded.layout  # for the view
        self.article, annotations = loaded.article, loaded.annotations
        self.annotations = AnnotationSet(annotations, self._persist)
        self._told_where = False
        # The position saved in this run, if any: an article read ahead (highlighted
        # in the list while it was open) has the one from before.
        position = self.app.positions_saved.get(self.article.id, self.article.position)
        self._start_offset = position if offset is None else offset
        self._sent_to_offset = offset is not None
        self._saved_offset = self._top = self._start_offset
        self._stamp = self._store_stamp()
        self.entity_status = "entities: finding…"
        self.entity_counts: dict[str, int] | None = None

    def open(self, loaded: LoadedArticle, offset: int | None = None, search: str = "") -> None:
        """Show another article here (the screen is not shown: the app shows it next)."""
        self.save_position()
        self._load(loaded, offset, search)
        self.view.set_text(self.article.text, self._layout)
        self.query_one("#find", Input).display = False
        self._show()

    @property
    def view(self) -> ArticleView:
        return self.query_one(ArticleView)

    def compose(self) -> ComposeResult:
        with Vertical(id="article-header"):
            yield Static(id="article-title")
            yield Static(id="article-details")
        with Horizontal(id="article-body"):
            yield ArticleView(
                self.article.text,
                id="article-view",
                layout=self._layout,
                width=self.app.config.reading_width,
            )
            with Vertical(id="side-panel"):
                yield Legend(id="legend")
                yield Static("Entities", classes="panel-title")
                yield EntityList(id="entity-list")
                yield Static("Annotations", classes="panel-title")
                yield AnnotationList(id="annotation-list")
        yield Static(id="article-status")
        yield Input(placeholder="Find: words, “phrases”, prefix* (enter goes there)", id="find")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._fit_panel()
        self._show()
        self.set_interval(WATCH_SECONDS, self._watch_store)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        """The legend and the entity panel in the new theme's colours (the view's
        styles are new by then: Textual restyles every widget)."""
        self.call_after_refresh(self._show_legend)

    def _show(self) -> None:
        """Show the article loaded: its header, annotations, cursor and matches."""
        self._refresh_header()
        self._refresh_annotations()
        self.view.focus()
        start = min(self._start_offset, max(len(self.article.text) - 1, 0))
        if self._sent_to_offset or self.search:
            self.view.move_to(start)
        else:  # where the reader left it: what was on screen, from its top row
            self.view.show_from(start)
        if self.search:
            if not self._sent_to_offset:  # the first match, not where the reader left it
                self.view.move_to(0)
            self.find(self.search)
        self._show_legend()
        # After the text is shown: threads now would slow its first frame down
        # (one interpreter), and the cached entities come in milliseconds anyway.
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        self.find_entities()
        self.refresh_index()
        self.app.warm_model()

    def _refresh_header(self) -> None:
        info = self.article.info
        title = Text(info.title, style="bold", no_wrap=True, overflow="ellipsis")
        if info.tags:
            title.append("   " + hashtags(info.tags), "italic")
        self.query_one("#article-title", Static).update(title)
        parts = (info.author, info.date, f"{info.word_count:,} words", info.source)
        details = Text(" · ".join(p for p in parts if p), style="dim")
        if info.note:
            details.append("\nnote: " + info.note.strip().splitlines()[0], "italic")
        self.query_one("#article-details", Static).update(details)

    # --- entities, found in a worker ------------------------------------------------

    @work(thread=True, group="index", exit_on_error=False)
    def refresh_index(self) -> None:
        """The library index holds this article as its files are now (they may have
        been edited in place, which the library's quick check does not see)."""
        import sqlite3

        with contextlib.suppress(OSError, sqlite3.Error):
            self.app.library.catalog.refresh(self.article.id)

    @work(thread=True, exclusive=True, group="entities", exit_on_error=False)
    def find_entities(self) -> None:
        started = time.perf_counter()
        article = self.article  # the screen may show another one before this ends
        try:
            store = self.app.library.store(article.id)
            entities, cached = self.app.entities.entities_for(article, store)
        except (ModelUnavailable, StoreError) as error:
            self.post_message(EntitiesUnavailable(article.id, str(error)))
            return
        except Exception as error:  # the model failed on this text: said, never "finding…"
            from reader.core.errorlog import record

            path = record(f"finding the entities of {article.id}", error)
            reason = f"entities could not be found: {failure_reason(error)} (see {path})"
            self.post_message(EntitiesUnavailable(article.id, reason))
            return
        self.post_message(
            EntitiesReady(article.id, entities, cached, time.perf_counter() - started)
        )

    def on_entities_ready(self, message: EntitiesReady) -> None:
        if message.article_id != self.article.id:
            return  # found for the article shown before
        self.view.set_entities(message.entities)
        self.entity_counts = dict(Counter(label_group(e.label) for e in message.entities))
        source = "cached" if message.from_cache else f"found in {message.seconds:.2f} s"
        self.entity_status = f"{len(message.entities)} entities ({source})"
        self._show_legend()
        self._refresh_status()

    def worker_failed_here(self, worker: Worker) -> None:
        if worker.group == "entities":  # the legend says so, never "finding…" for ever
            self.entity_status = "no entities: an error in reader (see the notification)"
            self._show_legend()

    def on_entities_unavailable(self, message: EntitiesUnavailable) -> None:
        if message.article_id != self.article.id:
            return
        self.entity_status = f"no entities: {message.reason}"
        self._show_legend()
        # Said once per article and run: the legend keeps saying it after that.
        told = self.app.told_unavailable
        if (self.article.id, message.reason) not in told:
            told.add((self.article.id, message.reason))
            self.notify(message.reason, title="Entities unavailable", severity="warning")

    def _styles(self) -> dict:
        return {group: self.view.entity_style(group) for group in LABEL_GROUPS}

    def _show_legend(self) -> None:
        hidden = self.view.hidden_groups
        self.query_one(Legend).show(self._styles(), self.entity_counts, self.entity_status, hidden)
        self._show_entities()

    def _show_entities(self) -> None:
        self.query_one(EntityList).show(self.view.linked, self._styles(), self.view.hidden_groups)

    # --- changes made by another process -------------------------------------------------

    def _store_stamp(self) -> tuple[int, int]:
        try:
            stat = self.app.library.store(self.article.id).path.stat()
        except FileNotFoundError:
            return (0, 0)
        return (stat.st_mtime_ns, stat.st_size)

    def _watch_store(self) -> None:
        if not self.is_current:
            return
        stamp = self._store_stamp()
        if stamp != self._stamp and self.app.writes_pending() == 0:
            self._stamp = stamp
            self.reload_annotations()

    @work(thread=True, exclusive=True, group="reload", exit_on_error=False)
    def reload_annotations(self) -> None:
        library = self.app.library
        article, annotations = library.load(self.article.id)
        problems, library.problems[:] = list(library.problems), []
        info = article.info
        self.post_message(
            AnnotationsChanged(self.article.id, annotations, info.tags, info.note, problems)
        )

    def on_annotations_changed(self, message: AnnotationsChanged) -> None:
        if message.article_id != self.article.id:
            return
        for problem in message.problems:  # a store set aside under us: say so here
            self.notify(problem, title="Unreadable store", severity="error", timeout=15)
        if self.app.writes_pending():
            return  # our own newer change is on its way; the next look reloads
        if [a.__dict__ for a in message.annotations] != [
            a.__dict__ for a in self.annotations.items
        ]:
            self.annotations.replace_all(message.annotations)
            self._refresh_annotations()
        info = self.article.info
        if (message.tags, message.note) != (info.tags, info.note):  # T or N elsewhere
            info = replace(info, tags=message.tags, note=message.note)
            self.article = replace(self.article, info=info)
            self._refresh_header()

    # --- what the cursor is on --------------------------------------------------------

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self._top = self.view.top_offset()
        self._refresh_status()

    def on_article_view_selection_changed(self, message: ArticleView.SelectionChanged) -> None:
        self._refresh_status()

    def _refresh_status(self) -> None:
        """The status line: the selection, the annotations and entity at the
        cursor, and how far into the text the view is."""
        view = self.view
        offset = view.cursor
        parts = []
        if view.selection:
            start, end = view.selection
            parts.append(f"selected {end - start} characters")
        for annotation in view.annotations_at(offset):
            tags = hashtags(annotation.tags)
            note = annotation.note.splitlines()[0] if annotation.note else ""
            review = " (needs review)" if annotation.state == "needs-review" else ""
            parts.append(f"“{shorten(annotation.exact, 40)}”{review} {tags} {note}".strip())
        entity = view.entity_at(offset)
        linked = view.linked_of(entity) if entity else None
        if entity and linked:
            parts.append(f"{entity.text} — {label_group(entity.label)} ({entity.label})")
            if len(linked.mentions) > 1:
                number = linked.mentions.index(entity) + 1
                also = f"{linked.name}: " if linked.name != entity.text else ""
                parts.append(
                    f"{also}mention {number} of {len(linked.mentions)} (* next, # previous)"
                )
        # How far, at the right, always there; what is here cut to the room left.
        read = f"{view.percent_read()}% read"
        widget = self.query_one("#article-status", Static)
        room = max(0, widget.size.width - len(read) - 2)
        status = Text("  ·  ".join(parts), no_wrap=True)
        status.truncate(room, overflow="ellipsis", pad=True)
        status.append(f"  {read}")
        # One line (app.tcss): no layout of the screen at each move of the cursor.
        widget.update(status, layout=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if isinstance(event.option_list, EntityList):
            found = event.option_list.entity(event.option.id)
            if found:
                self.jump_to_mention(found)
            return
        annotation = self.annotations.by_id(event.option.id)
        if annotation is None:
            return
        if annotation.state == "orphan":
            self.reattach(annotation)
        else:
            self.view.clear_selection()
            self.view.move_to(annotation.start)
        self.view.focus()

    def _refresh_annotations(self) -> None:
        self.view.set_annotations(self.annotations.items)
        self.query_one(AnnotationList).show(self.annotations.items)
        self._refresh_status()

    def action_focus_panel(self) -> None:
        """tab: the text, then the entities, then the annotations."""
        if not self.query_one("#side-panel").display:
            self.action_toggle_panel()  # tab asks for the panel: show it
        order = [self.view, self.query_one(EntityList), self.query_one(AnnotationList)]
        current = next((i for i, w in enumerate(order) if w.has_focus), -1)
        self.set_focus(order[(current + 1) % len(order)])

    # --- the side panel ----------------------------------------------------------------

    def on_resize(self) -> None:
        self._fit_panel()

    def _fit_panel(self) -> None:
        width = self.app.size.width
        shown = width >= PANEL_MIN_WIDTH if self._panel_wanted is None else self._panel_wanted
        side = self.query_one("#side-panel")
        # A quarter of a wide screen (longer names and notes fit), 38 to 60 columns.
        wide = self.app.config.panel_width or min(60, max(38, width // 4))
        side.styles.width = wide if width >= PANEL_FULL_WIDTH else min(wide, 28)
        if side.display != shown:
            side.display = shown
            if not shown and self.focused is not None and self.focused is not self.view:
                self.view.focus()

    def action_toggle_panel(self) -> None:
        self._panel_wanted = not self.query_one("#side-panel").display
        self._fit_panel()

    def action_orphans(self) -> None:
        """Focus the first orphan in the panel: enter re-attaches it to the selection."""
        panel = self.query_one(AnnotationList)
        lost = [i for i, a in enumerate(self.annotations.items) if a.state != "anchored"]
        if not lost:
            self.notify("No orphans or annotations needing review here.", timeout=2)
            return
        if not self.query_one("#side-panel").display:
            self.action_toggle_panel()
        panel.highlighted = lost[0]
        self.set_focus(panel)
        self.notify("enter re-attaches the orphan to the selection made in the text", timeout=4)

    # --- leaving --------------------------------------------------------------------------

    def save_position(self) -> None:
        """Keep where the reader is: the start of the text on screen (its top row),
        so reading by paging comes back to the page read."""
        try:
            offset = self._top = self.view.top_offset()
        except NoMatches:  # the view is gone (the screen closing): as last seen
            offset = self._top
        if offset != self._saved_offset:
            self._saved_offset = offset
            self.app.positions_saved[self.article.id] = offset
            self.app.write(self.app.library.positions.set, self.article.id, offset, keep=False)

    def on_unmount(self) -> None:
        self.save_position()

    def on_screen_suspend(self) -> None:
        self.save_position()  # left (the screen is kept, not unmounted)
        self._theme_when_left = self.app.theme

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Shown again: Textual styles every widget anew (a fifth of the time it
        # takes to show an article), which only a change of theme meanwhile needs.
        if getattr(self, "_theme_when_left", None) == self.app.theme:
            event.refresh_styles = False
        super()._on_screen_resume(event)

    def action_next_article(self, step: int) -> None:
        """The next (J) or previous (K) article of the library's list."""
        if not self.app.open_next_article(self.article.id, step):
            self.notify("No next article in the list." if step > 0 else "No previous article.")

    def action_back(self) -> None:
        self.save_position()
        self.app.pop_screen()
