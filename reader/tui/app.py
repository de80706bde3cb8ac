"""The reader app: screens, the entity service, and the serial store writer."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen

from reader.core.config import Config, save_theme
from reader.core.library import Library
from reader.core.store import SAVED_INTO_A_NEW_ONE, StoreCorrupt
from reader.core.text import strip_controls
from reader.tui.bindings import ALL_KEYS, GLOBAL, bindings
from reader.tui.failures import ReportsFailures
from reader.tui.messages import WriteDone
from reader.tui.no_controls import NoControls
from reader.tui.screens.library import LibraryScreen

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.theme import Theme
    from textual.timer import Timer
    from textual.worker import Worker

    from reader.core.entities import EntityService
    from reader.tui.dialogs.export import ExportRequest
    from reader.tui.prefetch import Prefetched
    from reader.tui.screens.article import ArticleScreen


def _preload() -> None:
    """Modules the article screen needs, imported ahead of the first opening."""
    import regex  # the cursor's characters (reader.core.text.cluster_at)

    import reader.tui.screens.article  # noqa: F401

    regex.compile(r"\X")


RETRY_SECONDS = 5.0  # how often writes that failed are tried again
UNSAVED_TIMEOUT = 24 * 3600  # "Not saved" stays up until what it says is saved


@dataclass
class _Write:
    """A write to make on the writer thread, kept to be tried again if it fails."""

    action: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    done: str
    then: Callable[[], Any] | None
    keep: bool
    set_aside: list[str] = field(default_factory=list)  # stores set aside on the way


class _HeldBack(Exception):
    """Not tried: an earlier write failed and is kept; this one waits behind it."""

    def __init__(self, count: int) -> None:
        super().__init__(f"waiting behind {count - 1} earlier change(s) that could not be saved")


class ReaderApp(ReportsFailures, App[None]):
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
        # One writer thread: saves are durable (fsync) and so slow-ish, they must
        # stay off the UI thread, and they must land in the order they were made.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        self._pending: set[Future[Any]] = set()
        self._model_started = False
        self._article_screen: ArticleScreen | None = None
        self.prefetched: Prefetched | None = None  # the highlighted article, read ahead
        self.positions_saved: dict[str, int] = {}  # reading positions saved in this run
        self._failures_told: set[tuple[str, str, str]] = set()  # workers' failures said
        # Writes that failed and every one made after them, in order (the writer
        # thread's): tried again until they are made (see write).
        self._held: list[_Write] = []
        self._last_failure = ""
        self._retrying: Timer | None = None

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

    def open_article(self, article_id: str, offset: int | None = None, search: str = "") -> None:
        """Show an article (see ArticleScreen: the screen is made once, then kept)."""
        from reader.tui.screens.article import ArticleScreen

        screen = self._article_screen
        if screen is None:
            screen = self._article_screen = ArticleScreen(article_id, offset, search)
            self.install_screen(screen, name="article")
        else:
            screen.open(article_id, offset, search)
        self.push_screen("article")
        self.mark_read(article_id)

    def open_next_article(self, article_id: str, step: int) -> bool:
        """Show, in the article screen, the article ``step`` rows from this one in
        the library's list as filtered (J and K); False at either end."""
        library = self.screen_stack[0]  # the first screen, under every other
        screen = self._article_screen
        if not isinstance(library, LibraryScreen) or screen is None:
            return False
        target = library.neighbour(article_id, step)
        if target is None:
            return False
        screen.open(target, None, library.text_search())
        self.mark_read(target)
        return True

    def mark_read(self, article_id: str) -> None:
        """Opening an article marks it read (written only if it was not)."""
        self.write(self.library.set_read, [article_id], True, keep=False)

    def prefetch_article(self, article_id: str) -> None:
        """Read the article ahead (it is highlighted: it may be opened next)."""
        from reader.tui.widgets.article_view import ArticleView

        # The width of the article screen's view, once it has one (the screen is
        # made before it is first shown); a layout of another width is not used.
        screen = self._article_screen
        views = list(screen.query(ArticleView)) if screen is not None else []
        width = views[0].text_layout.width if views else self.config.reading_width
        self._prefetch(article_id, width)

    @work(thread=True, exclusive=True, group="prefetch", exit_on_error=False)
    def _prefetch(self, article_id: str, width: int) -> None:
        from reader.tui.prefetch import prefetch

        try:
            self.prefetched = prefetch(self.library, article_id, width)
        except OSError:
            self.prefetched = None

    def take_prefetched(self, article_id: str) -> Prefetched | None:
        """The article read ahead, if it is that one as its files are now."""
        from reader.tui.prefetch import still_current

        prefetched, self.prefetched = self.prefetched, None
        return prefetched if still_current(self.library, prefetched, article_id) else None

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

    def write(
        self,
        action: Callable[..., Any],
        *args: Any,
        done: str = "",
        then: Callable[[], Any] | None = None,
        keep: bool = True,
        **kwargs: Any,
    ) -> Future[Any]:
        """Run a store write on the writer thread; report failure, never drop it silently.

        A write that fails (a full disk, a library that cannot be written) is kept,
        with every write made after it (in order: never one before another), and
        tried again every RETRY_SECONDS and before quitting, which asks first while
        any is kept. ``keep=False``: a write not kept to try again (the reading
        position, quietly; with ``done``, its failure said once).

        The outcome comes back to the UI thread as a message: the writer never
        waits for the UI (which may itself be waiting for the writer, on quit)."""
        job = _Write(action, args, kwargs, done, then, keep)

        def attempt() -> Any:
            if keep and self._held:  # behind one that failed: kept, in order
                self._held.append(job)
                raise _HeldBack(len(self._held))
            try:
                return self._attempt(job)
            except Exception as error:
                if keep:
                    self._held.append(job)
                    self._last_failure = str(error)
                raise

        def finish(future: Future[Any]) -> None:
            self._pending.discard(future)
            error = future.exception()
            error_text = str(error) if error else ""
            self.post_message(
                WriteDone(done, error_text, then, job.set_aside, unsaved=len(self._held), kept=keep)
            )

        future = self._writer.submit(attempt)
        self._pending.add(future)
        future.add_done_callback(finish)
        return future

    def _attempt(self, job: _Write) -> Any:
        """Make one write (on the writer thread)."""
        try:
            result = job.action(*job.args, **job.kwargs)
        except StoreCorrupt as error:  # a store made without the library's recovery
            job.set_aside.append(f"{error}; saved into a new one")
            self.library.recover_metadata(error.path.stem)
            result = job.action(*job.args, **job.kwargs)
        # The write found the store unreadable, set it aside and wrote into a new
        # one with the metadata the index had (see ArticleStore): said by this write.
        problems = self.library.problems
        for problem in [p for p in problems if p.endswith(SAVED_INTO_A_NEW_ONE)]:
            with contextlib.suppress(ValueError):  # (taken by the UI meanwhile)
                problems.remove(problem)
                job.set_aside.append(problem)
        return result

    def _try_kept_writes(self) -> None:
        """The writes kept after a failure, again, in order, up to the first that
        fails again (on the writer thread)."""
        while self._held:
            job = self._held[0]
            try:
                self._attempt(job)
            except Exception as error:
                self._last_failure = str(error)
                return
            self._held.pop(0)
            unsaved = len(self._held)
            self.post_message(
                WriteDone(job.done, "", job.then, job.set_aside, unsaved=unsaved, retried=True)
            )

    def retry_writes(self) -> Future[Any]:
        """Try the kept writes again now (the outcome comes as WriteDone messages)."""
        return self._writer.submit(self._try_kept_writes)

    @property
    def unsaved(self) -> int:
        """How many writes failed and are kept to be tried again."""
        return len(self._held)

    def on_write_done(self, message: WriteDone) -> None:
        for problem in message.problems:
            self.notify(
                problem,
                title="Unreadable store",
                severity="error",
                timeout=15,
            )
        if message.error:
            if message.kept and self._retrying is None:  # the first to fail: said once
                self._retrying = self.set_interval(RETRY_SECONDS, self.retry_writes)
                self.notify(
                    f"Not saved: {message.error}. Kept, and tried again every "
                    f"{RETRY_SECONDS:.0f} s; quitting asks first.",
                    title="Save failed",
                    severity="error",
                    timeout=UNSAVED_TIMEOUT,
                )
            elif not message.kept and message.done:  # not kept (a move): said once
                self.notify(f"Failed: {message.error}", severity="error", timeout=10)
            # (Not kept, not the reader's writing, e.g. the reading position: quiet.)
            return
        if message.retried and not message.unsaved:  # every kept write made at last
            if self._retrying is not None:
                self._retrying.stop()
                self._retrying = None
            self.clear_notifications()  # (the "Not saved" that stayed up)
            self.notify("Saved what had not been saved.", timeout=5)
        elif message.done and not message.retried:
            self.notify(message.done, timeout=2)
        if message.then is not None:
            message.then()

    def after_writes(self, callback: Callable[[], Any]) -> None:
        """Call back on the UI thread once every write submitted so far is done."""
        future = self._writer.submit(lambda: None)
        future.add_done_callback(lambda _: self.post_message(WriteDone("", "", callback)))

    async def action_quit(self) -> None:
        """Quit; while writes that failed are kept, try them once more, then ask."""
        if not self._held:
            self.exit()
            return
        await asyncio.wrap_future(self.retry_writes())
        if not self._held:
            self.exit()
            return
        from reader.tui.dialogs.annotate import ConfirmDialog

        count = len(self._held)
        question = (
            f"{count} change{'' if count == 1 else 's'} could not be saved "
            f"({self._last_failure}). Quit anyway and lose "
            f"{'it' if count == 1 else 'them'}?"
        )
        self.push_screen(ConfirmDialog(question), lambda quit_: self.exit() if quit_ else None)

    def writes_pending(self) -> int:
        """Writes not yet made: on their way, or kept after a failure."""
        return len(self._pending) + len(self._held)

    def flush_writes(self) -> None:
        """Block until every write submitted so far is on disk."""
        self._writer.submit(lambda: None).result()

    def on_unmount(self) -> None:
        self._writer.shutdown(wait=True)
        if self._entities is not None:
            self._entities.close()

    def export_notes(self, query: str = "") -> None:
        """The export dialog, then the export in a worker."""
        from reader.tui.dialogs.export import ExportDialog

        def done(request: ExportRequest | None) -> None:
            if request is not None:
                self._export(request)

        folder = str(self.config.export_folder or self.library.root / "exports")
        self.push_screen(ExportDialog(query, folder), done)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, request: ExportRequest) -> None:
        from reader.core.recogniser import ModelUnavailable
        from reader.core.export import ExportError
        from reader.core.export.run import run_export

        output = request.output
        try:
            # The dialog offers a folder of the library: make it (the CLI does not).
            Path(output).expanduser().parent.mkdir(parents=True, exist_ok=True)
            result = run_export(
                self.library,
                request.fmt,
                request.query,
                output=output,
            )
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
        screen = self.screen
        query = ""
        if hasattr(screen, "article"):
            query = f"article:{screen.article.id}"
        elif hasattr(screen, "current_query"):
            query = screen.current_query()
        self.export_notes(query)

    def action_help(self) -> None:
        from reader.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_rules(self) -> None:
        """The library's entity rules; the article shown finds its entities again
        when one was removed or put back."""
        from reader.tui.screens.rules import RulesScreen

        def closed(changed: bool | None) -> None:
            article = self._article_screen
            if changed and article is not None and article.is_current:
                self.after_writes(article.find_entities)

        self.push_screen(RulesScreen(), closed)

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
