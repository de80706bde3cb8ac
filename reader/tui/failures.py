"""Every worker's failure shown: a worker that ends in an error (one reader did
not catch: a bug) is said in a notification and its traceback written to the
log (reader.core.errorlog), never left to vanish with the thread.

Textual posts a worker's state changes to the node that started it only (they
do not bubble), so the app and each screen running workers take this mixin,
which hands the failure to the one handler, ``ReaderApp.worker_failed``; a
screen may also put right what the worker left undone (``worker_failed_here``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from reader.tui.app import ReaderApp


class ReportsFailures:
    app: Any

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return
        app: ReaderApp = self.app
        app.worker_failed(event.worker)
        self.worker_failed_here(event.worker)

    def worker_failed_here(self, worker: Worker) -> None:
        """What this screen puts right after its worker failed (nothing by default)."""
