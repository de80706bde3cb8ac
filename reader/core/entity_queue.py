"""Entities for the whole library, found in the background.

The articles whose entities are still to be found are the ones the library
index marks so (no entities cached for their text, and not found to be in
another language than English). :func:`run` works through them, the last
added first, in batches, until none is left: it is resumable by design, since
what it found is in the stores and what it did not is still marked. One runs
per library at a time (an exclusive lock beside the index).

:func:`start` runs ``reader find-entities --background`` as a process of its own, at
the lowest priority and detached from the terminal: the CLI's ``reader add``
and the app start it after an import, and the app when it finds articles
waiting. Setting ``READER_NO_BACKGROUND=1`` stops that (the tests do).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from reader.core.library import Library
from reader.core.locks import lock_exclusive, unlock

NO_BACKGROUND_ENV = "READER_NO_BACKGROUND"
LOCK_NAME = "entities.lock"
LOG_NAME = "entities.log"
BATCH = 64  # articles taken from the queue at a time


def _lock_path(library: Library) -> Path:
    return library.catalog.folder / LOCK_NAME


@contextlib.contextmanager
def _held(path: Path) -> Iterator[bool]:
    """Try to hold an exclusive lock on ``path``: yields whether it is ours."""
    with open(path, "a+b") as lock:
        if not lock_exclusive(lock, wait=False):
            yield False
            return
        try:
            yield True
        finally:
            unlock(lock)


def running(library: Library) -> bool:
    """Whether a background recogniser works on this library now."""
    try:
        with _held(_lock_path(library)) as free:
            return not free
    except OSError:
        return False


def background_command(library: Library) -> list[str]:
    """The command line of the background recogniser for ``library``."""
    root = str(library.root)
    return [sys.executable, "-m", "reader", "--library", root, "find-entities", "--background"]


def start(library: Library) -> bool:
    """Start ``reader find-entities --background`` for the library, unless one runs, no
    article waits, or ``READER_NO_BACKGROUND`` is set. Returns whether it started."""
    if os.environ.get(NO_BACKGROUND_ENV):
        return False
    try:
        if not library.catalog.is_ready() or not library.catalog.count_pending_entities():
            return False
        if running(library):
            return False
        log = open(library.catalog.folder / LOG_NAME, "ab")  # noqa: SIM115
    except OSError:
        return False
    with log:
        subprocess.Popen(
            background_command(library),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # not the terminal's: it outlives the app, quietly
            close_fds=True,
        )
    return True


def run(
    library: Library,
    progress: Callable[[int], None] = lambda done: None,
    report: Callable[[str, str], None] = lambda article_id, reason: None,
) -> Counter[str]:
    """Find the entities of every article waiting for them, in this process
    (loads the model); returns counts as :func:`~reader.core.entity_batch.find_entities_in_batches`
    does, nothing when another process holds the queue. ``report`` is told of each
    article whose entities could not be found (it stays waiting, tried once a run)."""
    from reader.core.entity_batch import find_entities_in_batches

    counts: Counter[str] = Counter()
    catalog = library.catalog
    with _held(_lock_path(library)) as ours:
        if not ours:
            return counts
        tried: set[str] = set()
        while True:
            batch = [i for i in catalog.pending_entities(BATCH + len(tried)) if i not in tried]
            if not batch:
                return counts
            batch = batch[:BATCH]
            tried.update(batch)  # one try each per run: a failing article never spins
            counts.update(
                find_entities_in_batches(library, batch, progress=progress, report=report)
            )
