"""Crash safety of the store: writers SIGKILLed at random moments never leave a
store file that plain ``json`` cannot parse, never lose an annotation whose id
they printed (an id is printed only after ``save_annotation`` returned), and
leave no temporary file that ``Library.ensure()`` does not clear.

Starting an interpreter per trial costs more than the trial itself, so a small
helper process (one interpreter, ``reader.core.store`` imported once) forks a
writer per trial. The writer prints each id on its stdout (a pipe to the
helper), flushed, right after ``save_annotation`` returns; the helper waits for
the first id, then either sleeps the delay the test chose (seeded) or, on every
other trial, waits for the writer to stop inside its second write (its file
written and synced, not yet renamed: it says so and sleeps), so that half the
kills land mid-write whatever the machine's speed; SIGKILLs the writer,
reaps it (so its pid is dead) and sends back every id it had printed. The test
then checks the files. One more test does the same to the ``reader annotate``
command itself.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from reader.core.library import LIBRARY_ENV, Library
from reader.core.models import ArticleDraft

SEED = 20240917
TRIALS = 500
ARTICLES = 5
MAX_DELAY = 0.060  # seconds after the writer's first printed id
TEXT = (
    "Earlier on Saturday, Turkey's President Recep Tayyip Erdogan threatened reprisals "
    "against the Syrian government forces."
)
QUOTE = "Recep Tayyip Erdogan"

# The helper: reads one JSON trial per line on stdin, answers one JSON line.
HELPER = r"""
import json, os, select, signal, sys, time
from pathlib import Path
PAUSED = "@paused"
from reader.core.anchoring import new_annotation
from reader.core.store import ArticleStore

def writer(folder, article_id, text, start, end, fd, pause):
    os.dup2(fd, 1)
    out = os.fdopen(1, "w", closefd=False)
    if pause:  # the second save stops inside its write, its file written, not renamed
        import reader.core.durable as durable_module
        replace, calls = durable_module.os.replace, []

        class Paused:
            def __getattr__(self, name):
                return getattr(os, name)

            def replace(self, *args):
                calls.append(args)
                if len(calls) == 2:
                    print(PAUSED, file=out, flush=True)
                    time.sleep(3600)  # until killed
                return replace(*args)

        durable_module.os = Paused()
    store = ArticleStore(Path(folder), article_id)
    while True:
        annotation = new_annotation(text, start, end, note="crash test")
        store.save_annotation(annotation)
        print(annotation.id, file=out, flush=True)

def read_ids(fd, until_first, deadline):
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            return data, True
        data += chunk
        if until_first and b"\n" in data:
            return data, False
    return data, False

for line in sys.stdin:
    trial = json.loads(line)
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_end)
            writer(trial["folder"], trial["article"], trial["text"],
                   trial["start"], trial["end"], write_end, trial["watch"])
        except BaseException as error:
            print(f"writer failed: {error!r}", file=sys.stderr, flush=True)
            code = 3
        finally:
            os._exit(code)
    os.close(write_end)
    data, eof = read_ids(read_end, True, time.monotonic() + 10)
    started = b"\n" in data
    if started and trial["watch"]:
        # Killed where it stopped: inside its second write, for sure.
        while PAUSED.encode() not in data and not eof:
            more, eof = read_ids(read_end, True, time.monotonic() + 10)
            if not more:
                break
            data += more
    elif started:
        time.sleep(trial["delay"])
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)  # reaped: its temporaries belong to a dead pid
    if not eof:
        rest, _ = read_ids(read_end, False, time.monotonic() + 10)
        data += rest
    os.close(read_end)
    lines = [line for line in data.decode().split("\n") if line != PAUSED]
    print(json.dumps({
        "pid": pid,
        "started": started,
        "killed": os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL,
        "ids": lines[:-1],
        "partial": lines[-1],
    }), flush=True)
"""


def _make_library(root: Path, count: int) -> tuple[Library, dict[str, str]]:
    library = Library(root).ensure()
    drafts = [
        ArticleDraft(text=f"{TEXT} Report number {n}.", title=f"Report {n}") for n in range(count)
    ]
    results = library.add_many(drafts)
    return library, {r.article_id: d.text for r, d in zip(results, drafts, strict=True)}


def _stored_ids(path: Path) -> list[str]:
    data = json.loads(path.read_bytes())  # plain json, not orjson or TinyDB
    assert data["meta"]["1"]["article"]["id"] == path.stem
    return [record["id"] for record in data.get("annotations", {}).values()]


def _temporaries(library: Library) -> list[Path]:
    return [
        path
        for folder in (library.articles_dir, library.annotations_dir)
        for path in folder.iterdir()
        if path.name.endswith(".tmp")
    ]


def test_writers_killed_at_random_lose_no_printed_annotation(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    library, texts = _make_library(tmp_path / "lib", ARTICLES)
    printed: dict[str, set[str]] = {article_id: set() for article_id in texts}
    trials_on: dict[str, int] = dict.fromkeys(texts, 0)
    left_temporaries = killed_mid_write = 0
    helper = subprocess.Popen(
        [sys.executable, "-c", HELPER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    try:
        assert helper.stdin is not None and helper.stdout is not None
        for trial in range(TRIALS):
            article_id = list(texts)[trial % ARTICLES]
            text = texts[article_id]
            start = text.index(QUOTE)
            delay = rng.uniform(0.0, MAX_DELAY)
            request = {
                "folder": str(library.annotations_dir),
                "article": article_id,
                "text": text,
                "start": start,
                "end": start + len(QUOTE),
                "delay": delay,
                "watch": trial % 2 == 1,
            }
            helper.stdin.write(json.dumps(request) + "\n")
            reply_line = helper.stdout.readline()
            assert reply_line, f"trial {trial}: the helper died (exit {helper.poll()})"
            reply = json.loads(reply_line)
            how = "watching" if request["watch"] else f"delay {delay * 1000:.1f} ms"
            where = f"trial {trial} (seed {SEED}, {how}, {article_id})"
            assert reply["started"], f"{where}: the writer printed nothing"
            assert reply["killed"], f"{where}: the writer was not killed but ended by itself"
            # A partial line would mean the id was not printed whole: ignore it
            # (a write of a few bytes to a pipe is atomic, so there is none).
            assert reply["partial"] == "", f"{where}: partial output {reply['partial']!r}"
            trials_on[article_id] += 1
            printed[article_id].update(reply["ids"])

            stored = _stored_ids(library.store(article_id).path)
            missing = printed[article_id] - set(stored)
            assert not missing, f"{where}: printed ids missing from the store: {missing}"
            assert len(stored) == len(set(stored)), f"{where}: an id is stored twice"
            # At most one save per kill can have landed without its id printed.
            unprinted = set(stored) - printed[article_id]
            assert len(unprinted) <= trials_on[article_id], f"{where}: unknown ids {unprinted}"

            stray = _temporaries(library)
            left_temporaries += bool(stray)
            killed_mid_write += any(f".{reply['pid']}." in p.name for p in stray)
            Library(library.root).ensure()
            assert _temporaries(library) == [], f"{where}: temporaries left after ensure()"
    finally:
        if helper.stdin:
            helper.stdin.close()
        helper.wait(timeout=30)
    assert helper.returncode == 0
    # The kills did land inside writes, or the test proves little: every other
    # trial's, stopped there (the others, at random moments, may too).
    print(f"killed mid-write: {killed_mid_write} of {TRIALS}")
    assert killed_mid_write >= TRIALS // 2, (left_temporaries, killed_mid_write)
    for article_id in texts:  # every article, read back through the store itself
        ids = {a.id for a in library.store(article_id).read().annotations}
        assert printed[article_id] <= ids


def _cli(library: Library, article_id: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reader",
            "--library",
            str(library.root),
            "annotate",
            article_id,
            "--quote",
            QUOTE,
            "--tag",
            "crash",
            "--note",
            "CLI",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def test_reader_annotate_killed_keeps_every_id_it_printed(tmp_path: Path) -> None:
    """The CLI's contract: an id on stdout is in the store, whenever it is killed."""
    rng = random.Random(SEED + 1)
    library, texts = _make_library(tmp_path / "lib", 1)
    (article_id,) = texts
    path = library.store(article_id).path
    printed: list[str] = []

    # Killed as soon as its id is on stdout (it may be exiting already).
    process = _cli(library, article_id)
    assert process.stdout is not None
    line = process.stdout.readline()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert line.strip(), process.stderr.read() if process.stderr else ""
    printed.append(line.decode().strip())
    assert printed[-1] in _stored_ids(path)

    # One full run for its duration, then runs killed at random moments in it.
    began = time.monotonic()
    process = _cli(library, article_id)
    out, err = process.communicate(timeout=60)
    duration = time.monotonic() - began
    assert process.returncode == 0, err
    printed.append(out.decode().strip())
    for _ in range(6):
        process = _cli(library, article_id)
        time.sleep(rng.uniform(0.5, 1.1) * duration)
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate(timeout=30)
        printed += out.decode().split()
        stored = _stored_ids(path)
        assert set(printed) <= set(stored), (printed, stored)
    Library(library.root).ensure()
    assert _temporaries(library) == []
