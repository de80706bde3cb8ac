"""Read and unread, the trash, and J/K (issue 12): what the reader has read is
kept apart from the stores (annotations/.read.json) and mirrored in the index
for the list's ● column and ``is:unread``; a deleted article goes to
``.trash/`` with its notes and comes back whole.

Real libraries in tmp_path, the real index, the ``reader`` command in a
subprocess, and the app through Textual's pilot.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reader.core.anchoring import new_annotation
from reader.core.library import Library
from reader.core.models import ArticleDraft
from reader.core.query import parse_query, query_problems
from reader.core.trash import move_to_trash, restore, trash_dir, trashed
from reader.tui.dialogs.annotate import ConfirmDialog
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.widgets.article_list import UNREAD
from tests.library_screen import cell
from tests.test_app_annotating import flush, new_app, settle

SIZE = (120, 30)


def draft(n: int) -> ArticleDraft:
    return ArticleDraft(
        title=f"Harbour report number {n}",
        text=f"Harbour report number {n}.\n\nThe council met on day {n} and voted on the pier.",
        date=f"2024-03-{n:02d}",
        source=f"https://example.org/harbour/{n}",
        format="text",
    )


def library_of(tmp_path: Path, count: int) -> tuple[Library, list[str]]:
    """``count`` articles, the newest (highest number) listed first."""
    library = Library(tmp_path / "lib").ensure()
    results = library.add_many(draft(n) for n in range(1, count + 1))
    library.catalog.ensure()
    ids = [r.article_id for r in results]
    return library, ids[::-1]


def ids_matching(library: Library, query: str) -> list[str]:
    catalog = library.catalog
    return [info.id for info in catalog.infos(catalog.article_ids(parse_query(query)))]


def reader_cli(library: Library, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --- read and unread, in the domain ----------------------------------------------------------


def test_read_marks_are_kept_in_their_file_and_queried_through_the_index(tmp_path: Path) -> None:
    library, ids = library_of(tmp_path, 3)
    assert ids_matching(library, "is:unread") == ids
    assert ids_matching(library, "is:read") == []

    library.set_read([ids[1]])
    marks = json.loads((library.annotations_dir / ".read.json").read_text())
    assert list(marks) == [ids[1]]
    assert ids_matching(library, "is:read") == [ids[1]]
    assert ids_matching(library, "is:unread") == [ids[0], ids[2]]
    assert ids_matching(library, "-is:read") == [ids[0], ids[2]]
    assert library.catalog.info(ids[1]).read and not library.catalog.info(ids[0]).read
    # The article's store is not written by reading.
    store = library.store_path(ids[1])
    before = Path(store).read_bytes()
    library.set_read([ids[1]], False)
    assert Path(store).read_bytes() == before
    assert ids_matching(library, "is:read") == []
    assert query_problems(parse_query("is:new")) == [
        "is:new is not a reading state (is:read or is:unread)"
    ]


def test_read_marks_changed_by_another_program_reach_the_index(tmp_path: Path) -> None:
    library, ids = library_of(tmp_path, 2)
    library.set_read(ids)
    path = library.annotations_dir / ".read.json"
    path.write_text(json.dumps({ids[0]: "2024-01-01"}))  # in place (git, a sync tool)
    assert library.catalog.folders_changed()
    assert library.catalog.reconcile().reads
    assert ids_matching(library, "is:read") == [ids[0]]

    path.write_text("{not json")  # unreadable: nothing read, and the next mark rewrites it
    library.catalog.reconcile()
    assert ids_matching(library, "is:read") == []
    library.set_read([ids[1]])
    assert list(json.loads(path.read_text())) == [ids[1]]

    # A rebuilt index reads them again: it is never their only copy.
    library.catalog.path.unlink()
    fresh = Library(library.root)
    fresh.catalog.ensure()
    assert ids_matching(fresh, "is:read") == [ids[1]]


def test_reader_mark_and_the_list_json(tmp_path: Path) -> None:
    library, ids = library_of(tmp_path, 2)
    result = reader_cli(library, "mark", ids[0])
    assert result.returncode == 0, result.stderr
    listed = reader_cli(library, "list", "--json", "is:read")
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [ids[0]]
    assert reader_cli(library, "mark", "--unread", ids[0]).returncode == 0
    assert reader_cli(library, "list", "is:read").stdout == ""
    bad = reader_cli(library, "mark", "no-such-article")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


# --- the trash --------------------------------------------------------------------------------


def test_a_deleted_article_goes_to_the_trash_with_its_notes_and_comes_back(
    tmp_path: Path,
) -> None:
    library, ids = library_of(tmp_path, 2)
    article_id = ids[0]
    text = library.read_text(article_id)
    at = text.index("voted")
    library.store(article_id).save_annotation(
        new_annotation(text, at, at + len("voted"), ["vote"], "the vote")
    )
    store_bytes = Path(library.store_path(article_id)).read_bytes()

    folder = move_to_trash(library, article_id)
    assert folder == trash_dir(library) / article_id
    assert not library.has_article(article_id)
    assert not Path(library.store_path(article_id)).exists()
    assert (folder / f"{article_id}.json").read_bytes() == store_bytes
    assert ids_matching(library, "") == [ids[1]]
    assert ids_matching(library, "tag:vote") == []
    (listed,) = trashed(library)
    assert (listed.name, listed.article_id) == (article_id, article_id)
    assert listed.title == "Harbour report number 2"

    assert restore(library, article_id) == article_id
    assert ids_matching(library, "tag:vote") == [article_id]
    assert Path(library.store_path(article_id)).read_bytes() == store_bytes
    assert trashed(library) == [] and not folder.exists()


def test_restoring_never_overwrites_an_article_of_the_same_id(tmp_path: Path) -> None:
    library, ids = library_of(tmp_path, 1)
    (article_id,) = ids
    move_to_trash(library, article_id)
    library.add(draft(1))  # the same text again: the same id
    assert library.has_article(article_id)
    try:
        restore(library, article_id)
    except FileExistsError:
        pass
    else:
        raise AssertionError("restore overwrote the article added since")
    assert (trash_dir(library) / article_id / f"{article_id}.txt").is_file()
    # Deleted again: a second folder, the first kept.
    second = move_to_trash(library, article_id)
    assert second.name == f"{article_id}~2"
    assert {t.name for t in trashed(library)} == {article_id, f"{article_id}~2"}


def test_reader_delete_and_restore(tmp_path: Path) -> None:
    library, ids = library_of(tmp_path, 2)
    result = reader_cli(library, "delete", ids[0])
    assert result.returncode == 0, result.stderr
    assert "reader restore" in result.stderr
    assert reader_cli(library, "list").stdout.count("\n") == 1
    listing = reader_cli(library, "restore")
    assert listing.stdout.split("\t")[0] == ids[0]
    assert reader_cli(library, "restore", ids[0]).returncode == 0
    assert reader_cli(library, "list").stdout.count("\n") == 2
    missing = reader_cli(library, "restore", ids[0])
    assert missing.returncode == 2 and "not in the trash" in missing.stderr
    assert reader_cli(library, "delete", "nope").returncode == 2


# --- in the app --------------------------------------------------------------------------------


async def test_opening_marks_read_and_n_toggles_it(tmp_path: Path) -> None:
    library, ids = library_of(tmp_path, 3)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert [cell(screen, i, UNREAD) for i in ids] == [UNREAD] * 3

        await pilot.press("enter")  # the first: ids[0]
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        await pilot.press("q")
        await flush(app, pilot)
        await settle(app, pilot)
        assert [cell(screen, i, UNREAD) for i in ids] == ["", UNREAD, UNREAD]
        assert library.catalog.info(ids[0]).read

        await pilot.press("j", "N")  # the second, marked read without opening it
        await flush(app, pilot)
        await settle(app, pilot)
        assert cell(screen, ids[1], UNREAD) == ""
        await pilot.press("N")  # and unread again
        await flush(app, pilot)
        await settle(app, pilot)
        assert cell(screen, ids[1], UNREAD) == UNREAD
        assert list(json.loads((library.annotations_dir / ".read.json").read_text())) == [ids[0]]

        await pilot.press("slash", *"is:unread", "enter")
        await settle(app, pilot)
        assert [info.id for info in screen.listed()] == ids[1:]


async def test_capital_j_and_k_go_through_the_list_from_the_article(tmp_path: Path) -> None:
    library, ids = library_of(tmp_path, 3)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        article = app.screen
        assert isinstance(article, ArticleScreen) and article.article.id == ids[0]
        await pilot.press("J")
        await pilot.pause()
        assert app.screen is article and article.article.id == ids[1]
        assert article.view.text == library.read_text(ids[1])
        await pilot.press("J", "J")  # the last, then no further
        await pilot.pause()
        assert article.article.id == ids[2]
        await pilot.press("K")
        await pilot.pause()
        assert article.article.id == ids[1]
        await pilot.press("q")
        await flush(app, pilot)
        await settle(app, pilot)
        # The list's cursor came along, and every article passed is read.
        list_screen = app.screen
        assert isinstance(list_screen, LibraryScreen)
        assert list_screen.highlighted_info().id == ids[1]
        assert all(library.catalog.info(i).read for i in ids)


async def test_capital_d_deletes_after_asking(tmp_path: Path) -> None:
    library, ids = library_of(tmp_path, 2)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Harbour report number 2" in app.screen.question
        await pilot.press("n")  # no: nothing moved
        await pilot.pause()
        await flush(app, pilot)
        assert library.has_article(ids[0])

        await pilot.press("D")
        await pilot.pause()
        await pilot.press("y")
        await flush(app, pilot)
        await settle(app, pilot)
        assert not library.has_article(ids[0])
        assert (trash_dir(library) / ids[0] / f"{ids[0]}.txt").is_file()
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert [info.id for info in screen.listed()] == [ids[1]]


def test_marking_read_what_is_read_writes_nothing(tmp_path: Path) -> None:
    """Each opening marks its article read: an article read already must cost no
    lock, no write and no index transaction (each one moved the index's version
    on, so the list was made anew behind every article opened)."""
    library, ids = library_of(tmp_path, 2)
    library.set_read([ids[0]])
    path = library.annotations_dir / ".read.json"
    stamp, version = path.stat().st_mtime_ns, library.catalog.version()
    library.set_read([ids[0]])
    assert (path.stat().st_mtime_ns, library.catalog.version()) == (stamp, version)
    library.set_read([ids[1]], False)  # unread already
    assert (path.stat().st_mtime_ns, library.catalog.version()) == (stamp, version)
    library.set_read([ids[1]])
    assert library.catalog.version() != version
