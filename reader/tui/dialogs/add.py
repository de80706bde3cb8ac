"""Asking for a file, folder or URL to import."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class AddDialog(ModalScreen[str | None]):
    """A path (file or folder) or an http(s) URL. Enter imports, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Add articles", classes="dialog-title")
            yield Label(
                "A file, a folder (searched recursively) or an http(s) URL:", classes="dialog-quote"
            )
            yield Input(placeholder="~/Downloads/saved-pages  or  https://…", id="add-input")
            yield Label("enter import · escape cancel", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
