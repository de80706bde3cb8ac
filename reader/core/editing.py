"""Editing an article's annotations, with one history for undo and redo.

Every change to an annotation (create, edit, delete, re-attach) is a
:class:`Change` of one annotation from ``before`` to ``after`` (``None`` when
absent); a change of the whole article's tags or note is an
:class:`ArticleEdit`; an entity correction is a :class:`CorrectionMade`, kept in
the history only so that undo says it is not undone (a correction is undone by
correcting again). :class:`AnnotationSet` keeps the annotations and the history
of all three, in the order they were made: undo always takes back the latest.
Annotation changes, and their undoing, are persisted through the ``persist``
callable (the app runs it on its writer thread); the article's own edits are
the caller's to write, since they go to another part of the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reader.core.models import Annotation
from reader.core.store import ArticleStore


@dataclass(frozen=True)
class Change:
    before: Annotation | None
    after: Annotation | None

    @property
    def inverse(self) -> Change:
        return Change(self.after, self.before)


@dataclass(frozen=True)
class ArticleEdit:
    """The whole article's tags and note, before and after."""

    before: tuple[tuple[str, ...], str]
    after: tuple[tuple[str, ...], str]

    @property
    def inverse(self) -> ArticleEdit:
        return ArticleEdit(self.after, self.before)


@dataclass(frozen=True)
class CorrectionMade:
    """An entity corrected (in the history: undo says it is not undone)."""


Edit = Change | ArticleEdit | CorrectionMade


# What an edit can change on an annotation: the reader's tags and note, and its
# place (re-attaching an orphan). The rest is its identity.
EDITED_FIELDS = ("tags", "note", "modified", "start", "end", "quote", "text_sha256")


def persist_change(store: ArticleStore, change: Change) -> None:
    """Write one change to the article's store: a new annotation whole, a deletion
    by id, and an edit (or the undoing of one) as the fields it changed only, over
    what the store holds now, so that another window's change to the others stays."""
    before, after = change.before, change.after
    if after is None:
        if before is not None:
            store.delete_annotation(before.id)
    elif before is None:
        store.save_annotation(after)
    else:
        changed = {
            name: getattr(after, name)
            for name in EDITED_FIELDS
            if getattr(after, name) != getattr(before, name)
        }
        store.update_annotation(after, changed)


class AnnotationSet:
    """An article's annotations in text order, and the history of the edits made
    to the article: undo and redo walk it."""

    def __init__(self, annotations: list[Annotation], persist: Callable[[Change], None]) -> None:
        self.items: list[Annotation] = []
        self.replace_all(annotations)
        self._persist = persist
        self._done: list[Edit] = []
        self._undone: list[Edit] = []

    def replace_all(self, annotations: list[Annotation]) -> None:
        """Take the annotations as read from the store (another process wrote)."""
        self.items = sorted(annotations, key=lambda a: (a.start, a.end, a.created))

    def by_id(self, annotation_id: str | None) -> Annotation | None:
        return next((a for a in self.items if a.id == annotation_id), None)

    def _apply(self, change: Change) -> None:
        gone = (change.before or change.after).id  # type: ignore[union-attr]
        items = [a for a in self.items if a.id != gone]
        if change.after is not None:
            items.append(change.after)
        self.replace_all(items)
        self._persist(change)

    def record(self, edit: Edit) -> None:
        """An edit made (an article's, a correction; an annotation's is recorded
        by put and remove): redo forgets what was undone."""
        self._done.append(edit)
        self._undone.clear()

    def put(self, annotation: Annotation) -> Change:
        """Create the annotation, or replace the one with its id."""
        change = Change(self.by_id(annotation.id), annotation)
        self._apply(change)
        self.record(change)
        return change

    def remove(self, annotation: Annotation) -> Change:
        change = Change(self.by_id(annotation.id), None)
        self._apply(change)
        self.record(change)
        return change

    def undo(self) -> Edit | None:
        """Take back the latest edit: what it takes to (an annotation change is
        made and persisted here, an article edit is the caller's to write); a
        correction comes back as it is, and leaves the history (it is not undone,
        and the next undo goes on to the edit before it). None: nothing to undo."""
        if not self._done:
            return None
        edit = self._done.pop()
        if isinstance(edit, CorrectionMade):
            return edit
        self._undone.append(edit)
        if isinstance(edit, Change):
            self._apply(edit.inverse)
        return edit.inverse

    def redo(self) -> Edit | None:
        """Make again the latest edit undone (as :meth:`undo` does). None: nothing."""
        if not self._undone:
            return None
        edit = self._undone.pop()
        self._done.append(edit)
        if isinstance(edit, Change):
            self._apply(edit)
        return edit
