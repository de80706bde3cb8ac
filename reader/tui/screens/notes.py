"""Every note and tag of the library, searched as you type; enter jumps to the span.

The articles' own tags and notes (T and N on the article screen) come first;
enter on one opens the article where the reader left it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.core.models import Annotation, ArticleInfo, hashtags
from reader.core.text import shorten
from reader.tui.bindings import GLOBAL, NOTES, TypeAhead, bindings
from reader.tui.failures import ReportsFailures
from reader.tui.widgets.footer import KeyFooter


@dataclass
class NotesFound(Message):
    query: str
    found: list[tuple[ArticleInfo, Annotation | None]]  # None: the article's own note


def note_label(info: ArticleInfo, annotation: Annotation | None) -> Text:
    text = Text(info.title, style="bold", no_wrap=True, overflow="ellipsis")
    if annotation is None:  # the article's own tags and note
        text.append("  (the whole article)", "italic")
        if info.tags:
            text.append("\n" + hashtags(info.tags), "italic")
        if info.note:
            text.append("\n" + shorten(info.note.strip().splitlines()[0], 100), "dim")
        return text
    if annotation.state != "anchored":
        text.append(f"  ({annotation.state})", "italic")
    text.append("\n“" + shorten(annotation.exact, 100) + "”")
    if annotation.tags:
        text.append("  " + hashtags(annotation.tags), "italic")
    if annotation.note:
        text.append("\n" + shorten(annotation.note.strip().splitlines()[0], 100), "dim")
    return text


LIMIT = 1000  # notes listed at most


class NotesScreen(ReportsFailures, TypeAhead, Screen[None]):
    # The search field has the focus and takes ? as a character: f1 (in NOTES)
    # opens the keys instead, and ctrl+e is a priority key, ahead of the field's own.
    BINDINGS = bindings(NOTES + [k for k in GLOBAL if k.id not in ("app.help", "app.help_f1")])

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[ArticleInfo, Annotation | None]] = []

    def compose(self) -> ComposeResult:
        yield Static(
            Text('Notes — words, tag:T, since:DATE, state:orphan, entity:"Name", label:L'),
            id="notes-title",
        )
        yield Input(placeholder="Search notes, quotes and tags", id="notes-query")
        yield OptionList(id="notes-list")
        yield Static(id="notes-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.search("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.set_focus(self.query_one(OptionList))

    @work(thread=True, exclusive=True, group="notes", exit_on_error=False)
    def search(self, query: str) -> None:
        from itertools import islice

        from reader.core.query import parse_query
        from reader.core.search import search_notes

        # The first thousand: an OptionList of every note of a large library would
        # take seconds to build; the count says how many more there are.
        found = list(islice(search_notes(self.app.library, parse_query(query, typing=True)), LIMIT))
        self.post_message(NotesFound(query, found))

    def on_notes_found(self, message: NotesFound) -> None:
        if message.query != self.query_one(Input).value:
            return  # an older search finished after a newer one started
        self.found = message.found
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(note_label(info, a), id=f"{i}") for i, (info, a) in enumerate(self.found)
        )
        if self.found:
            options.highlighted = 0
        from reader.core.query import parse_query, query_problems

        count = len(self.found)
        status = f"{count} note{'' if count == 1 else 's'}"
        if count == LIMIT:
            status = f"the first {LIMIT} notes: type to narrow the search"
        problems = query_problems(parse_query(message.query, typing=True))
        if problems:
            status = f"{status} · {problems[0]}"
        self.query_one("#notes-status", Static).update(Text(status))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:

        info, annotation = self.found[int(event.option.id or 0)]
        offset = None if annotation is None else annotation.start  # None: where it was left
        self.app.open_article(info.id, offset=offset)

    def current_query(self) -> str:
        return self.query_one(Input).value

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_to_list(self) -> None:
        """Down in the search box: to the list of notes (in the list, down moves)."""
        self.set_focus(self.query_one(OptionList))

    def action_focus_query(self) -> None:
        self.set_focus(self.query_one(Input))  # at once: what is typed next goes to it
