"""The app's store writer: one thread makes every write, in the order asked.

Saves are durable (fsync) and so slow-ish: they stay off the UI thread, and
they land in the order they were made. A write that fails is kept and tried
again, never dropped silently (see :meth:`StoreWriter.write`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reader.core.library import Library
from reader.core.store import SAVED_INTO_A_NEW_ONE, StoreCorrupt
from reader.tui.messages import WriteDone

if TYPE_CHECKING:
    from textual.timer import Timer

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


class StoreWriter:
    """The writer thread and the writes kept after a failure (a mixin of ReaderApp)."""

    library: Library
    # Provided by the App.
    post_message: Any
    notify: Any
    set_interval: Any
    clear_notifications: Any
    push_screen: Any
    exit: Any

    def start_writer(self) -> None:
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        self._pending: set[Future[Any]] = set()
        # Writes that failed and every one made after them, in order (the writer
        # thread's): tried again until they are made (see write).
        self._held: list[_Write] = []
        self._last_failure = ""
        self._retrying: Timer | None = None

    def stop_writer(self) -> None:
        """Make the writes submitted, then end the thread."""
        self._writer.shutdown(wait=True)

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
