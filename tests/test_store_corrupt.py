"""A store file that cannot be read, and one from a newer schema, in a real
library: the CLI and the app still list the article and say, in one line,
which file it was and where it went; the bytes are never lost or rewritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hand_edits import replace_by_hand

from reader.core.anchoring import new_annotation
from reader.core.entities import EntityService
from reader.core.library import LIBRARY_ENV, Library
from reader.core.models import ArticleDraft
from reader.core.store import StoreTooNew

TEXT = (
    "Earlier on Saturday, Turkey's President Recep Tayyip Erdogan threatened reprisals "
    "against the Syrian government forces."
)
QUOTE = "Recep Tayyip Erdogan"
TITLE = "Erdogan threatens reprisals"
# Not JSON, not UTF-8, with a NUL and a truncated object: what a torn disk write looks like.
GARBAGE = b'\x00\xff\xfe{"meta": {"1": {"schema": 1, "art\x00\x00\x9c\x8b garbage \xe2\x82'
TOO_NEW = (
    b'{\n  "meta": {"1": {"schema": 99, "article": {"id": "ID", "title": "From the future",'
    b' "shape": {"new": true}}}},\n  "annotations": {"1": {"id": "x", "whatever": [1, 2]}}\n}\n'
)


def run(library: Library, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def article(tmp_path: Path) -> tuple[Library, str]:
    """A library with one article that has an annotation."""
    library = Library(tmp_path / "lib").ensure()
    (result,) = library.add_many([ArticleDraft(text=TEXT, title=TITLE, date="2019-10-12")])
    start = TEXT.index(QUOTE)
    library.store(result.article_id).save_annotation(
        new_annotation(TEXT, start, start + len(QUOTE), ("leader",), "a note")
    )
    library.list_articles()  # an index exists, as it would in use
    return library, result.article_id


@pytest.fixture
def corrupt(article: tuple[Library, str]) -> tuple[Library, str]:
    library, article_id = article
    replace_by_hand(library.store(article_id).path, GARBAGE)
    return library, article_id


def _set_aside(library: Library, article_id: str) -> list[Path]:
    return sorted(library.annotations_dir.glob(f"{article_id}.json.corrupt-*"))


# --- (a) the CLI ------------------------------------------------------------------------


def test_list_reports_an_unreadable_store_in_one_line_and_leaves_it(corrupt) -> None:
    """A read never sets a store aside (another program may be writing it in
    place): the article is listed with the metadata the index had, the file is
    named in one line and left as it is."""
    library, article_id = corrupt
    result = run(library, "list")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.split("\t")[0] == article_id  # still listed
    assert line.split("\t")[-1] == TITLE  # with its title, from the index it had
    (problem,) = result.stderr.splitlines()
    assert f"{article_id}.json" in problem and "left as it is" in problem
    assert problem.startswith("reader: ")
    assert "Traceback" not in result.stderr
    assert library.store(article_id).path.read_bytes() == GARBAGE
    assert _set_aside(library, article_id) == []


def test_a_write_sets_the_unreadable_store_aside_and_keeps_the_note(corrupt) -> None:
    """The first write to it moves it aside (its bytes kept) and writes into a
    new store holding the metadata the index had: the note typed is not lost."""
    library, article_id = corrupt
    result = run(library, "annotate", article_id, "--quote", QUOTE, "--note", "kept")
    assert result.returncode == 0, result.stderr
    (moved,) = _set_aside(library, article_id)
    assert any(moved.name in line for line in result.stderr.splitlines()), result.stderr
    assert moved.read_bytes() == GARBAGE
    recovered = json.loads(library.store(article_id).path.read_bytes())
    assert recovered["meta"]["1"]["article"]["title"] == TITLE
    assert [a["note"] for a in recovered["annotations"].values()] == ["kept"]

    # Listed again: nothing more to report, nothing moved again.
    again = run(library, "list", "--json")
    assert again.returncode == 0 and again.stderr == ""
    assert article_id in again.stdout
    assert _set_aside(library, article_id) == [moved]


def test_doctor_reports_the_unreadable_store_and_exits_1(corrupt) -> None:
    """doctor is the first command run on the damaged library: it says which file,
    and leaves it for the reader to look at."""
    library, article_id = corrupt
    result = run(library, "doctor")
    assert result.returncode == 1
    assert any(
        f"{article_id}.json" in line and "could not be read" in line
        for line in result.stdout.splitlines()
    ), result.stdout
    assert library.store(article_id).path.read_bytes() == GARBAGE
    assert _set_aside(library, article_id) == []


def test_doctor_lists_a_store_set_aside_by_a_write(corrupt) -> None:
    library, article_id = corrupt
    assert run(library, "annotate", article_id, "--quote", QUOTE).returncode == 0
    (moved,) = _set_aside(library, article_id)
    result = run(library, "doctor")
    assert result.returncode == 1
    assert f"unreadable store set aside: {moved}" in result.stdout.splitlines()
    assert moved.read_bytes() == GARBAGE


@pytest.mark.parametrize(
    "content",
    [
        b'{"meta": {"1": {"schema": -1}}}',
        b'{"meta": {"1": {"schema": 1}}, "annotations": {"abc": {"id": "x"}}}',
        b'{"meta": {"first": {"schema": 1}}}',
    ],
    ids=["schema-negative", "annotation-key-not-a-number", "meta-key-not-a-number"],
)
def test_list_survives_valid_json_of_the_wrong_shape(article, content) -> None:
    """A hand edit gone wrong must be reported like garbage bytes, not crash
    ``reader list`` (and with it the app's library screen)."""
    library, article_id = article
    path = library.store(article_id).path
    replace_by_hand(path, content)
    result = run(library, "list")
    assert "Traceback" not in result.stderr, result.stderr.splitlines()[-1]
    assert result.returncode == 0
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [article_id]
    (problem,) = result.stderr.splitlines()
    assert f"{article_id}.json" in problem
    # The bytes are kept: set aside (a new store then holds the metadata), or left.
    kept = _set_aside(library, article_id) or [path]
    assert [p.read_bytes() for p in kept] == [content]


def _edit_store(path: Path, edit) -> bytes:  # noqa: ANN001
    import json

    data = json.loads(path.read_bytes())
    edit(data)
    content = json.dumps(data).encode()
    replace_by_hand(path, content)
    return content


def _set(*keys: str, value: object):  # noqa: ANN202
    """An edit that sets data[k1][k2]...[kn] = value ("*" is the one annotation)."""

    def edit(data: dict) -> None:
        for key in keys[:-1]:
            data = next(iter(data.values())) if key == "*" else data[key]
        data[keys[-1]] = value

    return edit


def _set_start(data: dict) -> None:
    (record,) = data["annotations"].values()
    record["target"]["selector"][0]["start"] = "x"


@pytest.mark.parametrize(
    "edit, shown",
    [
        (_set("meta", "1", "article", "date", value=2023), 1),
        (_set("meta", "1", "article", "title", value=["x"]), 1),
        (_set("meta", "1", "article", "tags", value=[7]), 1),
        (_set("annotations", "*", "note", value=5), 0),
        (_set("annotations", "*", "tags", value="leader"), 0),
        (_set_start, 0),
    ],
    ids=["date-int", "title-list", "tag-int", "note-int", "tags-string", "start-string"],
)
def test_fields_of_the_wrong_type_are_reported_not_crashed_on(article, edit, shown) -> None:
    """Valid JSON with a field of the wrong type (a hand edit, another program):
    every command still runs, says which file in one line, and keeps the bytes;
    a bad article record falls back to metadata derived from the text, a bad
    annotation record is left out of what is shown."""
    library, article_id = article
    path = library.store(article_id).path
    content = _edit_store(path, edit)
    for command in (["list"], ["notes"], ["export", "--format", "md"], ["doctor"]):
        result = run(library, *command)
        assert "Traceback" not in result.stderr, (command, result.stderr.splitlines()[-1])
        assert result.returncode in ((0, 1) if command == ["doctor"] else (0,)), command
        assert f"{article_id}.json" in result.stderr + result.stdout, command
    listed = run(library, "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == [article_id]
    notes = run(library, "notes").stdout.splitlines()
    assert len(notes) == shown
    assert path.read_bytes() == content


def test_an_article_text_that_is_not_utf8_is_read_and_reported(article) -> None:
    library, article_id = article
    text_file = library.articles_dir / f"{article_id}.txt"
    replace_by_hand(text_file, text_file.read_bytes() + b" Edited \xff by hand.")
    # The listing reads the metadata; find-entities, the text (in workers).
    for command in (["list"], ["find-entities"]):
        result = run(library, *command)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    for command in (["notes"], ["export", "--format", "md"], ["doctor"]):
        result = run(library, *command)
        assert "Traceback" not in result.stderr, (command, result.stderr.splitlines()[-1])
        assert f"{article_id}.txt: not valid UTF-8" in result.stderr + result.stdout, command
    notes = run(library, "notes").stdout
    assert QUOTE in notes  # the note is still found on its words


# --- (b) the app ---------------------------------------------------------------------------


async def test_app_starts_lists_the_article_and_notifies_the_file(corrupt) -> None:
    from reader.tui.app import ReaderApp
    from reader.tui.screens.library import LibraryScreen

    library, article_id = corrupt
    app = ReaderApp(Library(library.root), EntityService(packages=("no_such_model_pkg",)))
    # notifications=True: run_test hides toasts unless asked to show them.
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        for _ in range(400):  # listed, and the workers (the index's, the listing's) done
            if screen.shown_generation and not any(w.is_running for w in app.workers):
                break
            await pilot.pause(0.05)
        await pilot.pause()
        assert [info.id for info in screen.listed()] == [article_id]
        assert screen.article_list.row(screen.article_list.ids[0]).id == article_id

        # What the user sees: the toasts on screen (queried by widget type name,
        # rendered as a Static renders), one of which names the file.
        toasts = list(screen.query("Toast"))
        shown = [str(toast.render()) for toast in toasts]
        naming = [
            toast
            for toast, text in zip(toasts, shown, strict=True)
            if f"{article_id}.json" in text and "left as it is" in text
        ]
        assert len(naming) == 1, shown
        assert naming[0].has_class("-error")  # an error toast, not a passing remark
    assert library.store(article_id).path.read_bytes() == GARBAGE
    assert _set_aside(library, article_id) == []


# --- (c) a newer schema --------------------------------------------------------------------


@pytest.fixture
def too_new(article: tuple[Library, str]) -> tuple[Library, str, bytes]:
    library, article_id = article
    data = TOO_NEW.replace(b'"ID"', f'"{article_id}"'.encode())
    replace_by_hand(library.store(article_id).path, data)
    return library, article_id, data


def test_list_reports_a_newer_schema_in_one_line_and_leaves_the_file(too_new) -> None:
    library, article_id, data = too_new
    path = library.store(article_id).path
    result = run(library, "list")
    assert result.returncode == 0
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [article_id]
    assert path.read_bytes() == data
    assert _set_aside(library, article_id) == []
    assert "Traceback" not in result.stderr
    (problem,) = result.stderr.splitlines()  # once, not once per index refresh
    assert f"{article_id}.json" in problem and "schema version 99" in problem


def test_annotate_refuses_a_newer_schema_in_one_line_and_leaves_the_file(too_new) -> None:
    library, article_id, data = too_new
    path = library.store(article_id).path
    result = run(library, "annotate", article_id, "--quote", QUOTE, "--note", "refused")
    assert path.read_bytes() == data
    assert result.returncode != 0
    assert result.stdout == ""  # no id: nothing was saved
    assert "Traceback" not in result.stderr, result.stderr
    (problem,) = result.stderr.splitlines()
    assert f"{article_id}.json" in problem and "schema version 99" in problem


def test_saving_to_a_newer_schema_raises_and_changes_nothing(too_new) -> None:
    library, article_id, data = too_new
    store = library.store(article_id)
    before = sorted(p.name for p in library.annotations_dir.iterdir())
    start = TEXT.index(QUOTE)
    with pytest.raises(StoreTooNew, match="schema version 99"):
        store.save_annotation(new_annotation(TEXT, start, start + len(QUOTE)))
    with pytest.raises(StoreTooNew):
        store.delete_annotation("x")
    with pytest.raises(StoreTooNew):
        store.update_article(library.load(article_id)[0].info, note="refused")
    assert store.path.read_bytes() == data
    assert sorted(p.name for p in library.annotations_dir.iterdir()) == before  # no .tmp


def test_annotate_on_a_corrupt_store_says_it_was_set_aside(corrupt) -> None:
    library, article_id = corrupt
    result = run(library, "annotate", article_id, "--quote", QUOTE, "--note", "kept")
    assert result.returncode == 0, result.stderr
    (moved,) = _set_aside(library, article_id)
    assert any(moved.name in line for line in result.stderr.splitlines()), result.stderr
    assert result.stdout.strip() in {a.id for a in library.store(article_id).read().annotations}
    assert moved.read_bytes() == GARBAGE
