"""The library's entity rules (the corrections made "for every article"),
listed, and removed with ``x`` (``u`` puts the last one removed back).

Each change is a write of the rules' store on the app's writer thread; the
library index then re-reads the articles naming the rule's text (see
Library.rule_store), and the article screen finds its entities again when
this screen closes having changed anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.core.models import Correction
from reader.core.text import shorten
from reader.tui.bindings import RULES, bindings

EMPTY = 'No rules yet: in an entity dialog (x, r or M on an entity) "a" makes one.'


def rule_line(rule: Correction) -> Text:
    """“Hamas” is ORG, “AFP” is no entity: plain text, never markup."""
    what = "is no entity" if rule.action == "remove" else f"is {rule.label}"
    line = Text(f"“{shorten(rule.text, 60)}” {what}")
    line.append(f"  {rule.created[:10]}", style="dim")
    return line


if TYPE_CHECKING:
    from reader.tui.app import ReaderApp


class RulesScreen(ModalScreen[bool]):
    """Dismissed with whether any rule changed."""

    @property
    def reader(self) -> ReaderApp:
        return cast("ReaderApp", self.app)

    BINDINGS = bindings(RULES)

    def __init__(self) -> None:
        super().__init__()
        self.rules: list[Correction] = []
        self.removed: list[Correction] = []  # in order, for u
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="rules"):
            yield Static(Text("Entity rules for every article", style="bold"))
            yield OptionList(id="rule-list")
            yield Static(Text("x removes · u puts back · escape closes", style="dim"))

    def on_mount(self) -> None:
        self._show(self.reader.library.rule_store().corrections())
        self.query_one(OptionList).focus()

    def _show(self, rules: list[Correction]) -> None:
        self.rules = sorted(rules, key=lambda r: (r.text.casefold(), r.created))
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        if not self.rules:
            options.add_option(Option(Text(EMPTY, style="dim"), disabled=True))
            return
        options.add_options(Option(rule_line(rule), id=rule.id) for rule in self.rules)
        options.highlighted = min(highlighted or 0, len(self.rules) - 1)

    def action_remove(self) -> None:
        index = self.query_one(OptionList).highlighted
        if not self.rules or index is None:
            return
        rule = self.rules[index]
        self.removed.append(rule)
        self.changed = True
        self._show([r for r in self.rules if r.id != rule.id])
        store = self.reader.library.rule_store()
        self.reader.write(
            store.delete_correction, rule.id, done=f"Rule removed: “{shorten(rule.text, 40)}”"
        )

    def action_undo(self) -> None:
        if not self.removed:
            self.notify("Nothing removed to put back.")
            return
        rule = self.removed.pop()
        self._show([*self.rules, rule])
        store = self.reader.library.rule_store()
        self.reader.write(
            store.save_correction, rule, done=f"Rule put back: “{shorten(rule.text, 40)}”"
        )

    def action_close(self) -> None:
        self.dismiss(self.changed)
