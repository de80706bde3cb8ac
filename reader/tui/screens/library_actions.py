"""What the library's list does to the highlighted article: ``N`` marks it read
or unread, ``D`` deletes it to the library's trash once confirmed.

A mixin of :class:`~reader.tui.screens.library.LibraryScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.core.models import ArticleInfo
    from reader.tui.app import ReaderApp


class ArticleActionsMixin:
    app: ReaderApp

    if TYPE_CHECKING:
        # Provided by LibraryScreen. Only for the type checker: at run time a
        # stub here would come before Screen in the MRO and replace it.
        def highlighted_info(self) -> ArticleInfo | None: ...
        def request(self, fresh: bool = False) -> None: ...

    def action_toggle_read(self) -> None:
        """The highlighted article marked read, or unread (N, as in newsboat)."""
        info = self.highlighted_info()
        if info is None:
            return
        read = not info.read
        self.app.write(
            self.app.library.set_read,
            [info.id],
            read,
            done="Marked read" if read else "Marked unread",
            then=lambda: self.request(fresh=True),
        )

    def action_delete(self) -> None:
        """The highlighted article to the trash, with its notes, once confirmed."""
        from reader.core.text import shorten
        from reader.tui.dialogs.annotate import ConfirmDialog

        info = self.highlighted_info()
        if info is None:
            return
        notes = f" and its {info.annotation_count} notes" if info.annotation_count else ""
        question = (
            f"Delete “{shorten(info.title, 60)}”{notes}? "
            "It goes to the library's .trash folder (reader restore brings it back)."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._trash(info.id)

        self.app.push_screen(ConfirmDialog(question), answered)

    def _trash(self, article_id: str) -> None:
        """On the writer thread, after any save still to be made to the article."""
        from reader.core.trash import move_to_trash

        self.app.write(
            move_to_trash,
            self.app.library,
            article_id,
            done=f"Moved to the trash: {article_id} (reader restore brings it back)",
            then=lambda: self.request(fresh=True),
            keep=False,
        )
