"""The export dialog: a format, what to export (the query), and where."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from reader.core.export import FORMATS


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    query: str
    output: str
    listed: bool = False  # every note of the articles the query lists (see gather)


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Pick a format (enter), then edit the query and the output path (enter exports)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, query: str, folder: str, *, listed: bool = False) -> None:
        super().__init__()
        self.query_text, self.folder, self.fmt = query, folder.rstrip("/"), "md"
        self.listed = listed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog export-dialog"):
            yield Label("Export notes", classes="dialog-title")
            yield OptionList(
                *(Option(f.description, id=f.name) for f in FORMATS.values()), id="export-format"
            )
            yield Label(
                "What: the articles the filter lists, with all their notes:"
                if self.listed
                else "What: the notes the query matches (empty: every note):"
            )
            yield Input(self.query_text, id="export-query")
            yield Label("Where (a file, or a folder ending in /):")
            yield Input(self._output("md"), id="export-output")
            yield Label(
                "enter on a format picks it · enter in a field exports · escape cancels",
                classes="dialog-hint",
            )

    def _output(self, fmt: str) -> str:
        """A folder of the export folder for a format of a file per article, else a file."""
        what = FORMATS[fmt]
        return f"{self.folder}/{fmt}/" if what.folder else f"{self.folder}/notes{what.suffix}"

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.fmt = event.option.id or "md"
        self.query_one("#export-output", Input).value = self._output(self.fmt)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#export-output", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        output = self.query_one("#export-output", Input).value.strip()
        if output:
            query = self.query_one("#export-query", Input).value
            self.dismiss(ExportRequest(self.fmt, query, output, self.listed))

    def action_cancel(self) -> None:
        self.dismiss(None)
