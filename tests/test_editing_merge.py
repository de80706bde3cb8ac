"""Two windows on one article: an edit is written as the fields it changed, over
what the store holds now, so another window's change to the other fields stays;
undoing an edit takes back only what that edit changed; an annotation deleted in
the other window and edited here is saved again, never dropped."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from reader.core.anchoring import new_annotation
from reader.core.editing import Change, persist_change
from reader.core.library import Library
from reader.core.models import ArticleDraft

TEXT = "The council voted on Tuesday to approve a new flood barrier for the harbour."


@pytest.fixture
def store_and_note(tmp_path: Path):
    library = Library(tmp_path / "lib").ensure()
    article_id = library.add(ArticleDraft(text=TEXT, title="Harbour vote")).article_id
    store = library.store(article_id)
    start = TEXT.index("flood barrier")
    note = new_annotation(TEXT, start, start + len("flood barrier"), ("alpha",), "")
    store.save_annotation(note)
    return store, note


def stored(store, annotation_id):
    return next(a for a in store.read().annotations if a.id == annotation_id)


def test_an_edit_keeps_the_other_windows_change_to_another_field(store_and_note) -> None:
    store, note = store_and_note
    # Window A writes a note; window B, which read the annotation before, adds a tag.
    persist_change(store, Change(note, replace(note, note="from A")))
    tagged = replace(note, tags=("alpha", "fromB"))
    persist_change(store, Change(note, tagged))
    assert (stored(store, note.id).tags, stored(store, note.id).note) == (
        ("alpha", "fromB"),
        "from A",
    )
    # B undoes its tag: the tag goes, A's note stays.
    persist_change(store, Change(note, tagged).inverse)
    assert (stored(store, note.id).tags, stored(store, note.id).note) == (("alpha",), "from A")


def test_an_edit_of_an_annotation_deleted_elsewhere_saves_it_again(store_and_note) -> None:
    store, note = store_and_note
    store.delete_annotation(note.id)  # window B deletes it
    persist_change(store, Change(note, replace(note, note="typed in A")))  # A saves a note
    assert stored(store, note.id).note == "typed in A"
