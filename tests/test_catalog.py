"""The library index (reader.core.catalog), on real SQLite and real files: every
write of reader's updates it in the same code path; changes made by another
process or by hand are found by reconciliation; it is rebuilt when deleted or
damaged, and nothing is lost; two processes writing at once lose nothing."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

from hand_edits import replace_by_hand

from reader.core.anchoring import new_annotation
from reader.core.converters import initial_store
from reader.core.library import Library
from reader.core.models import ArticleDraft, Correction, Entity
from reader.core.query import parse_query

KEY = "test-model==1+rules0+libnone"


def ids(library: Library, query: str, sort: str = "date") -> list[str]:
    """The ids of the articles the index lists for ``query``, in order."""
    catalog = library.catalog
    found = catalog.rows(catalog.article_ids(parse_query(query), sort))
    return [found[rowid].id for rowid in catalog.article_ids(parse_query(query), sort)]


def notes(library: Library, query: str = "") -> list[tuple[str, str | None]]:
    """(article id, annotation id or None for the article's own) the index finds."""
    return [
        (info.id, annotation.id if annotation else None)
        for info, annotation in library.catalog.notes(parse_query(query))
    ]


def make(tmp_path: Path, *drafts: ArticleDraft) -> tuple[Library, list[str]]:
    library = Library(tmp_path / "lib").ensure()
    results = library.add_many(list(drafts))
    return library, [r.article_id for r in results]


def draft(text: str, title: str, date: str = "2021-05-01", **fields: object) -> ArticleDraft:
    return ArticleDraft(text=text, title=title, date=date, **fields)  # type: ignore[arg-type]


HARBOUR = draft(
    "The harbour authority in Gdańsk said the ferry strike would end on Monday.",
    "Ferry strike ends",
    "2021-05-03",
    author="Jan Kowalski",
    source="https://news.example/ferry",
)
MINISTER = draft(
    "Recep Tayyip Erdoğan met the prime minister in Ankara to discuss the M4 highway.",
    "Talks in Ankara",
    "2020-02-01",
    author="Ayşe Demir",
    source="https://wire.example/ankara",
)
BEIJING = draft(
    "北京市政府周一宣布新的交通计划。東京の住民は新しい計画を歓迎した。", "北京交通", "2022-01-01"
)


def assert_known(library: Library) -> None:
    """reader's own write left nothing for reconciliation to find."""
    assert not library.catalog.folders_changed()


# --- incremental updates, write path by write path -------------------------------------


def test_an_import_is_listed_and_searchable_at_once(tmp_path: Path) -> None:
    library, (harbour, minister) = make(tmp_path, HARBOUR, MINISTER)
    assert ids(library, "") == [harbour, minister]  # newest first
    assert ids(library, "ferry") == [harbour]
    assert_known(library)
    (beijing,) = [r.article_id for r in library.add_many([BEIJING])]
    assert ids(library, "") == [beijing, harbour, minister]
    assert_known(library)


def test_annotation_saves_edits_and_deletions_reach_the_index(tmp_path: Path) -> None:
    library, (harbour, _) = make(tmp_path, HARBOUR, MINISTER)
    text = HARBOUR.text
    start = text.index("ferry strike")
    annotation = new_annotation(text, start, start + 12, ("Labour",), "a walkout")
    store = library.store(harbour)
    store.save_annotation(annotation)
    assert notes(library, "walkout") == [(harbour, annotation.id)]
    assert ids(library, "tag:labour") == [harbour]
    assert library.catalog.info(harbour).annotation_count == 1
    assert_known(library)

    store.update_annotation(annotation, {"note": "a lockout", "tags": ("port",)})
    assert notes(library, "walkout") == []
    assert notes(library, "lockout tag:port") == [(harbour, annotation.id)]
    assert ids(library, "tag:labour") == []

    store.delete_annotation(annotation.id)
    assert notes(library, "lockout") == []
    assert library.catalog.info(harbour).annotation_count == 0
    assert ids(library, "has:note") == []
    assert_known(library)


def test_the_articles_own_tags_and_note_reach_the_index(tmp_path: Path) -> None:
    library, (harbour, minister) = make(tmp_path, HARBOUR, MINISTER)
    info = library.catalog.info(minister)
    library.store(minister).update_article(info, tags=("Turkey",), note="Follow up on the M4.")
    assert ids(library, "tag:turkey") == [minister]
    assert ids(library, "has:tag") == [minister]
    assert ids(library, "has:note") == [minister]
    assert notes(library, "follow") == [(minister, None)]
    assert_known(library)


def test_entity_caches_and_corrections_reach_the_index(tmp_path: Path) -> None:
    library, (harbour, minister) = make(tmp_path, HARBOUR, MINISTER)
    assert library.catalog.count_pending_entities() == 2
    text = MINISTER.text
    name = "Recep Tayyip Erdoğan"
    at = text.index("Ankara")
    found = [Entity(0, len(name), "PERSON", name), Entity(at, at + 6, "GPE", "Ankara")]
    info = library.catalog.info(minister)
    library.store(minister).cache_entities(KEY, info.text_sha256, found)
    assert library.catalog.count_pending_entities() == 1
    assert ids(library, 'entity:"recep tayyip erdogan"') == [minister]
    # A word of a name finds it too (issue 11: entity:Merkel finds "Angela Merkel").
    assert ids(library, "entity:Erdogan") == [minister]
    assert ids(library, "entity:tayyip") == [minister]
    assert ids(library, 'entity:"Tayyip Erdogan"') == []  # not a name it has, nor one word
    assert ids(library, "entity:ankar") == []  # words, not parts of words
    assert ids(library, "label:person") == [minister]
    assert ids(library, "label:place") == [minister]
    assert_known(library)

    # A correction of the article: Ankara is no entity there.
    library.store(minister).save_correction(Correction("c1", "remove", "Ankara", "", at, at + 6))
    assert ids(library, "entity:ankara") == []
    assert ids(library, "label:place") == []
    assert_known(library)

    # A library-wide rule: "Gdańsk" is a place in every article, cached or not.
    library.rule_store().save_correction(Correction("r1", "label", "Gdańsk", "GPE"))
    assert ids(library, "entity:gdansk") == [harbour]
    library.rule_store().delete_correction("r1")
    assert ids(library, "entity:gdansk") == []
    assert_known(library)


def test_a_new_text_from_the_same_source_replaces_the_old_in_the_index(tmp_path: Path) -> None:
    library, (harbour, _) = make(tmp_path, HARBOUR, MINISTER)
    newer = draft(
        "The harbour authority said the ferry lockout would last a week.",
        "Ferry lockout",
        "2021-05-04",
        source=HARBOUR.source,
    )
    (result,) = library.add_many([newer])
    assert (result.status, result.article_id) == ("updated", harbour)
    assert ids(library, "lockout") == [harbour]
    assert ids(library, "monday") == []  # the old text is no longer searched
    assert library.catalog.count() == 2
    assert_known(library)


def test_a_reading_position_leaves_nothing_to_reconcile(tmp_path: Path) -> None:
    library, (harbour, _) = make(tmp_path, HARBOUR, MINISTER)
    library.positions.set(harbour, 10)
    assert_known(library)


# --- changes made by another process, or by hand ---------------------------------------


def test_another_process_annotating_is_seen_without_reconciling(tmp_path: Path) -> None:
    library, (harbour, _) = make(tmp_path, HARBOUR, MINISTER)
    assert ids(library, "has:note") == []
    result = subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), "annotate", harbour,
         "--quote", "ferry strike", "--tag", "elsewhere"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert ids(library, "tag:elsewhere") == [harbour]  # the same open index, updated by it
    assert not library.catalog.folders_changed()


def test_files_added_edited_replaced_and_deleted_by_hand_are_reconciled(tmp_path: Path) -> None:
    library, (harbour, minister) = make(tmp_path, HARBOUR, MINISTER)
    other, (copied,) = make(tmp_path / "other", BEIJING)

    # Added by hand (a copy from another library, as git or rsync would bring it).
    for folder, suffix in (("articles", ".txt"), ("annotations", ".json")):
        shutil.copy(other.root / folder / f"{copied}{suffix}", library.root / folder)
    # Edited: a new text.
    replace_by_hand(
        library.articles_dir / f"{harbour}.txt", b"The ferry lockout goes on in Gdynia."
    )
    # A store replaced: the article's tags as another tool wrote them.
    store = library.store(minister)
    record = library.catalog.info(minister)
    replace_by_hand(store.path, initial_store(replace(record, tags=("merged",))))

    assert library.catalog.folders_changed()
    changes = library.catalog.reconcile()
    assert (changes.updated, changes.removed) == (3, 0)
    assert ids(library, "") == [copied, harbour, minister]
    assert ids(library, "gdynia") == [harbour] and ids(library, "monday") == []
    assert ids(library, "tag:merged") == [minister]
    assert not library.catalog.folders_changed()

    # Deleted by hand.
    (library.articles_dir / f"{harbour}.txt").unlink()
    (library.annotations_dir / f"{harbour}.json").unlink()
    assert library.catalog.reconcile().removed == 1
    assert ids(library, "") == [copied, minister]
    assert ids(library, "gdynia") == []
    # Nothing changed: nothing read.
    assert not library.catalog.reconcile()


def test_a_file_rewritten_in_place_is_found_by_a_full_reconciliation(tmp_path: Path) -> None:
    """An editor writing in place leaves its folder's mtime as it was: the quick
    check misses it, ``reader doctor``'s full reconciliation (a stat per file) finds it."""
    library, (harbour, _) = make(tmp_path, HARBOUR, MINISTER)
    path = library.articles_dir / f"{harbour}.txt"
    folder_mtime = library.articles_dir.stat().st_mtime_ns
    with open(path, "wb") as handle:
        handle.write(b"Rewritten in place: the Gdynia ferry lockout.")
    os.utime(library.articles_dir, ns=(folder_mtime, folder_mtime))
    assert not library.catalog.reconcile()
    assert ids(library, "gdynia") == []
    assert library.catalog.reconcile(full=True).updated == 1
    assert ids(library, "gdynia") == [harbour]


# --- rebuilding ------------------------------------------------------------------------------


def _annotated(tmp_path: Path) -> tuple[Library, list[str], dict[str, bytes]]:
    library, article_ids = make(tmp_path, HARBOUR, MINISTER, BEIJING)
    start = HARBOUR.text.index("ferry")
    library.store(article_ids[0]).save_annotation(
        new_annotation(HARBOUR.text, start, start + 5, ("port",), "kept")
    )
    files = {
        path.name: path.read_bytes()
        for folder in (library.articles_dir, library.annotations_dir)
        for path in folder.iterdir()
        if path.is_file() and not path.name.startswith(".")
    }
    return library, article_ids, files


def _same_files(library: Library, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        folder = library.articles_dir if name.endswith(".txt") else library.annotations_dir
        assert (folder / name).read_bytes() == data, name


def test_a_deleted_index_is_rebuilt_with_everything(tmp_path: Path) -> None:
    library, article_ids, files = _annotated(tmp_path)
    before = (ids(library, ""), notes(library), ids(library, "tag:port"))
    shutil.rmtree(library.catalog.folder)
    fresh = Library(library.root)
    assert not fresh.catalog.is_ready()
    progress: list[tuple[int, int]] = []
    fresh.catalog.ensure(lambda done, total: progress.append((done, total)))
    assert progress[-1] == (3, 3)
    assert (ids(fresh, ""), notes(fresh), ids(fresh, "tag:port")) == before
    _same_files(fresh, files)


def test_a_damaged_index_is_rebuilt_and_the_library_is_untouched(tmp_path: Path) -> None:
    library, article_ids, files = _annotated(tmp_path)
    before = (ids(library, ""), notes(library))
    path = library.catalog.path
    library.catalog.close()
    path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    fresh = Library(library.root)
    assert not fresh.catalog.is_ready()
    fresh.catalog.ensure()
    assert (ids(fresh, ""), notes(fresh)) == before
    _same_files(fresh, files)


def test_an_index_of_another_version_is_left_for_a_new_one(tmp_path: Path) -> None:
    library, _, _ = _annotated(tmp_path)
    folder = library.catalog.folder
    library.catalog.close()
    shutil.rmtree(folder)
    folder.mkdir()
    old = folder / "library-v0.sqlite"
    old.write_bytes(b"an older reader's index")
    fresh = Library(library.root)
    assert not fresh.catalog.is_ready()
    fresh.catalog.ensure()
    assert not old.exists()
    assert len(ids(fresh, "")) == 3


# --- two processes at once -------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from reader.core.anchoring import new_annotation
    from reader.core.library import Library
    library = Library(sys.argv[1])
    library.catalog.ensure()
    for article_id in sys.argv[3:]:
        article, _ = library.load(article_id)
        for n in range(int(sys.argv[2])):
            library.store(article_id).save_annotation(
                new_annotation(article.text, n, n + 3, (f"w{n}",), sys.argv[1][-1:])
            )
    """
)


def test_two_processes_writing_at_once_lose_no_update(tmp_path: Path) -> None:
    library, article_ids = make(tmp_path, HARBOUR, MINISTER, BEIJING)
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    runs = [
        subprocess.Popen([sys.executable, str(script), str(library.root), "15", *article_ids])
        for _ in range(2)
    ]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    stored = sum(len(library.store(a).read().annotations) for a in article_ids)
    assert stored == 2 * 15 * 3
    assert len(notes(library)) == stored
    connection = sqlite3.connect(library.catalog.path, isolation_level=None)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.execute("INSERT INTO note_fts(note_fts) VALUES ('integrity-check')")  # raises if not
    connection.close()
    # What the index holds is what a rebuild from the files makes.
    before = notes(library)
    Library(library.root).catalog.rebuild()
    assert sorted(before) == sorted(notes(Library(library.root)))


def test_opening_an_article_brings_its_rows_up_to_date(tmp_path: Path) -> None:
    """What the article screen does when it opens an article (refresh): an edit
    in place, which no folder's mtime shows, is read then."""
    library, (harbour, _) = make(tmp_path, HARBOUR, MINISTER)
    assert not library.catalog.refresh(harbour)  # unchanged: nothing read
    path = library.articles_dir / f"{harbour}.txt"
    with open(path, "ab") as handle:
        handle.write(b" The Gdynia terminal stays shut.")
    assert library.catalog.refresh(harbour)
    assert ids(library, "gdynia") == [harbour]


def test_an_index_rebuilt_by_another_process_is_opened_anew(tmp_path: Path) -> None:
    """A connection to an index file deleted and rebuilt by another process would
    see the deleted file for ever: the open library notices and opens the new one."""
    library, article_ids, _ = _annotated(tmp_path)
    before = ids(library, "")
    assert not library.catalog.replaced()
    other = Library(library.root)
    shutil.rmtree(other.catalog.folder)
    other.catalog.ensure()
    other.store(article_ids[1]).save_annotation(new_annotation(MINISTER.text, 0, 5, ("new",)))
    assert library.catalog.replaced()
    library.catalog.ensure()
    assert ids(library, "") == before
    assert ids(library, "tag:new") == [article_ids[1]]


def test_a_querys_listing_is_the_same_from_the_kept_listing_or_from_sql(tmp_path: Path) -> None:
    """A query's lines are picked from the kept whole-library listing when there is
    one, else made in SQL: the same lines, in each order. A title holding a tab or
    a newline (a hand-edited store) stays one line of five fields."""
    odd = draft(
        "A ferry crossing was cancelled by the storm.", "Storm\tnews\nand more", "2022-01-01"
    )
    library, _ = make(tmp_path, HARBOUR, MINISTER, BEIJING, odd)
    catalog = library.catalog
    queries = ["ferry", "-ferry", "ferry OR ankara", "since:2021"]
    sorts = ["date", "added", "title", "words", "notes"]
    made = {(q, s): catalog.listing(parse_query(q), s) for q in queries for s in sorts}
    for sort in sorts:  # the whole library's, kept
        whole = catalog.listing(sort=sort)
        assert all(len(line.split("\t")) == 5 for line in whole.splitlines()), whole
    assert sorted(p.name for p in catalog.folder.glob("listing-*.bin")) == sorted(
        f"listing-{sort}.bin" for sort in sorts
    )
    for (query, sort), lines in made.items():
        assert catalog.listing(parse_query(query), sort) == lines, (query, sort)
    assert "Storm news and more" in made["ferry", "date"]
    # The kept listing is what is read: a change made to it shows (same length).
    kept = catalog.folder / "listing-date.bin"
    kept.write_bytes(kept.read_bytes().replace(b"Storm news", b"Storm NEWS"))
    assert "Storm NEWS and more" in catalog.listing(parse_query("ferry"))
    assert "Storm NEWS and more" in catalog.listing()
    assert len(made["ferry", "date"].splitlines()) == 2


def test_a_listing_kept_for_an_earlier_build_of_the_index_is_not_used(tmp_path: Path) -> None:
    """A rebuilt index counts its versions from 1 again: the listing kept for the
    old one, at the same count, is not taken for the new one's."""
    library, (harbour, minister) = make(tmp_path, HARBOUR, MINISTER)
    catalog = library.catalog
    first = catalog.listing()
    kept = catalog.folder / "listing-date.bin"
    old = kept.read_bytes()
    (library.articles_dir / f"{minister}.txt").unlink()
    (library.annotations_dir / f"{minister}.json").unlink(missing_ok=True)
    catalog.close()
    catalog.path.unlink()  # the index deleted: the next process builds it anew
    catalog = Library(library.root).catalog
    catalog.ensure()
    # As a process of the old build could have left it, at the count the new one has.
    magic, stamp, rest = old.split(b"\t", 2)
    build = stamp.split(b":")[0]
    kept.write_bytes(b"\t".join((magic, build + b":" + catalog.version().encode(), rest)))
    assert catalog.listing() == first.splitlines(keepends=True)[0]
    assert [line.split("\t")[0] for line in first.splitlines()] == [harbour, minister]


def test_a_kept_listing_cut_short_is_made_again(tmp_path: Path) -> None:
    library, _ = make(tmp_path, HARBOUR, MINISTER)
    catalog = library.catalog
    whole = catalog.listing()
    kept = catalog.folder / "listing-date.bin"
    good = kept.read_bytes()
    kept.write_bytes(good[:-10])  # a crash while it was written
    assert catalog.listing() == whole
    assert catalog.listing(parse_query("ferry")) == whole.splitlines(keepends=True)[0]
    magic, stamp, _, rest = good.split(b"\t", 3)
    for damaged in (
        b"\t".join((magic, stamp, b"7", rest)),  # not whole numbers
        good.replace(magic, b"reader-listing-0"),  # another format
        b"",
    ):
        kept.write_bytes(damaged)
        assert catalog.listing(parse_query("ferry")) == whole.splitlines(keepends=True)[0]


def test_the_kept_listing_follows_every_change(tmp_path: Path) -> None:
    """reader list's whole-library listing is kept between runs: never stale."""
    library, (harbour, minister) = make(tmp_path, HARBOUR, MINISTER)
    first = library.catalog.listing()
    assert [line.split("\t")[0] for line in first.splitlines()] == [harbour, minister]
    assert library.catalog.listing() == first  # kept
    start = HARBOUR.text.index("ferry")
    library.store(harbour).save_annotation(new_annotation(HARBOUR.text, start, start + 5))
    again = Library(library.root).catalog.listing()  # another process, after the change
    assert again.splitlines()[0].split("\t")[3] == "1"  # the note counted
    assert library.catalog.listing(parse_query("ferry")) == again.splitlines()[0] + "\n"
    assert library.catalog.listing(parse_query("-ferry"), "title").startswith(minister)


def test_a_listing_left_half_written_by_a_process_that_died_is_removed(tmp_path: Path) -> None:
    library, _ = make(tmp_path, HARBOUR, MINISTER)
    catalog = library.catalog
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    stray = catalog.folder / f".listing-date.bin.{dead}.0badcafe.tmp"
    stray.write_bytes(b"reader-listing-1\thalf")
    catalog.listing()
    assert not stray.exists()
    assert (catalog.folder / "listing-date.bin").exists()


def test_a_full_check_that_meets_a_broken_link_keeps_the_other_articles(tmp_path: Path) -> None:
    """reader doctor's check stats every file: a name it cannot stat (a link to
    nothing, or a file removed while the folder was read) is not there, and the
    rest of the folder still is."""
    library, article_ids = make(tmp_path, HARBOUR, MINISTER)
    library.catalog.ensure()
    (library.articles_dir / "2021-01-01-nowhere-0badcafe.txt").symlink_to(tmp_path / "nowhere")
    changes = library.catalog.reconcile(full=True)
    assert changes.removed == 0
    assert sorted(ids(library, "")) == sorted(article_ids)


def test_reconciling_finds_what_another_program_added_removed_and_replaced(
    tmp_path: Path,
) -> None:
    library, (harbour, minister) = make(tmp_path, HARBOUR, MINISTER)
    library.catalog.ensure()
    beijing = "2021-06-01-beijing-by-hand-0badcafe"  # a text put there by hand
    (library.articles_dir / f"{beijing}.txt").write_text(BEIJING.text, encoding="utf-8")
    (library.articles_dir / f"{minister}.txt").unlink()
    replace_by_hand(
        library.articles_dir / f"{harbour}.txt", (HARBOUR.text + " Ships wait.").encode()
    )
    changes = library.catalog.reconcile()
    assert (changes.updated, changes.removed) == (2, 1)
    assert sorted(ids(library, "")) == sorted([harbour, beijing])
    assert ids(library, "ships") == [harbour]
