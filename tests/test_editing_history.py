"""The one history of an article's edits (reader.core.editing.AnnotationSet):
annotation changes, the whole article's tags and note, and entity corrections,
undone and redone in the order they were made."""

from __future__ import annotations

from dataclasses import replace

from reader.core.anchoring import new_annotation
from reader.core.editing import AnnotationSet, ArticleEdit, Change, CorrectionMade

TEXT = "Talks resumed in Geneva on Monday. Both sides said progress was slow."


def history() -> tuple[AnnotationSet, list[Change]]:
    persisted: list[Change] = []
    return AnnotationSet([], persisted.append), persisted


def test_undo_takes_back_the_latest_edit_of_any_kind_and_redo_makes_it_again() -> None:
    edits, persisted = history()
    geneva = new_annotation(TEXT, 17, 23, ("place",), "")
    edits.put(geneva)
    article = ArticleEdit(((), ""), (("talks",), ""))
    edits.record(article)
    tagged = replace(geneva, tags=("place", "swiss"))
    edits.put(tagged)

    undone = edits.undo()  # the tag added to the annotation
    assert undone == Change(tagged, geneva)
    assert edits.items == [geneva] and persisted[-1] == Change(tagged, geneva)
    assert edits.undo() == article.inverse  # the article's tags: the caller writes them
    assert len(persisted) == 3  # ... not the AnnotationSet
    assert edits.undo() == Change(geneva, None)  # the creation
    assert edits.items == [] and edits.undo() is None

    assert edits.redo() == Change(None, geneva)
    assert edits.redo() == article
    assert edits.redo() == Change(geneva, tagged)
    assert edits.items == [tagged] and edits.redo() is None
    assert persisted[4:] == [Change(None, geneva), Change(geneva, tagged)]


def test_a_correction_is_said_not_undone_and_the_next_undo_goes_before_it() -> None:
    edits, persisted = history()
    monday = new_annotation(TEXT, 27, 33, (), "when")
    edits.put(monday)
    edits.record(CorrectionMade())
    assert isinstance(edits.undo(), CorrectionMade)
    assert edits.items == [monday] and len(persisted) == 1  # nothing undone
    assert edits.undo() == Change(monday, None)
    assert edits.redo() == Change(None, monday)
    assert edits.redo() is None  # the correction is not in what can be redone


def test_a_new_edit_after_an_undo_forgets_what_was_undone() -> None:
    edits, _ = history()
    geneva = new_annotation(TEXT, 17, 23, (), "")
    edits.put(geneva)
    edits.remove(geneva)
    assert edits.undo() == Change(None, geneva)
    edits.record(ArticleEdit(((), ""), ((), "a note")))
    assert edits.redo() is None
    assert edits.items == [geneva]
