"""The export dialog: a format, what to export (the query), and where."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

FORMAT_CHOICES = [
    ("md", "Markdown (Obsidian): one file per article"),
    ("w3c", "W3C Web Annotation JSON-LD: everything, to move notes between libraries"),
    ("csv", "Readwise CSV import"),
    ("jsonl", "spaCy / Prodigy JSONL"),
    ("brat", "brat standoff: .txt and .ann per article"),
    ("html", "HTML: one self-contained annotated page per article"),
]
SUFFIX = {"md": "/", "w3c": ".jsonld", "csv": ".csv", "jsonl": ".jsonl", "brat": "/", "html": "/"}


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    query: str
    output: str


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Pick a format (enter), then edit the query and the output path (enter exports)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, query: str, folder: str) -> None:
        super().__init__()
        self.query_text, self.folder, self.fmt = query, folder.rstrip("/"), "md"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog export-dialog"):
            yield Label("Export notes", classes="dialog-title")
            yield OptionList(
                *(Option(text, id=fmt) for fmt, text in FORMAT_CHOICES), id="export-format"
            )
            yield Label("What (the filter language; empty for everything):")
            yield Input(self.query_text, id="export-query")
            yield Label("Where (a file, or a folder ending in /):")
            yield Input(self._output("md"), id="export-output")
            yield Label(
                "enter on a format picks it · enter in a field exports · escape cancels",
                classes="dialog-hint",
            )

    def _output(self, fmt: str) -> str:
        suffix = SUFFIX[fmt]
        return f"{self.folder}/{fmt}/" if suffix == "/" else f"{self.folder}/notes{suffix}"

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
            self.dismiss(
                ExportRequest(self.fmt, self.query_one("#export-query", Input).value, output)
            )

    def action_cancel(self) -> None:
        self.dismiss(None)
