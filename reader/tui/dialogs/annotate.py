"""Small dialogs for tagging and noting a span, and confirming a deletion."""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Button, Input, Label, TextArea

from reader.core.models import typed_tags
from reader.core.text import shorten

if TYPE_CHECKING:
    from reader.tui.app import ReaderApp


def parse_tags(value: str) -> tuple[str, ...]:
    """Comma-separated tags as typed, normalised (``typed_tags``): trimmed,
    without a leading #, spaces inside one a -, de-duplicated in order."""
    return typed_tags([value])


WHOLE_ARTICLE = "the whole article: "  # a quote starting so names the article, unquoted


def _quote_label(quote: str, limit: int = 70) -> Label:
    quote = shorten(quote, limit)
    # Article text is data: Content never parses markup.
    if quote.startswith(WHOLE_ARTICLE):
        title = quote.removeprefix(WHOLE_ARTICLE)
        return Label(Content(f"The whole article: “{title}”"), classes="dialog-quote")
    return Label(Content(f"“{quote}”"), classes="dialog-quote")


def _close_after(dialog: ModalScreen[Any], field: Widget, result: Callable[[Any], Any]) -> None:
    """Close ``dialog`` with ``result(field)`` once ``field`` has taken the keys
    typed before the closing key; the keys typed after it are held meanwhile,
    then go to the screen under the dialog (see ReaderApp.hold_keys)."""
    app: ReaderApp = dialog.app  # type: ignore[assignment]
    app.hold_keys()

    def close() -> None:
        # Not returned: call_later would await the dismissal, which waits for
        # this field to close while it runs this.
        dialog.dismiss(result(field))
        app.release_keys()

    field.call_later(close)


class TagSuggester(Suggester):
    """Completes the tag being typed (after the last comma, with or without "#")
    from the library's tags, the most used first; they are read once, off the
    UI thread, when the first key asks."""

    def __init__(self, known: Callable[[], list[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._known = known
        self._tags: list[str] | None = None

    async def get_suggestion(self, value: str) -> str | None:
        start = value.rfind(",") + 1
        typed = value[start:].lstrip()
        stem = typed.lstrip("#").casefold()
        if not stem:
            return None
        if self._tags is None:
            self._tags = await asyncio.to_thread(self._known)
        taken = {t.casefold() for t in parse_tags(value[:start])}
        for tag in self._tags:
            folded = tag.casefold()
            if folded.startswith(stem) and folded != stem and folded not in taken:
                return value + tag[len(stem) :]
        return None


class TagDialog(ModalScreen[tuple[str, ...] | None]):
    """Tags for a span: several, comma-separated, completed from the library's
    tags (right arrow takes the completion). Enter saves, escape cancels."""

    BINDINGS = [
        Binding("enter", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        quote: str,
        tags: tuple[str, ...] = (),
        known: Callable[[], list[str]] | None = None,
    ) -> None:
        super().__init__()
        self.quote, self.tags, self.known = quote, tags, known

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Tags (comma-separated)", classes="dialog-title")
            yield _quote_label(self.quote)
            # The cursor after the tags there are, none selected: typing adds a tag.
            yield Input(
                ", ".join(self.tags),
                placeholder="e.g. leader, claim",
                id="tags",
                select_on_focus=False,
                suggester=TagSuggester(self.known) if self.known else None,
            )
            yield Label("enter save · → complete · escape cancel", classes="dialog-hint")

    def action_save(self) -> None:
        # As the note's ctrl+s: after the field has taken the keys typed before.
        _close_after(self, self.query_one(Input), lambda field: parse_tags(field.value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteDialog(ModalScreen[str | None]):
    """A multi-line note. ctrl+s saves, ctrl+g edits it in $VISUAL or $EDITOR
    (vi if neither is set), escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+g", "edit_outside", "Edit in $EDITOR", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, quote: str, note: str = "") -> None:
        super().__init__()
        self.quote, self.note = quote, note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog"):
            yield Label("Note", classes="dialog-title")
            yield _quote_label(self.quote)
            yield TextArea(self.note, id="note", soft_wrap=True, show_line_numbers=False)
            yield Label("ctrl+s save · ctrl+g $EDITOR · escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        # ctrl+s is taken by the app as it arrives, while the keys typed just
        # before it (in one write, over SSH, from a text expander) still wait in
        # the editor's queue: read the text after the editor has taken them.
        _close_after(self, self.query_one(TextArea), lambda area: area.text.strip())

    def action_edit_outside(self) -> None:
        """The note in the user's editor (the app suspended, as git does); what the
        editor saved comes back into the dialog, to save with ctrl+s."""
        area = self.query_one(TextArea)
        area.call_later(self._edit_outside, area)  # after the keys typed before ctrl+g

    def _edit_outside(self, area: TextArea) -> None:
        from textual.app import SuspendNotSupported

        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.NamedTemporaryFile(
            "w", suffix=".md", prefix="reader-note-", delete=False, encoding="utf-8"
        ) as handle:
            handle.write(area.text)
        path = Path(handle.name)
        try:
            with self.app.suspend():
                finished = subprocess.run([*shlex.split(editor), str(path)], check=False)
            if finished.returncode != 0:
                self.notify(f"{editor} exited with {finished.returncode}: the note is as it was.")
                return
            area.text = path.read_text(encoding="utf-8").rstrip("\n")  # editors end with one
            area.move_cursor(area.document.end)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to an editor.", severity="warning")
        except (OSError, UnicodeDecodeError) as error:
            self.notify(f"The editor could not be run: {error}", severity="error")
        finally:
            path.unlink(missing_ok=True)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """Yes or no. y/enter confirms, n/escape declines."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
