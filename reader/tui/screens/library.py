"""The first screen: the library as a list, filtered as you type."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, ProgressBar, Static

from reader.core.models import ArticleInfo
from reader.core.query import article_matches, parse_query, query_problems
from reader.tui.bindings import GLOBAL, LIBRARY, bindings
from reader.tui.messages import ImportFinished, ImportProgress, LibraryLoaded

WATCH_SECONDS = 3.0  # how often to look for changes made by another window

COLUMNS = (
    ("Title", 0),
    ("Source / author", 20),
    ("Date", 10),
    ("Words", 7),
    ("Tags", 16),
    ("Notes", 5),
)
# On a narrow terminal these go first, in this order, so the title keeps room.
DROPPED_FIRST = ("Tags", "Source / author", "Words")
TITLE_MIN = 30


def columns_for(width: int) -> list[tuple[str, int]]:
    """The columns that fit ``width`` cells, the title taking what is left."""
    shown = list(COLUMNS)
    for label in DROPPED_FIRST:
        fixed = sum(w + 2 for _, w in shown if w)
        if width - fixed - 4 >= TITLE_MIN:
            break
        shown = [(name, w) for name, w in shown if name != label]
    fixed = sum(w + 2 for _, w in shown if w)
    return [(name, w or max(12, width - fixed - 4)) for name, w in shown]


class LibraryScreen(Screen[None]):
    BINDINGS = bindings(LIBRARY + GLOBAL)

    def __init__(self) -> None:
        super().__init__()
        self.articles: list[ArticleInfo] = []
        self.entities: dict[str, list[list[str]]] = {}
        self._columns = [label for label, _ in COLUMNS]

    def compose(self) -> ComposeResult:
        yield Static(id="library-title")
        yield Input(
            placeholder='Filter: words, tag:T, since:2020-01, entity:"Name", label:PERSON',
            id="filter",
        )
        yield DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(id="import-progress", show_eta=False)
        yield Static(id="library-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#library-title", Static).update(
            Text(f"reader — {self.app.library.root}", no_wrap=True, overflow="ellipsis")
        )
        self.query_one(ProgressBar).display = False
        self.query_one(DataTable).focus()
        # The list loads on screen resume, which also comes when the screen is first shown.
        self._folders = self._folder_stamp()
        self.set_interval(WATCH_SECONDS, self._watch_folders)

    def on_resize(self) -> None:
        """The title takes the width the other columns leave."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self._columns = [label for label, _ in columns_for(self.size.width)]
        for label, width in columns_for(self.size.width):
            table.add_column(label, key=label, width=width)
        self.show(self.query_one("#filter", Input).value)

    def _folder_stamp(self) -> tuple[int, ...]:
        """When the two folders last had a file added, replaced or removed: every
        save renames a file into annotations/, so another window's shows here."""
        library = self.app.library
        stamp = []
        for folder in (library.articles_dir, library.annotations_dir):
            try:
                stamp.append(folder.stat().st_mtime_ns)
            except OSError:
                stamp.append(0)
        return tuple(stamp)

    def _watch_folders(self) -> None:
        stamp = self._folder_stamp()
        if stamp != self._folders and self.is_current:
            self._folders = stamp
            self.reload()

    def on_screen_resume(self) -> None:
        # After the saves made on the screen we come back from, so the counts are right.
        self.app.after_writes(self.reload)

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def reload(self) -> None:
        library = self.app.library
        entries = library.index()
        articles = library.list_articles(entries)
        entities = {key: entry.entities for key, entry in entries.items()}
        problems, library.problems[:] = list(library.problems), []
        self.post_message(LibraryLoaded(articles, problems, entities))

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        self.articles = message.articles
        self.entities = message.entities
        for problem in message.problems:
            self.notify(problem, title="Unreadable store", severity="error", timeout=15)
        self.show(self.query_one("#filter", Input).value)

    def show(self, query: str) -> None:
        table = self.query_one(DataTable)
        selected = None
        if table.row_count:
            selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        wanted = parse_query(query)
        shown = [
            i for i in self.articles if article_matches(wanted, i, self.entities.get(i.id, []))
        ]
        for info in shown:
            cells = {
                "Title": Text(info.title, no_wrap=True, overflow="ellipsis"),
                "Source / author": Text(
                    info.author or info.source, no_wrap=True, overflow="ellipsis"
                ),
                "Date": info.date,
                "Words": Text(f"{info.word_count:,}", justify="right"),
                "Tags": Text(", ".join(info.all_tags), no_wrap=True, overflow="ellipsis"),
                "Notes": Text(str(info.note_count), justify="right"),
            }
            table.add_row(*(cells[label] for label in self._columns), key=info.id)
        if selected is not None and selected in {info.id for info in shown}:
            table.move_cursor(row=table.get_row_index(selected))
        status = f"{len(shown)} of {len(self.articles)} articles"
        problems = query_problems(wanted)
        if problems:  # say why nothing matches rather than just "0 of N"
            status = f"{status} · {problems[0]}"
        if not self.articles:
            status = "The library is empty: press a to add a file, folder or URL."
        self.query_one("#library-status", Static).update(Text(status))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_article(event.row_key.value)

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self.open_article(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def open_article(self, article_id: str | None) -> None:
        if article_id:
            from reader.tui.screens.article import ArticleScreen

            self.app.push_screen(ArticleScreen(article_id))

    # --- adding articles, in a worker ------------------------------------------------

    def action_add(self) -> None:
        from reader.tui.dialogs.add import AddDialog

        def done(value: str | None) -> None:
            if value:
                self.import_inputs([value])

        self.app.push_screen(AddDialog(), done)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def import_inputs(self, inputs: list[str]) -> None:
        import os

        from reader.core.importers import count_inputs, read_inputs
        from reader.core.importing import ImportRun

        run = ImportRun(self.app.library)
        inputs = [os.path.expanduser(value) for value in inputs]
        total = count_inputs(inputs)
        for done, imported in enumerate(read_inputs(inputs), 1):
            run.take(imported)
            self.post_message(ImportProgress(done, max(total, done), imported.source))
        run.flush()
        self.post_message(ImportFinished(run.summary(), run.errors))

    def on_import_progress(self, message: ImportProgress) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=message.total, progress=message.done)
        self.query_one("#library-status", Static).update(Text(f"importing {message.current}"))

    def on_import_finished(self, message: ImportFinished) -> None:
        self.query_one(ProgressBar).display = False
        for error in message.errors[:5]:
            self.notify(error, severity="error", timeout=10)
        if len(message.errors) > 5:
            self.notify(f"… and {len(message.errors) - 5} more failures", severity="error")
        self.notify(
            f"Import: {message.summary}", severity="warning" if message.errors else "information"
        )
        self.reload()

    def action_notes(self) -> None:
        from reader.tui.screens.notes import NotesScreen

        self.app.push_screen(NotesScreen())

    def set_filter(self, query: str) -> None:
        self.query_one("#filter", Input).value = query
        self.query_one(DataTable).focus()

    def current_query(self) -> str:
        """The filter as typed: what is listed, so what the export dialog offers."""
        return self.query_one("#filter", Input).value

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.query_one(DataTable).focus()

    def action_cursor_top(self) -> None:
        self.query_one(DataTable).action_scroll_top()

    def action_cursor_bottom(self) -> None:
        self.query_one(DataTable).action_scroll_bottom()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
