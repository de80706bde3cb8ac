"""The keys, generated from the binding table (so it cannot drift)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.tui.bindings import HELP_SECTIONS, key_label


def help_table(keymap: dict[str, str] | None = None) -> Table:
    """Every key, as the user has it (``keymap``: the settings' [keys]), with its
    binding id to remap it by."""
    keymap = keymap or {}
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    table.add_column(style="dim")
    for title, keys in HELP_SECTIONS:
        table.add_row("", "", "")
        table.add_row("", Text(title, style="bold underline"), "")
        for key in keys:
            shown = keymap.get(key.id) or key_label(key)
            table.add_row(Text(shown), Text(key.description), Text(key.id))
    return table


if TYPE_CHECKING:
    from reader.tui.app import ReaderApp


class HelpScreen(ModalScreen[None]):
    @property
    def reader(self) -> ReaderApp:
        return cast("ReaderApp", self.app)

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("reader — keys", style="bold"))
            yield Static(help_table(self.reader.config.keys))
            yield Static(Text("escape, q or ? closes this", style="dim"))

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
