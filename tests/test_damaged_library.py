"""A library reader cannot write, or with files of the wrong kind, is still read
(issue 10, finding 5): every article that can be read is listed, what cannot
is said once, the app never says "empty" for "could not load", and a write
that cannot happen fails in one line."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hand_edits import replace_by_hand
from test_app_annotating import (
    flush,
    make_library,
    open_seed,
    stored,
    stored_annotations,
    submit_note,
    type_text,
)
from test_hostile_text import QUOTE, TEXT, listed, painted, run

from reader.core.anchoring import new_annotation
from reader.core.entities import EntityService
from reader.core.library import LIBRARY_ENV, Library
from reader.core.models import ArticleDraft
from reader.tui.app import ReaderApp
from reader.tui.dialogs.annotate import ConfirmDialog
from reader.tui.screens.library import EMPTY

NOBODY = 65534


def two_articles(root: Path) -> tuple[Library, str, str]:
    """Two articles, the first with a note; its store then written by an older
    reader (no schema number), which a read migrates."""
    library = Library(root).ensure()
    first, second = library.add_many(
        [
            ArticleDraft(text=TEXT, title="First", date="2024-05-03"),
            ArticleDraft(text=TEXT.replace("minister", "mayor"), title="Second", date="2024-05-02"),
        ]
    )
    store = library.store(first.article_id)
    store.save_annotation(new_annotation(TEXT, 0, len(QUOTE), ("kept",), "a kept note"))
    data = json.loads(store.path.read_bytes())
    del data["meta"]["1"]["schema"]
    replace_by_hand(store.path, json.dumps(data).encode())
    library.list_articles()
    return library, first.article_id, second.article_id


@pytest.fixture
def read_only_root() -> Iterator[Path]:
    """A folder for a library that its reader will not be able to write: made
    where the user nobody can read it (root's pytest folders are private)."""
    folder = Path(tempfile.mkdtemp(prefix="reader-read-only-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
        shutil.rmtree(folder)


def run_unable_to_write(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``reader --library ROOT ARGS`` as someone who cannot write the library:
    root may write anything, so as the user nobody; anyone else, with the
    library's write permissions taken away (see ``make_read_only``)."""
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env["HOME"] = str(root / "home")  # where the index goes when the library is read-only
    command = [sys.executable, "-m", "reader", "--library", str(root / "lib"), *args]
    if os.geteuid() == 0:
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, env=env, timeout=120, cwd=root)


def make_read_only(root: Path) -> None:
    home = root / "home"
    home.mkdir()
    home.chmod(0o777)
    for path in [root / "lib", *(root / "lib").rglob("*")]:
        mode = path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        path.chmod(mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH | stat.S_IXOTH * path.is_dir())
    # The precondition, checked rather than assumed: this reader cannot write there.
    check = subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        * (os.geteuid() == 0)
        + ["touch", str(root / "lib" / "annotations" / "probe")],
        capture_output=True,
    )
    assert check.returncode != 0, "the library is writable: the test would prove nothing"


def test_a_library_that_cannot_be_written_is_read(read_only_root: Path) -> None:
    """Without the lock files (a fresh clone, read-only) and with a store of an
    older schema, which a read would migrate in place: everything reads."""
    library, first, second = two_articles(read_only_root / "lib")
    shutil.rmtree(library.annotations_dir / ".locks")
    shutil.rmtree(library.annotations_dir / ".index")
    make_read_only(read_only_root)
    before = {p: p.read_bytes() for p in (read_only_root / "lib").rglob("*") if p.is_file()}

    listing = run_unable_to_write(read_only_root, "list")
    assert listing.returncode == 0, listing.stderr
    assert [line.split("\t")[0] for line in listing.stdout.decode().splitlines()] == [first, second]
    notes = run_unable_to_write(read_only_root, "notes")
    assert notes.returncode == 0, notes.stderr
    assert notes.stdout.decode().split("\t")[5].strip() == "a kept note"
    entities = run_unable_to_write(read_only_root, "entities", "--jsonl", first)
    assert b"Traceback" not in entities.stderr
    assert b"Permission denied" not in entities.stderr, entities.stderr
    export = run_unable_to_write(read_only_root, "export", "--format", "md")
    assert export.returncode == 0 and b"a kept note" in export.stdout, export.stderr
    doctor = run_unable_to_write(read_only_root, "doctor")
    assert doctor.returncode == 0, doctor

    write = run_unable_to_write(read_only_root, "annotate", second, "--quote", "mayor")
    assert write.returncode == 1
    (line,) = write.stderr.decode().splitlines()
    assert line.startswith("reader: ") and "Permission denied" in line, line
    after = {p: p.read_bytes() for p in (read_only_root / "lib").rglob("*") if p.is_file()}
    assert after == before  # (the index went to the user's cache folder)


def files_of_the_wrong_kind(tmp_path: Path) -> tuple[Library, str, str]:
    """The first article's store a folder, a third article's text a folder, and
    ``annotations/.locks`` a file: as a merge or a slip of the hand leaves them."""
    library, first, second = two_articles(tmp_path / "lib")
    store = library.store(first).path
    folder = store.with_name("folder")  # made first: not the file's inode number, reused
    folder.mkdir()
    store.unlink()
    folder.rename(store)
    (library.articles_dir / "third.txt").mkdir()
    locks = library.annotations_dir / ".locks"
    shutil.rmtree(locks)
    locks.write_bytes(b"")
    return library, first, second


def test_files_of_the_wrong_kind_are_reported_once_and_the_rest_is_listed(
    tmp_path: Path,
) -> None:
    library, first, second = files_of_the_wrong_kind(tmp_path)
    for args in (["list"], ["notes"], ["export", "--format", "w3c"]):
        done = run(library, *args)
        assert done.returncode == 0, (args, done.stderr)
        errors = done.stderr.decode().splitlines()
        assert (
            errors.count(
                f"reader: {first}.json cannot be read (Is a directory); it is left as it is"
            )
            == 1
        ), errors
        assert errors.count("reader: third.txt cannot be read (Is a directory): shown empty") == 1
    listed_ids = [line.split("\t")[0] for line in run(library, "list").stdout.decode().splitlines()]
    assert listed_ids[:2] == [first, second]

    doctor = run(library, "doctor")
    assert doctor.returncode == 1
    assert f"problem: {first}.json cannot be read (Is a directory)" in doctor.stdout.decode()

    write = run(library, "annotate", second, "--quote", "mayor")
    assert write.returncode == 1
    (line,) = write.stderr.decode().splitlines()
    assert line.endswith("annotations/.locks: not a folder (reader keeps its lock files there)")


async def test_the_app_lists_a_damaged_library_and_says_what_is_wrong(tmp_path: Path) -> None:
    library, first, second = files_of_the_wrong_kind(tmp_path)
    # As `reader` starts it: the library's folders made (or found) first.
    app = ReaderApp(Library(library.root).create(), EntityService(packages=("no_model_pkg",)))
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        screen = await listed(app, pilot)
        assert len(screen.article_list.ids) == 3
        said = [n.message for n in app._notifications]
        assert f"{first}.json cannot be read (Is a directory); it is left as it is" in said
        assert "third.txt cannot be read (Is a directory): shown empty" in said
        assert any(m.endswith(".locks is not a folder: changes cannot be saved") for m in said)
        assert len(said) == len(set(said))
        assert EMPTY not in painted(app)
        assert app.is_running


# --- a note that cannot be saved is kept, tried again, and asked about (finding 7) -------------


async def test_a_note_that_cannot_be_saved_is_kept_retried_and_asked_about_on_quit(
    tmp_path: Path, seed_path: Path
) -> None:
    """The save fails (here the lock folder became a file: a write cannot happen,
    as on a full disk): the note stays in the panel, "Save failed" stays up, a
    later note waits behind it, and quitting asks before anything is lost. Once
    the cause is gone, quitting saves both, in order, then quits."""
    library, article_id = make_library(tmp_path, seed_path)
    app = ReaderApp(library, EntityService(packages=("no_model_pkg",)))
    locks = library.annotations_dir / ".locks"
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await open_seed(app, pilot)
        shutil.rmtree(locks)
        locks.write_bytes(b"")
        for note in ("first note", "second note"):
            await pilot.press("w", "a")
            await pilot.pause()
            await type_text(pilot, note)
            await submit_note(app, pilot)
            await flush(app, pilot)
        assert app.unsaved == 2
        assert [a.note for a in app.screen.annotations.items] == ["first note", "second note"]
        failed = [n for n in app._notifications if n.title == "Save failed"]
        assert len(failed) == 1 and "not a folder" in failed[0].message  # said once
        assert "annotations" not in stored(library, article_id)

        await pilot.press("ctrl+q")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmDialog) and app.is_running
        assert "2 changes could not be saved" in app.screen.question
        await pilot.press("n")  # stay
        await pilot.pause()
        assert app.is_running and app.unsaved == 2

        locks.unlink()  # the cause gone (space freed, the folder put back)
        locks.mkdir()
        await pilot.press("ctrl+q")
        for _ in range(100):
            if not app.is_running:
                break
            await pilot.pause(0.05)
        assert not app.is_running
    notes = [a["note"] for a in stored_annotations(library, article_id)]
    assert notes == ["first note", "second note"]
