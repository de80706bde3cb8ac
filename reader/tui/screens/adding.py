"""Adding articles to the library: ``a`` asks for a file, folder or URL (the
add dialog), and a worker imports it, the progress and then the result shown
on the library screen, which lists the new articles.

A mixin of :class:`~reader.tui.screens.library.LibraryScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from reader.tui.messages import ImportFinished, ImportProgress

if TYPE_CHECKING:
    from reader.tui.app import ReaderApp


class AddingMixin:
    app: ReaderApp

    if TYPE_CHECKING:
        # Provided by Screen and LibraryScreen. Only for the type checker: at run
        # time a stub here would come before Screen in the MRO and replace it.
        def notify(self, *args, **kwargs): ...  # noqa: ANN002, ANN003, ANN201
        def post_message(self, *args, **kwargs): ...  # noqa: ANN002, ANN003, ANN201
        def request(self, fresh: bool = False) -> None: ...
        def _progress(self, done: int | None, total: int = 0) -> None: ...
        def _status(self, text: str) -> None: ...

    def action_add(self) -> None:
        from reader.tui.dialogs.add import AddDialog

        def done(value: str | None) -> None:
            if value:
                self.import_inputs([value])

        self.app.push_screen(AddDialog(), done)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def import_inputs(self, inputs: list[str]) -> None:
        import os

        from reader.core.importers.inputs import count_inputs, read_inputs
        from reader.core.importing import ImportRun

        run = ImportRun(self.app.library)
        inputs = [os.path.expanduser(value) for value in inputs]
        total = count_inputs(inputs)
        for done, imported in enumerate(read_inputs(inputs), 1):
            run.take(imported)
            self.post_message(ImportProgress(done, max(total, done), imported.source))
        run.flush()
        self.post_message(ImportFinished(run.summary(), run.errors))

    def on_import_progress(self, message: ImportProgress) -> None:
        self._progress(message.done, message.total)
        self._status(f"importing {message.current}")

    def on_import_finished(self, message: ImportFinished) -> None:
        self._progress(None)
        for error in message.errors[:5]:
            self.notify(error, severity="error", timeout=10, markup=False)
        if len(message.errors) > 5:
            self.notify(f"… and {len(message.errors) - 5} more failures", severity="error")
        self.notify(
            f"Import: {message.summary}", severity="warning" if message.errors else "information"
        )
        self.request(fresh=True)
        self.app.find_entities_in_background()
