"""File locks that work on POSIX and Windows (portalocker: ``flock`` here, as
before, so a lock taken by an older reader or another tool is still seen;
``LockFileEx`` on Windows, where Textual runs too)."""

from __future__ import annotations

from typing import IO, Any

import portalocker


def lock_exclusive(handle: IO[Any], *, wait: bool = True) -> bool:
    """Lock ``handle``'s file for this process alone; without ``wait``, False at
    once when another holds it."""
    flags = portalocker.LOCK_EX if wait else portalocker.LOCK_EX | portalocker.LOCK_NB
    try:
        portalocker.lock(handle, flags)
    except portalocker.AlreadyLocked:
        return False
    return True


def lock_shared(handle: IO[Any]) -> None:
    """Lock ``handle``'s file shared: with other readers, not with a writer."""
    portalocker.lock(handle, portalocker.LOCK_SH)


def unlock(handle: IO[Any]) -> None:
    portalocker.unlock(handle)
