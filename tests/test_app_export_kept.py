"""An export from the app into a folder where a Markdown file is not reader's
to rewrite (no marker lines: the reader's own) writes the others and says so
as a warning, never as a failure (reader.core.export.managed)."""

from __future__ import annotations

from pathlib import Path

from export_fixture import build_library
from test_app_annotating import settle
from test_app_search import wait_until
from textual.widgets import Input

from reader.core.entities import EntityService
from reader.core.export.run import run_export
from reader.tui.app import ReaderApp
from reader.tui.dialogs.export import ExportDialog


async def test_files_kept_by_an_export_are_a_warning_with_the_rest_written(
    tmp_path: Path,
) -> None:
    library = build_library(tmp_path / "library")
    folder = tmp_path / "notes"
    first = run_export(library, "md", output=f"{folder}/").written
    assert len(first) > 1
    mine = first[0]
    mine.write_text("# My own page\n\nWritten by hand.\n", encoding="utf-8")
    others = {path: path.stat().st_mtime_ns for path in first[1:]}
    app = ReaderApp(library, EntityService(packages=("no_such_model_pkg",)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), "the dialog")
        app.screen.query_one("#export-output", Input).value = f"{folder}/"
        await pilot.press("enter", "enter")
        said = await wait_until(
            pilot,
            lambda: [n for n in app._notifications if n.title.startswith("Export")],
            "the export said",
        )
    assert [(n.title, n.severity) for n in said] == [("Exported, some files kept", "warning")]
    assert mine.name in said[0].message
    assert mine.read_text(encoding="utf-8") == "# My own page\n\nWritten by hand.\n"
    assert all(path.stat().st_mtime_ns != mtime for path, mtime in others.items())
