"""Correcting an entity: pick a label, or confirm a removal, for this article
or (with one more key, ``a``) for every article."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from reader.core.labels import LABELS
from reader.core.text import shorten


@dataclass(frozen=True)
class EntityChoice:
    label: str  # "" to remove the entity
    everywhere: bool


def _scope(everywhere: bool) -> Text:
    where = "every article (a library-wide rule)" if everywhere else "this article"
    return Text.assemble("Applies to ", (where, "bold"), "  ·  a switches")


class LabelDialog(ModalScreen[EntityChoice | None]):
    """Pick a label (enter); ``a`` switches between this article and every article."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("a", "scope", "Scope")]

    def __init__(self, text: str, current: str = "") -> None:
        super().__init__()
        self.text, self.current, self.everywhere = text, current, False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Entity label", classes="dialog-title")
            yield Label(Content(f"“{' '.join(self.text.split())[:70]}”"), classes="dialog-quote")
            yield OptionList(
                *(Option(f"{code:<12} {name}", id=code) for code, name in LABELS.items()),
                id="labels",
            )
            yield Label(_scope(False), id="scope", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        codes = list(LABELS)
        options.highlighted = codes.index(self.current) if self.current in codes else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(EntityChoice(event.option.id or "", self.everywhere))

    def action_scope(self) -> None:
        self.everywhere = not self.everywhere
        self.query_one("#scope", Label).update(_scope(self.everywhere))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RemoveEntityDialog(ModalScreen[EntityChoice | None]):
    """y/enter removes in this article, a in every article, n/escape cancels."""

    BINDINGS = [
        Binding("y,enter", "answer(False)", "This article"),
        Binding("a", "answer(True)", "Every article"),
        Binding("n,escape", "cancel", "Cancel"),
    ]

    def __init__(self, text: str, label: str) -> None:
        super().__init__()
        self.text, self.label = text, label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Content(f"“{shorten(self.text, 60)}” is not a {self.label}?"),
                classes="dialog-title",
            )
            yield Label(
                "y or enter: remove it in this article · a: in every article · "
                "n or escape: keep it",
                classes="dialog-hint",
            )

    def action_answer(self, everywhere: bool) -> None:
        self.dismiss(EntityChoice("", everywhere))

    def action_cancel(self) -> None:
        self.dismiss(None)
