"""Editing an article's annotations, with undo and redo.

Every change (create, edit, delete, re-attach) is a :class:`Change` of one
annotation from ``before`` to ``after`` (``None`` when absent). Undo applies
the inverse change; both are persisted like any other change, through the
``persist`` callable (the app runs it on its writer thread).
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
    """An article's annotations in text order, an undo and a redo stack."""

    def __init__(self, annotations: list[Annotation], persist: Callable[[Change], None]) -> None:
        self.items: list[Annotation] = []
        self.replace_all(annotations)
        self._persist = persist
        self._undo: list[Change] = []
        self._redo: list[Change] = []

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

    def _do(self, change: Change) -> Change:
        self._apply(change)
        self._undo.append(change)
        self._redo.clear()
        return change

    def put(self, annotation: Annotation) -> Change:
        """Create the annotation, or replace the one with its id."""
        return self._do(Change(self.by_id(annotation.id), annotation))

    def remove(self, annotation: Annotation) -> Change:
        return self._do(Change(self.by_id(annotation.id), None))

    def undo(self) -> Change | None:
        if not self._undo:
            return None
        change = self._undo.pop()
        self._apply(change.inverse)
        self._redo.append(change)
        return change.inverse

    def redo(self) -> Change | None:
        if not self._redo:
            return None
        change = self._redo.pop()
        self._apply(change)
        self._undo.append(change)
        return change
