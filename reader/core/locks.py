"""File locks that work on POSIX and Windows: ``flock`` here (as before, so a
lock taken by an older reader or another tool is still seen), portalocker's
``LockFileEx`` on Windows, where Textual runs too. portalocker is not imported
on POSIX: it takes 90 ms to import, more than the app's first frame may.

:func:`flocked` holds one on a lock file of its own, beside the data it guards."""

from __future__ import annotations

import contextlib
import errno
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

if sys.platform == "win32":  # pragma: no cover (tested where it runs)
    import portalocker

    def lock_exclusive(handle: IO[Any], *, wait: bool = True) -> bool:
        flags = portalocker.LOCK_EX if wait else portalocker.LOCK_EX | portalocker.LOCK_NB
        try:
            portalocker.lock(handle, flags)
        except portalocker.AlreadyLocked:
            return False
        return True

    def lock_shared(handle: IO[Any]) -> None:
        portalocker.lock(handle, portalocker.LOCK_SH)

    def unlock(handle: IO[Any]) -> None:
        portalocker.unlock(handle)

else:
    import fcntl

    def lock_exclusive(handle: IO[Any], *, wait: bool = True) -> bool:
        """Lock ``handle``'s file for this process alone; without ``wait``, False
        at once when another holds it."""
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def lock_shared(handle: IO[Any]) -> None:
        """Lock ``handle``'s file shared: with other readers, not with a writer."""
        fcntl.flock(handle, fcntl.LOCK_SH)

    def unlock(handle: IO[Any]) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def flocked(lock_path: Path, *, reading: bool = False) -> Iterator[bool]:
    """Hold an exclusive lock on ``lock_path``, a file of its own beside the data
    (a lock on the data file would go with it at each atomic rename); gives True.

    ``reading``: where the lock file cannot be made or opened for writing (a
    library on a read-only disk, or someone else's; ``.locks`` not a folder),
    a shared lock on the file if it can be opened to read, else none, and gives
    False: a read needs none, since every write replaces a file whole, atomically
    (a reader sees the old file or the new), but it must then change nothing."""
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(lock_path, "a+b")  # noqa: SIM115 (closed below)
    except OSError as error:
        if not reading:
            if isinstance(error, FileExistsError):  # (from mkdir)
                message = "not a folder (reader keeps its lock files there)"
                raise NotADirectoryError(errno.ENOTDIR, message, str(lock_path.parent)) from None
            raise
        try:
            shared = open(lock_path, "rb")  # noqa: SIM115 (closed below)
        except OSError:
            yield False
            return
        with shared:
            lock_shared(shared)
            yield False
        return
    with lock:
        lock_exclusive(lock)
        try:
            yield True
        finally:
            unlock(lock)
