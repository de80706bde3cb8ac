"""The log of reader's own failures: what went wrong in reader (not in the
input it was given), with its traceback, for a bug report.

One text file, ``reader.log`` in the user's state folder (``$READER_LOG``
puts it elsewhere; ``reader config --path``'s sibling on most systems: see
README). Each failure is appended with the time and what reader was doing;
the file is cut to its last half when it grows past a megabyte. Writing the
log never raises: a failure to log is not a second failure to show.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

LOG_ENV = "READER_LOG"
LOG_LIMIT = 1 << 20  # bytes


def log_path() -> Path:
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV]).expanduser()
    from platformdirs import user_state_dir

    return Path(user_state_dir("reader", appauthor=False)) / "reader.log"


def record(doing: str, error: BaseException) -> Path:
    """Append ``error``'s traceback, with what reader was ``doing``, to the log;
    the log's path."""
    path = log_path()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    trace = "".join(traceback.format_exception(error))
    entry = f"--- {when}: {doing}\n{trace}\n"
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", errors="replace") as handle:
            handle.write(entry)
        if path.stat().st_size > LOG_LIMIT:
            _cut(path)
    return path


def _cut(path: Path) -> None:
    """Keep the log's last half (from an entry's start)."""
    data = path.read_bytes()
    tail = data[len(data) // 2 :]
    start = tail.find(b"\n--- ")
    from reader.core.durable import atomic_write

    atomic_write(path, tail[start + 1 :] if start >= 0 else tail)
