"""Worker processes started from anywhere, a Textual app's worker threads included."""

from __future__ import annotations

import multiprocessing
import sys
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def process_pool(
    workers: int, initializer: Callable[..., Any] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """``workers`` processes (spawned: never a fork of a process with threads),
    started now. multiprocessing hands the new processes the standard streams'
    descriptors, and a UI (Textual) has replaced ``sys.stdout`` and
    ``sys.stderr`` with objects that have none: the real ones are put back for
    that moment, with Python's warnings silenced (one written then would land
    on a UI's screen, as "resource_tracker: process died unexpectedly" did)."""
    from multiprocessing import resource_tracker

    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            resource_tracker.ensure_running()
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=initializer,
                initargs=initargs,
            )
            for future in [pool.submit(int) for _ in range(workers)]:  # start them all
                future.result()
    finally:
        sys.stdout, sys.stderr = streams
    return pool
