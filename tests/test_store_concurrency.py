"""Concurrent writers on one article's store lose nothing: two processes adding
at once, one editing notes while another adds, and two ``ArticleStore``
instances on the same file in one process (threads).

The processes are plain subprocesses running :data:`WORKER`; each imports and
prepares everything, says ``ready``, and starts only when the test has heard
both and writes ``go`` to each (a barrier), so their saves overlap.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from reader.core.anchoring import new_annotation
from reader.core.library import Library
from reader.core.models import ArticleDraft
from reader.core.store import ArticleStore

TEXT = (
    "Earlier on Saturday, Turkey's President Recep Tayyip Erdogan threatened reprisals "
    "against the Syrian government forces."
)
QUOTE = "Recep Tayyip Erdogan"
START = TEXT.index(QUOTE)

WORKER = r"""
import json, sys
from dataclasses import replace
from pathlib import Path
from reader.core.anchoring import new_annotation
from reader.core.store import ArticleStore

job = json.loads(sys.argv[1])
store = ArticleStore(Path(job["folder"]), job["article"])
text, start, end = job["text"], job["start"], job["end"]
if job["mode"] == "update":
    existing = store.read().annotations
print("ready", flush=True)
assert sys.stdin.readline().strip() == "go"
written = {}
if job["mode"] == "add":
    for n in range(job["count"]):
        annotation = new_annotation(text, start, end, note=f"{job['name']} {n}")
        store.save_annotation(annotation)
        written[annotation.id] = annotation.note
else:
    for round_ in range(job["rounds"]):
        for annotation in existing:
            note = f"{job['name']} round {round_} of {annotation.id}"
            store.save_annotation(replace(annotation, note=note, modified="2001-01-01T00:00:00Z"))
            written[annotation.id] = note
print(json.dumps(written), flush=True)
"""


def _library(tmp_path: Path) -> tuple[Library, str]:
    library = Library(tmp_path / "lib").ensure()
    (result,) = library.add_many([ArticleDraft(text=TEXT, title="Reprisals")])
    return library, result.article_id


def _run_together(library: Library, article_id: str, jobs: list[dict]) -> list[dict[str, str]]:
    """Start a worker per job, release them at once, return what each wrote (id -> note)."""
    processes = []
    for job in jobs:
        job = {
            "folder": str(library.annotations_dir),
            "article": article_id,
            "text": TEXT,
            "start": START,
            "end": START + len(QUOTE),
            **job,
        }
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER, json.dumps(job)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    try:
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready"
        for process in processes:  # the barrier: both are ready, both go
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in processes:
            out, _ = process.communicate(timeout=240)
            assert process.returncode == 0
            results.append(json.loads(out))
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def _stored(library: Library, article_id: str) -> dict[str, str]:
    """id -> note, read with plain json; asserts that no id is stored twice."""
    data = json.loads(library.store(article_id).path.read_bytes())
    records = list(data.get("annotations", {}).values())
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "an annotation is stored twice"
    return {r["id"]: r["note"] for r in records}


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    library, article_id = _library(tmp_path)
    count = 500
    first, second = _run_together(
        library,
        article_id,
        [
            {"mode": "add", "name": "first", "count": count},
            {"mode": "add", "name": "second", "count": count},
        ],
    )
    assert len(first) == len(second) == count
    assert not set(first) & set(second)
    stored = _stored(library, article_id)
    assert stored == first | second
    # The saves did overlap: in file order (TinyDB's doc ids) the writers alternate.
    records = json.loads(library.store(article_id).path.read_bytes())["annotations"]
    writers = [records[key]["note"].split()[0] for key in sorted(records, key=int)]
    assert sum(a != b for a, b in zip(writers, writers[1:], strict=False)) >= 10
    # And through the store, with the article's metadata intact.
    contents = library.store(article_id).read()
    assert len(contents.annotations) == 2 * count
    assert contents.article is not None and contents.article["id"] == article_id
    assert contents.problems == []


def test_editing_notes_while_another_process_adds_loses_nothing(tmp_path: Path) -> None:
    library, article_id = _library(tmp_path)
    store = library.store(article_id)
    original = {}
    for n in range(100):
        annotation = new_annotation(TEXT, START, START + len(QUOTE), note=f"original {n}")
        store.save_annotation(annotation)
        original[annotation.id] = annotation.note
    edited, added = _run_together(
        library,
        article_id,
        [
            {"mode": "update", "name": "editor", "rounds": 3},
            {"mode": "add", "name": "adder", "count": 300},
        ],
    )
    assert set(edited) == set(original)
    assert len(added) == 300 and not set(added) & set(original)
    stored = _stored(library, article_id)
    assert stored == edited | added  # every note is the last one written
    assert all(note.startswith("editor round 2 of ") for note in edited.values())


def test_two_store_instances_in_threads_lose_nothing(tmp_path: Path) -> None:
    library, article_id = _library(tmp_path)
    stores = [
        ArticleStore(library.annotations_dir, article_id),
        ArticleStore(library.annotations_dir, article_id),
    ]
    barrier = threading.Barrier(len(stores))
    written: list[dict[str, str]] = [{} for _ in stores]
    errors: list[BaseException] = []

    def add(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(150):
                annotation = new_annotation(TEXT, START, START + len(QUOTE), note=f"{index} {n}")
                stores[index].save_annotation(annotation)
                written[index][annotation.id] = annotation.note
                if n % 50 == 0:  # and edit one of them, to mix updates in
                    stores[index].save_annotation(replace(annotation, note=f"{index} {n} edited"))
                    written[index][annotation.id] = f"{index} {n} edited"
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(len(stores))]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), time.monotonic() - began
    assert errors == []
    assert _stored(library, article_id) == written[0] | written[1]
    assert len(written[0]) == len(written[1]) == 150
