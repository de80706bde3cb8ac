"""Adding a folder of articles from the app, driven with Textual's Pilot: on an empty
library, `a`, the folder's path, enter; the import runs in a worker and the library
table then lists the articles, and nothing was written for the folder's non-articles."""

from __future__ import annotations

import shutil
from pathlib import Path

from library_screen import rows

from reader.core.entities import EntityService
from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.add import AddDialog
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.article_list import UNREAD

FOLDER = Path(__file__).parent / "fixtures" / "import" / "folder"
TITLES = {
    "Island Nation Heads to the Polls in Close Race",
    "In Praise of the Slow Commute",
}


def inbox(tmp_path: Path) -> Path:
    """The fixture folder, plus a hidden .git folder (which git cannot commit)."""
    root = tmp_path / "inbox"
    shutil.copytree(FOLDER, root)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".git" / "COMMIT_EDITMSG").write_text(
        "Add the wire stories about the harbour and the grain market for Tuesday.\n"
    )
    return root


async def settle(app: ReaderApp, pilot) -> None:  # noqa: ANN001
    for _ in range(3):  # the import worker, then the reload it asks for
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_add_a_folder_from_the_library_screen(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib").ensure()
    folder = inbox(tmp_path)
    app = ReaderApp(library, EntityService(packages=("no_such_model_pkg",)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert screen.listed() == []

        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddDialog)
        await pilot.press(*str(folder))
        await pilot.press("enter")
        await pilot.pause()
        await settle(app, pilot)

        assert app.screen is screen
        infos = screen.listed()
        assert len(infos) == 4, [i.title for i in infos]
        assert {i.title for i in infos} >= TITLES
        sources = {Path(i.source).relative_to(folder.resolve()).as_posix() for i in infos}
        assert sources == {
            "world/2024/election.html",
            "opinion/column.md",
            "wire/market-report.txt",
            "wire/DISPATCH",
        }
        shown = [row.strip().removeprefix(UNREAD).strip() for row in rows(screen)]
        assert len(shown) == 4
        # (a long title is cut to the column, with an ellipsis)
    assert {t for t in TITLES if any(row.startswith(t[:30]) for row in shown)} == TITLES

    # Nothing was written for the stylesheet, the script, the image or the hidden files.
    texts = sorted(p.name for p in library.articles_dir.glob("[!.]*.txt"))
    stores = sorted(p.name for p in library.annotations_dir.glob("[!.]*.json"))  # not the index
    assert len(texts) == 4 and len(stores) == 4
    assert {t.removesuffix(".txt") for t in texts} == {s.removesuffix(".json") for s in stores}
    assert not (library.articles_dir / "versions").exists()
    for path in library.root.rglob("*"):
        assert not path.name.endswith((".css", ".js", ".png")), path
    everything = " ".join(p.read_text(encoding="utf-8") for p in library.articles_dir.glob("*"))
    assert "font-family" not in everything and "getElementById" not in everything
    assert "private draft" not in everything and "refs/heads" not in everything


async def test_escape_cancels_the_add_dialog(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib").ensure()
    app = ReaderApp(library, EntityService(packages=("no_such_model_pkg",)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"/nowhere", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app.screen.listed() == []
    assert list(library.articles_dir.glob("*.txt")) == []
