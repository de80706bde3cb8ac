"""What the article screen does to annotations: tag, note, delete, undo, redo,
re-attach orphans, and tag or note the whole article.

A mixin of :class:`~reader.tui.screens.article.ArticleScreen`: it keeps the
dialogs and the choice of target here, and the state, with the one history u
and ctrl+r walk, in :class:`~reader.core.editing.AnnotationSet`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from reader.core.anchoring import new_annotation
from reader.core.editing import (
    AnnotationSet,
    ArticleEdit,
    Change,
    CorrectionMade,
    Edit,
    persist_change,
)
from reader.core.models import Annotation, citation, hashtags, utc_now
from reader.core.text import quote_context, sha256, shorten
from reader.tui.dialogs.annotate import WHOLE_ARTICLE, ConfirmDialog, NoteDialog, TagDialog

if TYPE_CHECKING:
    from reader.core.models import Article
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.article_view import ArticleView


class AnnotatingMixin:
    article: Article
    annotations: AnnotationSet
    _told_where = False  # whether a save has said which file it went to
    app: ReaderApp

    if TYPE_CHECKING:

        @property
        def view(self) -> ArticleView: ...

        # Provided by Screen and ArticleScreen. Only for the type checker: at run
        # time a stub here would come before Screen in the MRO and replace it.
        def notify(self, *args, **kwargs): ...  # noqa: ANN002, ANN003, ANN201
        def _refresh_annotations(self) -> None: ...
        def _refresh_header(self) -> None: ...
        def run_worker(self, *args, **kwargs): ...  # noqa: ANN002, ANN003, ANN201

    def _persist(self, change: Change) -> None:
        store = self.app.library.store(self.article.id)
        # Where the notes go, once per article opened; after that a short word.
        done = "Saved" if self._told_where else f"Saved to annotations/{store.path.name}"
        self._told_where = True
        self.app.write(persist_change, store, change, done=done)

    # --- what t / n / x act on ------------------------------------------------------

    def _target(self) -> tuple[Annotation | None, tuple[int, int] | None]:
        """The selection, else the annotation under the cursor, else the word
        under the cursor. Returns (existing annotation, new span)."""
        view = self.view
        selection = view.selection
        if selection:
            start, end = selection
            while start < end and view.text[start].isspace():
                start += 1
            while end > start and view.text[end - 1].isspace():
                end -= 1
            same = next(
                (
                    a
                    for a in self.annotations.items
                    if (a.start, a.end) == (start, end) and a.state != "orphan"
                ),
                None,
            )
            return (same, None) if same else (None, (start, end) if start < end else None)
        under = view.annotations_at(view.cursor)
        if under:
            return min(under, key=lambda a: a.end - a.start), None
        return None, view.word_at(view.cursor)

    def _quote(self, existing: Annotation | None, span: tuple[int, int] | None) -> str:
        return existing.exact if existing else self.article.text[span[0] : span[1]]  # type: ignore[index]

    def action_copy(self) -> None:
        """y: the selection, else the annotation under the cursor, to the clipboard
        as a quote with its source line (OSC 52, so it works over SSH too)."""
        existing, span = self._target()
        if existing is None and (span is None or self.view.selection is None):
            self.notify("Nothing to copy: select a span with v, or go to an annotation.")
            return
        quote = " ".join(self._quote(existing, span).split())
        self.app.copy_to_clipboard(f"“{quote}”\n— {citation(self.article.info)}")
        self.notify(f"Copied “{shorten(quote, 40)}”", timeout=2)

    def action_open_source(self) -> None:
        """o: the article's source in the browser (newsboat's key)."""
        source = self.article.info.source
        if not source.startswith(("http://", "https://")):
            self.notify("This article has no web address to open.", severity="warning")
            return
        import webbrowser

        # In a thread: a browser may take a while to start, or run in the terminal.
        self.run_worker(
            lambda: webbrowser.open(source), thread=True, group="browser", exit_on_error=False
        )
        self.notify(f"Opening {source}", timeout=2)

    def action_tag(self) -> None:
        existing, span = self._target()
        if existing is None and span is None:
            self.notify("Nothing to tag here: select a span with v first.", severity="warning")
            return

        def done(result: tuple[str, ...] | None) -> None:
            if result is not None:
                self._save(existing, span, tags=result)

        tags = existing.tags if existing else ()
        known = self.app.library.catalog.tag_names
        self.app.push_screen(TagDialog(self._quote(existing, span), tags, known), done)

    def action_note(self) -> None:
        existing, span = self._target()
        if existing is None and span is None:
            self.notify("Nothing to note here: select a span with v first.", severity="warning")
            return

        def done(result: str | None) -> None:
            if result is not None:
                self._save(existing, span, note=result)

        note = existing.note if existing else ""
        self.app.push_screen(NoteDialog(self._quote(existing, span), note), done)

    def _save(
        self,
        existing: Annotation | None,
        span: tuple[int, int] | None,
        *,
        tags: tuple[str, ...] | None = None,
        note: str | None = None,
    ) -> None:
        if existing is None:
            assert span is not None
            annotation = new_annotation(self.article.text, *span, tags or (), note or "")
        else:
            changes: dict[str, object] = {"modified": utc_now()}
            if tags is not None:
                changes["tags"] = tags
            if note is not None:
                changes["note"] = note
            annotation = replace(existing, **changes)  # type: ignore[arg-type]
        self.annotations.put(annotation)
        self.view.clear_selection()
        self._refresh_annotations()

    def action_delete(self) -> None:
        under = self.view.annotations_at(self.view.cursor)
        if not under:
            entity = self.view.entity_at(self.view.cursor)
            if entity is not None:
                self.remove_entity(entity)  # type: ignore[attr-defined]
            else:
                self.notify("No annotation or entity under the cursor.", severity="warning")
            return
        annotation = min(under, key=lambda a: a.end - a.start)

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.annotations.remove(annotation)
                self._refresh_annotations()
                self.notify("Deleted. u undoes it.", timeout=3)

        quote = shorten(annotation.exact, 50)
        self.app.push_screen(ConfirmDialog(f"Delete the annotation on “{quote}”?"), done)

    # --- undo and redo ----------------------------------------------------------------

    def action_undo(self) -> None:
        self._show_step(self.annotations.undo(), "Nothing to undo.", "Undone")

    def action_redo(self) -> None:
        self._show_step(self.annotations.redo(), "Nothing to redo.", "Redone")

    def _show_step(self, edit: Edit | None, empty: str, verb: str) -> None:
        """What undo or redo took the article to, shown (and the article's own
        edits written: the AnnotationSet writes only annotations)."""
        if edit is None:
            self.notify(empty, timeout=2)
        elif isinstance(edit, CorrectionMade):
            self.notify(
                "Entity corrections (x, r, M) are not undone by u: correct the entity again. "
                "u again undoes the change before it.",
                title="Not undone",
                severity="warning",
                timeout=6,
            )
        elif isinstance(edit, ArticleEdit):
            self._set_article(*edit.after, edit.before, verb)
        else:
            self._show_change(edit, verb)

    def _set_article(
        self, tags: tuple[str, ...], note: str, was: tuple[tuple[str, ...], str], verb: str
    ) -> None:
        """Undo or redo an ArticleEdit: write back the tags or the note it changed,
        only those (another window may have changed the other since)."""
        self._update_article(
            tags=tags if tags != was[0] else None,
            note=note if note != was[1] else None,
            record=False,
        )
        what = [
            name
            for name, old, new in (("tags", was[0], tags), ("note", was[1], note))
            if old != new
        ]
        shown = hashtags(tags) if "tags" in what else ""
        self.notify(
            f"{verb}: the article's {' and '.join(what) or 'tags'} {shown}".strip(), timeout=3
        )

    def _show_change(self, change: Change, verb: str) -> None:
        self._refresh_annotations()
        moved_to = change.after or change.before
        if moved_to is not None and moved_to.state != "orphan":
            self.view.move_to(moved_to.start)
        # What the user did: undo returns the inverse of it, redo the change itself.
        done = change.inverse if verb == "Undone" else change
        what = "creation" if done.before is None else ("deletion" if done.after is None else "edit")
        changed = change.after or change.before
        quote = shorten(changed.exact, 40) if changed else ""
        self.notify(f"{verb}: {what} of “{quote}”", timeout=2)

    # --- orphans ------------------------------------------------------------------------

    def reattach(self, annotation: Annotation) -> None:
        """Move an orphan (or one that needs review) to the current selection."""
        selection = self.view.selection
        if not selection:
            self.notify(
                "Select the new place first (v and a motion), then re-attach.", severity="warning"
            )
            return
        start, end = selection
        exact, prefix, suffix = quote_context(self.article.text, start, end)
        moved = replace(
            annotation,
            start=start,
            end=end,
            quote=replace(annotation.quote, exact=exact, prefix=prefix, suffix=suffix),
            text_sha256=sha256(self.article.text),
            modified=utc_now(),
            state="anchored",
            score=1.0,
        )
        self.annotations.put(moved)
        self.view.clear_selection()
        self._refresh_annotations()
        self.notify(f"Re-attached to “{shorten(exact, 40)}”", timeout=3)

    # --- the whole article ------------------------------------------------------------

    def action_tag_article(self) -> None:
        def done(result: tuple[str, ...] | None) -> None:
            if result is not None:
                self._update_article(tags=result)

        info = self.article.info
        known = self.app.library.catalog.tag_names
        self.app.push_screen(TagDialog(f"{WHOLE_ARTICLE}{info.title}", info.tags, known), done)

    def action_note_article(self) -> None:
        def done(result: str | None) -> None:
            if result is not None:
                self._update_article(note=result)

        info = self.article.info
        self.app.push_screen(NoteDialog(f"{WHOLE_ARTICLE}{info.title}", info.note), done)

    def _update_article(
        self,
        *,
        tags: tuple[str, ...] | None = None,
        note: str | None = None,
        record: bool = True,
    ) -> None:
        old = self.article.info
        info = replace(
            old, tags=old.tags if tags is None else tags, note=old.note if note is None else note
        )
        if record and (info.tags, info.note) != (old.tags, old.note):
            self.annotations.record(ArticleEdit((old.tags, old.note), (info.tags, info.note)))
        self.article = replace(self.article, info=info)
        store = self.app.library.store(self.article.id)
        self.app.write(store.update_article, info, done="Saved", tags=tags, note=note)
        self._refresh_header()
