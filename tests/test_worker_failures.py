"""Every worker group's failure is shown and logged (issue 13).

For each group of workers in reader/tui, one app run: the function the worker
calls is made to raise an exception the worker does not catch (a
``RuntimeError("injected <group>")``, never the OSError or sqlite3.Error several
workers expect), the worker is started the way a reader starts it (a key, a
filter typed, an article opened, a theme chosen, another program changing the
files), and then:

- a notification titled "Something went wrong" names the error (the entity
  worker catches every exception itself: "Entities unavailable");
- the log at ``$READER_LOG`` holds the error and its traceback;
- what the screen puts right after the failure (the library's status line, the
  legend, the progress bar) is put right;
- the app still runs and answers a key.

A last test reads the groups from the source, so a worker group added without
a case here fails.
"""

from __future__ import annotations

import ast
import os
import webbrowser
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from test_app_annotating import flush, new_app, open_seed, settle
from test_app_search import wait_until
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar, Static

import reader.core.entity_queue
import reader.core.export.run
import reader.core.search
import reader.tui.app
import reader.tui.navigation
from reader.core.catalog import Catalog
from reader.core.entities import EntityService
from reader.core.importers.inputs import import_path
from reader.core.importing import ImportRun
from reader.core.library import Library
from reader.core.models import ArticleDraft
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.notes import NotesScreen
from reader.tui.widgets.panels import Legend

SIZE = (120, 40)
SOURCE = "https://news.example/syria-strikes"  # the seed's, given here: o opens it
TUI = Path(__file__).resolve().parents[1] / "reader" / "tui"


# --- the library, the injected failure, waiting -------------------------------------------


def make_library(tmp_path: Path, seed_path: Path) -> Library:
    """The seed article (with a web address) and an older, shorter one after it."""
    library = Library(tmp_path / "lib").ensure()
    (seed,) = import_path(seed_path)
    older = ArticleDraft(
        text="Talks resumed in Geneva on Monday. Both sides said progress was slow.",
        title="Talks resume",
        date="2019-01-01",
    )
    library.add_many([replace(seed, source=SOURCE), older])
    return library


@dataclass
class Inject:
    """Makes a function the worker calls raise ``RuntimeError("injected <group>")``."""

    monkeypatch: pytest.MonkeyPatch
    group: str

    def __call__(self, target: object, name: str, *, after: int = 0) -> None:
        """``target.name`` raises, once ``after`` calls have gone through to it."""
        original = getattr(target, name)
        calls = 0
        group = self.group

        def failing(*args: object, **kwargs: object) -> object:
            nonlocal calls
            calls += 1
            if calls > after:
                raise RuntimeError(f"injected {group}")
            return original(*args, **kwargs)

        self.monkeypatch.setattr(target, name, failing)


def notified(app: ReaderApp, title: str) -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


def status(screen: LibraryScreen) -> str:
    return str(screen.query_one("#library-status", Static).render())


def library_screen(app: ReaderApp) -> LibraryScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, LibraryScreen)
    return screen


async def type_filter(app: ReaderApp, pilot: Pilot, text: str) -> None:
    await pilot.press("slash", *text)
    assert isinstance(app.focused, Input) and app.focused.value == text


# --- how each group's worker is made to fail, and started ----------------------------------


Trigger = Callable[[ReaderApp, Pilot, Inject], Awaitable[None]]


@dataclass(frozen=True)
class Case:
    trigger: Trigger  # injects the failure (unless ``before`` did) and starts the worker
    before: Callable[[Inject], None] | None = None  # injected before the app starts
    title: str = "Something went wrong"
    repaired: Callable[[ReaderApp], None] | None = None  # what the screen put right
    # The app to run (the library's root, tmp_path); by default new_app's.
    app: Callable[[Library, Path], ReaderApp] | None = None


async def started(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    """Nothing to do: the worker runs as the app starts."""


# App: settings, preload, prefetch, opening, model, entity-queue, export.


def app_with_settings(library: Library, tmp_path: Path) -> ReaderApp:
    return ReaderApp(
        library,
        EntityService(packages=("no_such_model_pkg",)),
        config_path=tmp_path / "config.toml",
    )


def commands_listed(app: ReaderApp) -> list[str]:
    """What the command palette lists: each command's name (its prompt's first line)."""
    listed = app.screen.query(CommandList)
    return (
        [str(option.prompt).split("\n")[0] for option in listed.first().options] if listed else []
    )


async def choose_theme(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await settle(app, pilot)
    inject(reader.tui.app, "save_theme")
    await pilot.press("ctrl+p", *"theme")
    await wait_until(pilot, lambda: "Theme" in commands_listed(app), "the Theme command")
    await pilot.press("enter")  # the theme picker: a palette of themes
    await pilot.press(*"nord")
    await wait_until(pilot, lambda: commands_listed(app) == ["nord"], "the nord theme")
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.theme == "nord", "the theme chosen")


async def move_down(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await settle(app, pilot)
    inject(reader.tui.navigation, "load_article")
    await pilot.press("j")  # the cursor rests on the second article: it is read ahead


async def open_article(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await settle(app, pilot)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ArticleScreen), "the article")


async def open_unread_ahead(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await settle(app, pilot)
    # The highlighted article read ahead first (that worker fails otherwise), then
    # dropped: enter reads it in the opening worker.
    await wait_until(pilot, lambda: app.prefetched, "the first article read ahead")
    inject(reader.tui.navigation, "load_article")
    app.prefetched = None
    await pilot.press("enter")


async def export(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await settle(app, pilot)
    inject(reader.core.export.run, "run_export")
    await pilot.press("e")
    await wait_until(pilot, lambda: app.screen.query("#export-output"), "the export dialog")
    await pilot.press("enter", "enter")  # the format (Markdown), then the output


# Article screen: browser, index, entities, reload.


async def open_source(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await open_seed(app, pilot)
    inject(webbrowser, "open")
    await pilot.press("o")


async def store_changed_elsewhere(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await open_seed(app, pilot)
    await flush(app, pilot)  # (marked read)
    screen = app.screen
    assert isinstance(screen, ArticleScreen)
    inject(Library, "load")
    path = app.library.store_path(screen.article.id)
    later = os.stat(path).st_mtime_ns + 5 * 10**9
    os.utime(path, ns=(later, later))  # as another process's save: the screen reloads


def legend_says_no_entities(app: ReaderApp) -> None:
    screen = app.screen
    assert isinstance(screen, ArticleScreen)
    legend = str(screen.query_one(Legend).render())
    assert "no entities: entities could not be found: RuntimeError: injected entities" in legend


# Library screen: open, reconcile, listing, snippet, import.


def unindexed_app(library: Library, tmp_path: Path) -> ReaderApp:
    """The library without its index (as at the first run), in a Library made anew."""
    for path in library.catalog.folder.glob("library-v*.sqlite*"):
        path.unlink()
    return new_app(Library(library.root))


def listing_said(group: str) -> Callable[[ReaderApp], None]:
    def check(app: ReaderApp) -> None:
        screen = library_screen(app)
        text = f"The library could not be listed: injected {group}"
        assert status(screen) == text
        if group == "open":  # nothing listed: the list says it too, not "Loading"
            assert screen.article_list.message == text
            assert not any(bar.display for bar in screen.query(ProgressBar))

    return check


async def folders_changed_elsewhere(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await settle(app, pilot)
    inject(Catalog, "reconcile")
    folder = app.library.articles_dir
    later = os.stat(folder).st_mtime_ns + 5 * 10**9
    os.utime(folder, ns=(later, later))  # as another program adding a file


async def filter_typed(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await settle(app, pilot)
    inject(Catalog, "article_ids")
    await type_filter(app, pilot, "talks")


async def words_searched(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await settle(app, pilot)
    inject(Library, "read_text")
    await type_filter(app, pilot, "drones")  # the highlighted hit's snippet is looked for


async def add_folder(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    folder = Path(app.library.root).parent / "inbox"
    folder.mkdir()
    for name in ("one", "two"):
        (folder / f"{name}.txt").write_text(f"Article {name}\n\nSome words.\n", encoding="utf-8")
    await settle(app, pilot)
    inject(ImportRun, "take", after=1)  # the second file: the progress bar is up
    await pilot.press("a")
    await wait_until(pilot, lambda: app.screen.query("#add-input"), "the add dialog")
    await pilot.press(*str(folder), "enter")


def progress_hidden(app: ReaderApp) -> None:
    bars = library_screen(app).query(ProgressBar)
    assert bars, "the import showed no progress before it failed"
    assert not any(bar.display for bar in bars)
    # (The status line says the import stopped until the next listing's count.)


# Notes screen: notes.


async def open_notes(app: ReaderApp, pilot: Pilot, inject: Inject) -> None:
    await settle(app, pilot)
    inject(reader.core.search, "search_notes")
    await pilot.press("n")  # the notes screen searches at once
    await wait_until(pilot, lambda: isinstance(app.screen, NotesScreen), "the notes screen")


CASES: dict[str, Case] = {
    # app
    "settings": Case(choose_theme, app=app_with_settings),
    "preload": Case(started, before=lambda inject: inject(reader.tui.app, "_preload")),
    "prefetch": Case(move_down),
    "model": Case(open_article, before=lambda inject: inject(EntityService, "load")),
    "entity-queue": Case(  # the library has articles waiting for entities
        started, before=lambda inject: inject(reader.core.entity_queue, "start")
    ),
    "export": Case(export),
    "opening": Case(open_unread_ahead),
    # article screen
    "browser": Case(open_source),
    "index": Case(open_article, before=lambda inject: inject(Catalog, "refresh")),
    "entities": Case(
        open_article,
        before=lambda inject: inject(EntityService, "entities_for"),
        title="Entities unavailable",
        repaired=legend_says_no_entities,
    ),
    "reload": Case(store_changed_elsewhere),
    # library screen
    "open": Case(
        started,
        before=lambda inject: inject(Catalog, "ensure"),
        repaired=listing_said("open"),
        app=unindexed_app,
    ),
    "reconcile": Case(folders_changed_elsewhere),
    "listing": Case(filter_typed, repaired=listing_said("listing")),
    "snippet": Case(words_searched),
    "import": Case(add_folder, repaired=progress_hidden),
    # notes screen
    "notes": Case(open_notes),
}


# --- the tests ---------------------------------------------------------------------------


async def still_answers_a_key(app: ReaderApp, pilot: Pilot) -> None:
    """f1 (a key on every screen, even while typing) shows the keys; escape closes them."""
    screen = app.screen
    await pilot.press("f1")
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the keys shown")
    await pilot.press("escape")
    await wait_until(pilot, lambda: app.screen is screen, "the keys closed")
    assert app.is_running and app.return_code is None


@pytest.mark.parametrize("group", sorted(CASES))
async def test_a_worker_failure_is_shown_and_logged(
    group: str, tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "reader.log"
    monkeypatch.setenv("READER_LOG", str(log))
    case = CASES[group]
    inject = Inject(monkeypatch, group)
    library = make_library(tmp_path, seed_path)
    app = (case.app or (lambda library, _: new_app(library)))(library, tmp_path)
    if case.before is not None:
        case.before(inject)
    async with app.run_test(size=SIZE) as pilot:
        await case.trigger(app, pilot, inject)
        said = await wait_until(pilot, lambda: notified(app, case.title), f"{case.title!r}")
        # The error, and where its traceback is.
        assert any(f"RuntimeError: injected {group}" in m and str(log) in m for m in said), said
        if case.title == "Something went wrong":
            assert any(f"(while: {group})" in m for m in said), said
        await app.workers.wait_for_complete()
        await pilot.pause()
        if case.repaired is not None:
            case.repaired(app)
        # Said once, however many times it failed (a filter typed: once per key).
        assert len(notified(app, case.title)) == 1, notified(app, case.title)
        await still_answers_a_key(app, pilot)
    logged = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last):" in logged
    assert f"RuntimeError: injected {group}" in logged
    if case.title == "Something went wrong":
        assert f"worker {group!r}" in logged


def worker_groups_in_the_source() -> set[str]:
    """The ``group=`` of every ``@work(...)`` and ``run_worker(...)`` in reader/tui
    (each must name one: a failure is said by its group)."""
    groups = set()
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                bare = [d for d in node.decorator_list if getattr(d, "id", "") == "work"]
                assert not bare, f"{path.relative_to(TUI)}:{node.lineno}: @work without a group"
            if not isinstance(node, ast.Call):
                continue
            called = node.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            if name not in ("work", "run_worker"):
                continue
            (group,) = [k.value for k in node.keywords if k.arg == "group"] or [None]
            where = f"{path.relative_to(TUI)}:{node.lineno}"
            assert isinstance(group, ast.Constant), f"{where}: a worker without a named group"
            groups.add(group.value)
    return groups


def test_every_worker_group_has_a_failure_case() -> None:
    assert worker_groups_in_the_source() == set(CASES)
