"""The reader app: screens, the entity service, and the serial store writer."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.screen import Screen

from reader.core.config import Config, save_theme
from reader.core.library import Library
from reader.core.text import strip_controls
from reader.tui.bindings import ALL_KEYS, GLOBAL, bindings
from reader.tui.failures import ReportsFailures
from reader.tui.navigation import Navigation
from reader.tui.no_controls import NoControls
from reader.tui.screens.library import LibraryScreen
from reader.tui.writer import StoreWriter

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.theme import Theme
    from textual.worker import Worker

    from reader.core.entities import EntityService
    from reader.tui.dialogs.export import ExportRequest
    from reader.tui.loading import LoadedArticle
    from reader.tui.screens.article import ArticleScreen


def _preload() -> None:
    """Modules the article screen needs, imported ahead of the first opening."""
    import regex  # the cursor's characters (reader.core.text.cluster_at)

    import reader.tui.screens.article  # noqa: F401

    regex.compile(r"\X")


HOLD_KEYS_AT_MOST = 2.0  # seconds: keys held while a dialog closes are let go after this


class ReaderApp(ReportsFailures, Navigation, StoreWriter, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "reader"
    BINDINGS = bindings(GLOBAL)

    def __init__(
        self,
        library: Library,
        entities: EntityService | None = None,
        config: Config | None = None,
        config_path: Path | None = None,
        config_problems: list[str] | None = None,
    ) -> None:
        super().__init__()
        self._filters.append(NoControls())  # no escape sequence reaches the terminal
        self.library = library
        # The user's settings (reader.core.config); the file, when they came from
        # one: a theme chosen in the palette is saved there (never in tests).
        self.config = config or Config()
        self._config_path = config_path
        self._config_problems = list(config_problems or [])
        self._apply_config()
        # (article id, reason) of "entities unavailable" already shown in this run.
        self.told_unavailable: set[tuple[str, str]] = set()
        self._entities = entities
        self.start_writer()
        self._model_started = False
        self._article_screen: ArticleScreen | None = None
        self.prefetched: LoadedArticle | None = None  # the highlighted article, read ahead
        self._opening = 0  # see Navigation
        self._held_keys: list[events.Key] | None = None  # see hold_keys
        self.positions_saved: dict[str, int] = {}  # reading positions saved in this run
        self._failures_told: set[tuple[str, str, str]] = set()  # workers' failures said

    @property
    def entities(self) -> EntityService:
        """The entity service, made when first asked for (its module is not
        needed for the library's first screen)."""
        if self._entities is None:
            from reader.core.entities import EntityService

            self._entities = EntityService(rules=self.library.rule_store(), isolated=True)
        return self._entities

    def get_default_screen(self) -> Screen[Any]:
        # The library is the first screen itself (not pushed over an empty one,
        # which would be laid out and drawn first).
        return LibraryScreen()

    def _apply_config(self) -> None:
        config = self.config
        if config.theme is not None:
            if config.theme in self.available_themes:
                self.theme = config.theme
            else:
                self._config_problems.append(
                    f"theme {config.theme!r} is not one of reader's themes; the default is used"
                )
        if config.keys:
            known = {key.id for key in ALL_KEYS}
            unknown = sorted(set(config.keys) - known)
            if unknown:
                self._config_problems.append(
                    f"[keys]: no binding {', '.join(unknown)} (the help screen, ?, shows them)"
                )
            self.set_keymap({k: v for k, v in config.keys.items() if k in known})

    def on_mount(self) -> None:
        self.call_after_refresh(self._collect_later)
        for problem in self._config_problems:
            self.notify(problem, title="Settings", severity="warning", timeout=10)
        self.theme_changed_signal.subscribe(self, self._keep_theme)

    def _keep_theme(self, theme: Theme) -> None:
        """A theme chosen in the app is kept in the settings file (when there is one
        to keep it in: the app started by ``reader``, not a test)."""
        if self._config_path is None or theme.name == self.config.theme:
            return
        path, name = self._config_path, theme.name
        self.config = replace(self.config, theme=name)

        def save() -> None:
            with contextlib.suppress(OSError):  # settings, not notes: a read-only home is fine
                save_theme(name, path)

        self.run_worker(save, thread=True, group="settings", exit_on_error=False)

    def _collect_later(self) -> None:
        # Everything loaded so far lives as long as the app: out of the collector's
        # sight, a full collection walks only what screens create later. (The
        # launcher turned the collector off while the app loaded.)
        gc.freeze()
        gc.enable()
        # What the first article opened needs, loaded while the library is read.
        self.run_worker(_preload, thread=True, group="preload", exit_on_error=False)

    # --- keys typed while a dialog closes ------------------------------------------------

    def hold_keys(self) -> None:
        """Hold the keys that come from now on, until :meth:`release_keys`. A
        dialog that closes on a key (ctrl+s, enter) waits for its field to take
        the keys typed before that one; the keys typed after it, in the same write
        (over SSH, from a text expander), are the next screen's, not the field's."""
        if self._held_keys is None:
            self._held_keys = []
            self.set_timer(HOLD_KEYS_AT_MOST, self.release_keys)  # whatever happens

    def release_keys(self) -> None:
        """The keys held, in the order they came, to the screen shown now."""
        held, self._held_keys = self._held_keys, None
        for key in held or ():
            self.post_message(events.Key(key.key, key.character))

    async def on_event(self, event: events.Event) -> None:
        # A key from the terminal (one come back up from a widget was taken before).
        held = self._held_keys
        if held is not None and isinstance(event, events.Key) and not event.is_forwarded:
            held.append(event)
            return
        await super().on_event(event)

    def worker_failed(self, worker: Worker) -> None:
        """A worker ended in an error reader did not expect: said, and its
        traceback logged (see reader.tui.failures)."""
        from reader.core.errorlog import record

        error = worker.error
        assert error is not None
        doing = worker.group if worker.group != "default" else worker.name
        failure = (doing, type(error).__name__, str(error))
        if failure in self._failures_told:  # the same again (at each key): said once
            return
        self._failures_told.add(failure)
        path = record(f"worker {doing!r}", error)
        self.notify(
            f"{type(error).__name__}: {error} (while: {doing}). This is a bug in reader: "
            f"the details are in {path}",
            title="Something went wrong",
            severity="error",
            timeout=20,
        )

    def mark_read(self, article_id: str) -> None:
        """Opening an article marks it read (written only if it was not)."""
        self.write(self.library.set_read, [article_id], True, keep=False)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast whose message is shown as written, never parsed as markup: reader's
        messages quote articles, stores, file names and errors (``[/bold]`` in a quote
        would crash the app, ``[@click=app.quit]`` would make a link). Every screen's
        and widget's ``notify`` comes here."""
        super().notify(
            strip_controls(message),
            title=strip_controls(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def warm_model(self) -> None:
        """Start the model's process and load the model, in a worker, the first time
        an article is opened (not at launch: the library needs no model), so that
        an article without cached entities gets them quickly."""
        if not self._model_started:
            self._model_started = True
            self.run_worker(self._load_model, thread=True, group="model", exit_on_error=False)

    def _load_model(self) -> None:
        from reader.core.recogniser import ModelUnavailable

        # The article screen says so when it needs entities.
        with contextlib.suppress(ModelUnavailable):
            self.entities.load()

    def find_entities_in_background(self) -> None:
        """Start the background recogniser for articles waiting for entities (a
        process of its own, at the lowest priority; see reader.core.entity_queue)."""
        from reader.core import entity_queue

        self.run_worker(
            lambda: entity_queue.start(self.library),
            thread=True,
            group="entity-queue",
            exit_on_error=False,
        )

    def on_unmount(self) -> None:
        self.stop_writer()
        if self._entities is not None:
            self._entities.close()

    def export_notes(self, query: str = "", *, listed: bool = False) -> None:
        """The export dialog, then the export in a worker; ``listed``: of every
        note of the articles the query lists (from the library's list, what it
        shows), else of the notes it matches."""
        from reader.tui.dialogs.export import ExportDialog

        def done(request: ExportRequest | None) -> None:
            if request is not None:
                self._export(request)

        folder = str(self.config.export_folder or self.library.root / "exports")
        self.push_screen(ExportDialog(query, folder, listed=listed), done)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, request: ExportRequest) -> None:
        from reader.core.export import ExportError
        from reader.core.export.run import FilesKept, run_export
        from reader.core.recogniser import ModelUnavailable

        output = request.output
        try:
            # The dialog offers a folder of the library: make it (the CLI does not).
            Path(output).expanduser().parent.mkdir(parents=True, exist_ok=True)
            result = run_export(
                self.library, request.fmt, request.query, output=output, listed=request.listed
            )
        except FilesKept as error:  # the others were written
            self.call_from_thread(
                self.notify, str(error), title="Exported, some files kept", severity="warning"
            )
            return
        except (ExportError, ModelUnavailable, OSError) as error:
            self.call_from_thread(
                self.notify, str(error), title="Export failed", severity="error", timeout=15
            )
            return
        where = result.written[0] if len(result.written) == 1 else request.output
        self.call_from_thread(
            self.notify,
            f"{result.articles} article(s), {len(result.written)} file(s): {where}",
            title="Exported",
            timeout=8,
        )

    def action_export(self) -> None:
        """The export dialog for what the screen shows: the article; the articles
        the library lists (with all their notes); the notes the Notes screen lists."""
        screen = self.screen
        query = ""
        if hasattr(screen, "article"):
            query = f"article:{screen.article.id}"
        elif hasattr(screen, "current_query"):
            query = screen.current_query()
        self.export_notes(query, listed=isinstance(screen, LibraryScreen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own "Keys" (its key panel) would sit beside reader's, which
        # lists reader's keys with what they do: keep the one.
        yield from (c for c in super().get_system_commands(screen) if c.title != "Keys")
        yield SystemCommand("Keys", "Show every key of reader", self.action_help)
        yield SystemCommand(
            "Export notes",
            "Markdown, W3C, Readwise CSV, JSONL, brat or HTML",
            self.action_export,
        )
        yield SystemCommand(
            "Entity rules",
            "The corrections made for every article: list them, remove one (R)",
            self.action_rules,
        )
        if isinstance(screen, LibraryScreen):
            yield SystemCommand(
                "Add articles",
                "Import a file, folder or URL into the library",
                screen.action_add,
            )
            yield SystemCommand(
                "Mark read or unread (N)",
                "The highlighted article; the list's ● marks those not read",
                screen.action_toggle_read,
            )
            yield SystemCommand(
                "Delete the article (D)",
                "The highlighted article, with its notes, to the library's .trash folder",
                screen.action_delete,
            )
        article = self._article_screen
        if article is not None and screen is article:
            yield SystemCommand(
                "Mark this article unread",
                "As if never opened (the library's N marks read and unread)",
                lambda: self.write(
                    self.library.set_read, [article.article.id], False, done="Marked unread"
                ),
            )


def run(library: Library) -> int:
    """Run the app on ``library`` with the user's settings; its exit status:
    non-zero after a crash (Textual prints the traceback and returns rather than
    raising)."""
    from reader.core.config import config_path, load_config

    path = config_path()
    config, problems = load_config(path)
    app = ReaderApp(library, config=config, config_path=path, config_problems=problems)
    app.run()
    return app.return_code or 0
