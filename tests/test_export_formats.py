"""The export formats are listed once, in reader.core.export.FORMATS (name,
description, suffix, file or folder): the command's --format choices and the
app's export dialog are read from it."""

from __future__ import annotations

import click
from textual.app import App
from textual.widgets import Input, OptionList

from reader.cli import main
from reader.core.export import FORMATS
from reader.tui.dialogs.export import ExportDialog

EXPECTED = ["md", "w3c", "csv", "jsonl", "brat", "html"]


def test_the_core_list_has_every_format_once_with_what_it_is() -> None:
    assert list(FORMATS) == EXPECTED
    for name, fmt in FORMATS.items():
        assert fmt.name == name and fmt.description and fmt.module
        assert fmt.suffix.startswith(".") or (fmt.folder and fmt.suffix == "")
    assert [n for n, f in FORMATS.items() if f.folder] == ["md", "brat", "html"]
    assert [n for n, f in FORMATS.items() if f.entities] == ["jsonl", "brat", "html"]


def test_the_commands_format_choices_are_the_core_list() -> None:
    command = main.commands["export"]
    (option,) = (p for p in command.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == list(FORMATS)


class _Host(App[None]):
    def on_mount(self) -> None:
        self.push_screen(ExportDialog("tag:x", "/exports"))


async def test_the_dialogs_options_are_the_core_list() -> None:
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        options = dialog.query_one(OptionList)
        shown = [options.get_option_at_index(i) for i in range(options.option_count)]
        assert [(o.id, str(o.prompt)) for o in shown] == [
            (f.name, f.description) for f in FORMATS.values()
        ]
        outputs = {}
        for index, fmt in enumerate(FORMATS):
            options.highlighted = index
            await pilot.pause()
            outputs[fmt] = dialog.query_one("#export-output", Input).value
        assert outputs == {
            name: f"/exports/{name}/" if f.folder else f"/exports/notes{f.suffix}"
            for name, f in FORMATS.items()
        }
