"""Durable files: written atomically and fsync'd, so that a crash or a full
disk leaves the old file or the new one, never half of one; the temporary
files of writers that died cleared away; a file that cannot be read moved aside.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file,
    and a write that fails (a full disk) leaves the old file and no temporary one.
    ``sync=False``: for derived data (made again when lost), not synced to disk."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:  # a full disk fails the write, flush or fsync
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # the write's own error is the one to tell
            tmp.unlink()
        raise
    if sync:
        fsync_dir(path.parent)


def write_durably(
    items: list[tuple[Path, bytes]], exclusive: AbstractSet[Path] = frozenset()
) -> None:
    """Write several files atomically and durably.

    Each goes to a temporary file first, all of them written before any is
    synced (so the system writes them out together, and each fsync after the
    first finds less to wait for: not the whole machine's ``os.sync``, which
    waited for every file system's writes); then each is renamed into place,
    in order, and the folders are fsync'd. A path in ``exclusive`` must not
    exist yet: it is linked, never replaced, so no file is ever overwritten.
    """
    staged: list[tuple[Path, Path]] = []
    handles: list[io.BufferedWriter] = []
    try:
        try:
            for path, data in items:
                tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
                handle = open(tmp, "xb")  # noqa: SIM115 (closed below, each once synced)
                handles.append(handle)
                staged.append((tmp, path))  # so removed below, whatever fails
                handle.write(data)
            for handle in handles:  # a full disk fails a write, a flush or an fsync
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            for handle in handles:
                handle.close()
        for tmp, path in staged:
            if path in exclusive:
                os.link(tmp, path)  # FileExistsError rather than overwrite
                tmp.unlink()
            else:
                os.replace(tmp, path)
    finally:
        for tmp, _ in staged:  # none is left, whatever failed
            with contextlib.suppress(OSError):
                tmp.unlink()
    for folder in {path.parent for path, _ in items}:
        fsync_dir(folder)


_TEMPORARY = re.compile(r"\.(\d+)(?:\.[0-9a-f]+)?\.tmp$")  # .<name>.<pid>[.<token>].tmp


def remove_stray_temporaries(folder: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Delete temporary files left by writers that died (their pid is gone):
    those of ``names`` when the caller has listed the folder already."""
    removed = []
    found = folder.glob(".*.tmp") if names is None else (folder / name for name in names)
    for tmp in found:
        match = _TEMPORARY.search(tmp.name)
        pid = int(match.group(1)) if match else 0
        if pid and process_alive(pid):  # a live writer, this process included
            continue
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process of that id runs (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, target)
    return target
