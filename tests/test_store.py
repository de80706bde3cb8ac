"""reader.core.store: the per-article TinyDB file, durable writes and bad files."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace

import pytest
from hand_edits import replace_by_hand

from reader.core.anchoring import new_annotation
from reader.core.durable import atomic_write, remove_stray_temporaries
from reader.core.library import Library
from reader.core.models import ArticleInfo, Entity
from reader.core.store import ArticleStore, StoreCorrupt, StoreTooNew, StoreUnreadable
from reader.core.store_format import SCHEMA_VERSION
from reader.core.text import sha256

TEXT = "Earlier on Saturday, Turkey's President Recep Tayyip Erdogan threatened reprisals."
QUOTE = "Recep Tayyip Erdogan"


def _info(article_id: str = "an-article") -> ArticleInfo:
    return ArticleInfo(
        id=article_id,
        title="A title",
        author="An Author",
        date="2020-03-01",
        source="/src.txt",
        format="text",
        text_sha256=sha256(TEXT),
        word_count=11,
        added="2020-03-02T00:00:00Z",
        tags=("syria",),
    )


def _annotation(tags=("leader",), note="Turkey's president"):
    start = TEXT.index(QUOTE)
    return new_annotation(TEXT, start, start + len(QUOTE), tags=tags, note=note)


@pytest.fixture
def store(tmp_path) -> ArticleStore:
    return ArticleStore(tmp_path, "an-article")


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- round trip and file format ----------------------------------------------------


def test_round_trip_of_info_and_annotation(store):
    info, annotation = _info(), _annotation()
    store.write_info(info)
    store.save_annotation(annotation)
    record, annotations = store.read().article, store.read().annotations
    assert record is not None
    assert record["id"] == info.id and record["title"] == info.title
    assert record["date"] == "2020-03-01" and record["tags"] == ["syria"]
    assert annotations == [annotation]
    assert annotations[0].state == "anchored"


def test_empty_store_reads_as_nothing(store):
    assert (store.read().article, store.read().annotations) == (None, [])


def test_file_is_plain_versioned_json_with_w3c_selectors(store):
    annotation = _annotation()
    store.write_info(_info())
    store.save_annotation(annotation)
    with open(store.path, encoding="utf-8") as handle:
        data = json.load(handle)
    (meta,) = data["meta"].values()
    assert meta["schema"] == SCHEMA_VERSION == 1
    assert meta["article"]["id"] == "an-article"
    (record,) = data["annotations"].values()
    assert record["id"] == annotation.id
    assert record["tags"] == ["leader"] and record["note"] == "Turkey's president"
    target = record["target"]
    assert target["text_sha256"] == sha256(TEXT)
    selectors = {s["type"]: s for s in target["selector"]}
    assert set(selectors) == {"TextPositionSelector", "TextQuoteSelector"}
    position, quote = selectors["TextPositionSelector"], selectors["TextQuoteSelector"]
    assert TEXT[position["start"] : position["end"]] == QUOTE
    assert quote["exact"] == QUOTE
    assert quote["prefix"] == TEXT[: position["start"]][-32:]
    assert quote["suffix"] == TEXT[position["end"] :][:32]


def test_saving_the_same_id_twice_updates_it(store):
    annotation = _annotation()
    store.save_annotation(annotation)
    changed = replace(annotation, note="edited", tags=("leader", "turkey"))
    store.save_annotation(changed)
    annotations = store.read().annotations
    assert annotations == [changed]
    assert len(json.loads(store.path.read_bytes())["annotations"]) == 1


def test_two_annotations_are_both_kept_in_text_order(store):
    late = new_annotation(TEXT, TEXT.index("reprisals"), len(TEXT) - 1)
    early = _annotation()
    store.save_annotation(late)
    store.save_annotation(early)
    annotations = store.read().annotations
    assert [a.id for a in annotations] == [early.id, late.id]


def test_delete_annotation(store):
    keep, gone = _annotation(), _annotation(note="second")
    store.save_annotation(keep)
    store.save_annotation(gone)
    assert store.delete_annotation(gone.id) is True
    assert store.delete_annotation(gone.id) is False
    assert store.read().annotations == [keep]


def test_entity_cache_is_keyed_by_recogniser_key_and_text_hash(store):
    entities = [Entity(40, 60, "PERSON", QUOTE), Entity(21, 27, "GPE", "Turkey")]
    text_hash = sha256(TEXT)
    assert store.cached_entities("model==1", text_hash) is None
    store.cache_entities("model==1", text_hash, entities)
    assert store.cached_entities("model==1", text_hash) == entities
    assert store.cached_entities("model==2", text_hash) is None
    assert store.cached_entities("model==1", sha256(TEXT + " changed")) is None
    store.cache_entities("model==2", text_hash, entities[:1])
    assert store.cached_entities("model==2", text_hash) == entities[:1]
    assert store.cached_entities("model==1", text_hash) is None


def test_entity_cache_does_not_disturb_metadata_or_annotations(store):
    annotation = _annotation()
    store.write_info(_info())
    store.save_annotation(annotation)
    store.cache_entities("k", sha256(TEXT), [Entity(0, 7, "DATE", "Earlier")])
    record, annotations = store.read().article, store.read().annotations
    assert record["title"] == "A title"
    assert annotations == [annotation]


# --- bad files -------------------------------------------------------------------


GARBAGE = b"\x89\xff\xfe not json at all {{{ \x00\x01\x02"


def test_a_corrupt_file_is_left_by_a_read_and_moved_aside_by_a_write(store):
    """A read leaves a file it cannot parse as it is (another program may be
    writing it in place) and says so; a write, which must replace it, moves it
    aside with its bytes."""
    store.write_info(_info())
    store.path.write_bytes(GARBAGE)
    with pytest.raises(StoreUnreadable) as unread:
        store.read()
    assert store.path.read_bytes() == GARBAGE
    assert "an-article.json" in str(unread.value) and "\n" not in str(unread.value)
    assert not list(store.path.parent.glob("an-article.json.corrupt-*"))
    with pytest.raises(StoreCorrupt) as caught:  # no library here to recover from
        store.save_annotation(_annotation())
    error = caught.value
    assert not store.path.exists()
    assert error.moved_to.parent == store.path.parent
    assert error.moved_to.name.startswith("an-article.json.corrupt-")
    assert error.moved_to.read_bytes() == GARBAGE
    message = str(error)
    assert "\n" not in message and "an-article.json" in message
    assert error.moved_to.name in message


def test_a_file_being_written_in_place_is_never_set_aside_by_a_read(store):
    """An editor or a sync tool writing the store in place: a read that finds it
    half-written says so and leaves it; once the write ends, the notes are read."""
    store.write_info(_info())
    annotation = _annotation()
    store.save_annotation(annotation)
    whole = store.path.read_bytes()
    with open(store.path, "r+b") as handle:  # in place, as `>` or an editor does
        handle.truncate(0)
        handle.write(whole[: len(whole) // 2])
        handle.flush()
        with pytest.raises(StoreUnreadable):
            store.read()
        assert store.path.exists()
        handle.write(whole[len(whole) // 2 :])
    assert store.path.read_bytes() == whole
    assert [a.id for a in store.read().annotations] == [annotation.id]
    assert not list(store.path.parent.glob("an-article.json.corrupt-*"))


def test_after_a_corrupt_file_is_moved_aside_the_store_starts_empty(store):
    store.path.write_bytes(GARBAGE)
    with pytest.raises(StoreUnreadable):
        store.read()
    with pytest.raises(StoreCorrupt):
        store.save_annotation(_annotation())
    assert (store.read().article, store.read().annotations) == (None, [])
    annotation = _annotation()
    store.save_annotation(annotation)
    assert store.read().annotations == [annotation]
    assert len(list(store.path.parent.glob("an-article.json.corrupt-*"))) == 1


def test_store_from_a_newer_schema_is_left_untouched(store):
    newer = {"meta": {"1": {"schema": 99, "article": {"id": "an-article", "title": "Future"}}}}
    store.path.write_text(json.dumps(newer), encoding="utf-8")
    before = store.path.read_bytes()
    with pytest.raises(StoreTooNew) as caught:
        store.read()
    assert "99" in str(caught.value) and "an-article.json" in str(caught.value)
    with pytest.raises(StoreTooNew):
        store.save_annotation(_annotation())
    with pytest.raises(StoreTooNew):
        store.write_info(_info())
    assert store.path.read_bytes() == before
    assert not list(store.path.parent.glob("*.corrupt-*"))


def test_library_lists_an_article_whose_store_is_corrupt(seed_library, seed_id):
    store_path = seed_library.annotations_dir / f"{seed_id}.json"
    title = seed_library.list_articles()[0].title
    replace_by_hand(store_path, GARBAGE)
    seed_library.problems.clear()
    infos = seed_library.list_articles()
    assert [i.id for i in infos] == [seed_id]
    assert infos[0].title == title  # the metadata the index had
    assert len(seed_library.problems) == 1
    assert store_path.name in seed_library.problems[0]
    # Left as it is by the reads; the first write sets it aside with its bytes
    # and starts a new store with the metadata the index had, the note in it.
    assert store_path.read_bytes() == GARBAGE
    assert not list(store_path.parent.glob(f"{store_path.name}.corrupt-*"))
    annotation = _annotation()
    seed_library.store(seed_id).save_annotation(annotation)
    (aside,) = store_path.parent.glob(f"{store_path.name}.corrupt-*")
    assert aside.read_bytes() == GARBAGE
    data = json.loads(store_path.read_bytes())
    assert data["meta"]["1"]["article"]["title"] == title
    assert [a["id"] for a in data["annotations"].values()] == [annotation.id]
    assert any("saved into a new one" in p for p in seed_library.problems)


def test_library_reports_a_store_too_new_and_still_lists_the_article(seed_library, seed_id):
    store_path = seed_library.annotations_dir / f"{seed_id}.json"
    replace_by_hand(store_path, json.dumps({"meta": {"1": {"schema": 99}}}).encode())
    before = store_path.read_bytes()
    seed_library.problems.clear()
    assert [i.id for i in seed_library.list_articles()] == [seed_id]
    assert len(seed_library.problems) == 1 and store_path.name in seed_library.problems[0]
    assert store_path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [
        {"annotations": {"1": {"id": "hand-edited", "tags": []}}},
        {"meta": {"1": "not an object"}},
        {"meta": {"1": {"schema": "1"}}},
    ],
    ids=["annotation-without-target", "meta-not-an-object", "schema-not-a-number"],
)
def test_library_reports_a_malformed_store_instead_of_crashing(seed_library, seed_id, content):
    """Valid JSON of the wrong shape (a hand edit gone wrong) must be a reported
    problem, like garbage bytes, not an uncaught KeyError/ValueError/TypeError
    that takes down ``reader list`` and the library screen."""
    store_path = seed_library.annotations_dir / f"{seed_id}.json"
    replace_by_hand(store_path, json.dumps(content).encode())
    seed_library.problems.clear()
    infos = seed_library.list_articles()
    assert [i.id for i in infos] == [seed_id]
    assert seed_library.problems and store_path.name in seed_library.problems[0]


# --- durable writes and temporaries --------------------------------------------------


def test_atomic_write_replaces_content_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "file.json"
    atomic_write(path, b"first")
    atomic_write(path, b"second, longer")
    assert path.read_bytes() == b"second, longer"
    assert _names(tmp_path) == ["file.json"]


def test_store_writes_leave_only_the_store_and_its_lock(store, tmp_path):
    store.write_info(_info())
    store.save_annotation(_annotation())
    store.cache_entities("k", sha256(TEXT), [])
    assert _names(tmp_path) == [".locks", "an-article.json"]
    assert _names(tmp_path / ".locks") == ["an-article.lock"]


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_remove_stray_temporaries_removes_those_of_dead_writers(tmp_path):
    pid = _dead_pid()
    stray = tmp_path / f".x.json.{pid}.abcd.tmp"
    stray.write_bytes(b"half a write")
    keep = tmp_path / "x.json"
    keep.write_bytes(b"{}")
    assert remove_stray_temporaries(tmp_path) == [stray]
    assert _names(tmp_path) == ["x.json"]


def test_remove_stray_temporaries_keeps_those_of_live_writers(tmp_path):
    sleeper = subprocess.Popen(["sleep", "5"])
    try:
        live = tmp_path / f".x.json.{sleeper.pid}.abcd.tmp"
        live.write_bytes(b"being written")
        dead = tmp_path / f".y.json.{_dead_pid()}.ef01.tmp"
        dead.write_bytes(b"abandoned")
        assert remove_stray_temporaries(tmp_path) == [dead]
        assert live.read_bytes() == b"being written"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_remove_stray_temporaries_keeps_those_of_this_process(tmp_path):
    """This process is alive, so its temporaries are writes in flight (another
    thread's atomic_write), not strays. Library.ensure() runs on every add;
    deleting them makes a concurrent save fail in os.replace."""
    ours = tmp_path / f".x.json.{os.getpid()}.abcd.tmp"
    ours.write_bytes(b"being written by another thread")
    assert remove_stray_temporaries(tmp_path) == []
    assert ours.exists()


def test_library_ensure_clears_dead_temporaries_in_both_folders(tmp_path):
    library = Library(tmp_path).ensure()
    pid = _dead_pid()
    strays = [
        library.articles_dir / f".a.txt.{pid}.0000.tmp",
        library.annotations_dir / f".a.json.{pid}.0000.tmp",
    ]
    for stray in strays:
        stray.write_bytes(b"x")
    library.ensure()
    assert not any(s.exists() for s in strays)


# --- one parse per operation (issue 13) --------------------------------------------------


def test_each_store_operation_reads_its_file_once(store, monkeypatch):
    """TinyDB reads its storage again at each table it touches: a save touched the
    file five times. Each operation of a store now reads it once (and a write
    writes it once)."""
    from pathlib import Path

    from reader.core.models import Correction

    store.write_info(_info())
    store.save_annotation(_annotation())
    reads: list[str] = []
    original = Path.read_bytes

    def counting(path: Path) -> bytes:
        if path == store.path:
            reads.append(path.name)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    annotation = _annotation(tags=("second",), note="")
    operations = {
        "read": store.read,
        "snapshot": store.snapshot,
        "save_annotation": lambda: store.save_annotation(annotation),
        "update_annotation": lambda: store.update_annotation(annotation, {"note": "n"}),
        "update_article": lambda: store.update_article(_info(), tags=("a", "b")),
        "save_correction": lambda: store.save_correction(Correction("c1", "remove", "Turkey")),
        "corrections": store.corrections,
        "cache_entities": lambda: store.cache_entities("key", sha256(TEXT), []),
        "delete_annotation": lambda: store.delete_annotation(annotation.id),
    }
    for name, operation in operations.items():
        reads.clear()
        operation()
        assert len(reads) == 1, (name, len(reads))
    # What was written is what the next operation reads.
    contents = store.read()
    assert contents.article["tags"] == ["a", "b"]
    (kept,) = contents.annotations
    assert kept.tags == ("leader",) and kept.note == "Turkey's president"


def test_a_batch_is_made_durable_by_syncing_its_own_files(tmp_path, monkeypatch):
    """Not with os.sync, which waited for every file system of the machine (a USB
    disk, a network mount) at each batch of an import: an fsync of each file written."""
    from reader.core import durable as durable_module
    from reader.core.durable import write_durably

    synced: list[int] = []
    real_fsync = os.fsync

    def forbidden() -> None:
        raise AssertionError("os.sync called")

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(durable_module.os, "sync", forbidden)
    monkeypatch.setattr(durable_module.os, "fsync", fsync)
    items = [(tmp_path / f"{n}.txt", f"text {n}".encode()) for n in range(5)]
    write_durably(items)
    assert [p.read_text() for p, _ in items] == [f"text {n}" for n in range(5)]
    assert len(synced) >= len(items)  # each file (and then its folder)
