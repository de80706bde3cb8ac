"""File locks that work on POSIX and Windows: ``flock`` here (as before, so a
lock taken by an older reader or another tool is still seen), portalocker's
``LockFileEx`` on Windows, where Textual runs too. portalocker is not imported
on POSIX: it takes 90 ms to import, more than the app's first frame may."""

from __future__ import annotations

import sys
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
