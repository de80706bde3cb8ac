"""Shared pieces of the benchmark suite (``python -m bench``): the environment of
the processes it starts, statistics, results and their verdicts, the machine.

Every process the suite starts runs without ``PYTHONDONTWRITEBYTECODE`` (real
installs cache bytecode; without the cache every start compiles all modules,
about twice as slow) and with ``READER_NO_BACKGROUND=1`` (no background entity
recogniser started by the app or ``reader add``).
"""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
READER = str(Path(sys.executable).parent / "reader")  # the console script `uv run reader` runs
NO_BACKGROUND = {"READER_NO_BACKGROUND": "1"}
_DROPPED = {"PYTHONDONTWRITEBYTECODE", "TMUX", "TMUX_PANE", "NO_COLOR", "READER_LIBRARY"}


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a process the suite starts (see the module's doc)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _DROPPED and not key.startswith("TEXTUAL")
    }
    env.update(NO_BACKGROUND, LC_ALL="C.UTF-8")
    env.update(extra)
    return env


def run_seconds(command: list[str], **kwargs: object) -> float:
    """Seconds from starting ``command`` to its exit (stdout to /dev/null); fails
    loudly when it fails."""
    began = time.perf_counter()
    done = subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=child_env(),
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr!r}")
    return seconds


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mb(kilobytes: int) -> str:
    return f"{kilobytes / 1024:.0f} MB"


# --- /proc --------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """The process's children (every thread's)."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    found += [int(x) for x in handle.read().split()]
            except OSError:
                continue
    except OSError:
        return []
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def proc_status(pid: int, key: str) -> int:
    """A ``kB`` line of /proc/PID/status (VmRSS, VmHWM), 0 if the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def wait_gone(pid: int, timeout: float = 10.0) -> bool:
    """Wait until the process ``pid`` has exited (it may not be our child)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.01)
    return False


# --- results ------------------------------------------------------------------------

FIGURES = {  # --only name: (number, title)
    "paint": (1, "first paint"),
    "filter": (2, "filter keystroke to repainted list"),
    "query": (3, "full-text query"),
    "cli": (4, "CLI processes"),
    "add": (5, "another process adds an article, seen in the open app"),
    "rebuild": (6, "cold index rebuild"),
    "rss": (7, "peak RSS, an article open, model loaded"),
    "save": (8, "save a note"),
    "open": (9, "open a 10,000-word article, key to painted text"),
    "cursor": (10, "cursor motion in that article"),
}


@dataclass
class Result:
    name: str  # a key of FIGURES
    size: int | None  # articles in the library
    what: str
    measured: str
    compared: str
    goal: str
    verdict: str  # PASS, MISS, "not judged", "n/a"

    @property
    def number(self) -> int:
        return FIGURES[self.name][0]


@dataclass
class Report:
    smoke: bool = False
    results: list[Result] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)

    def heading(self, name: str, description: str) -> None:
        number, title = FIGURES[name]
        self.headings[name] = description
        print(f"\n[{number}] {title}: {description}", flush=True)

    def note(self, name: str, text: str) -> None:
        """A line of explanation, printed and kept for BENCHMARKS.md."""
        print(f"    {text}", flush=True)
        self.notes.setdefault(name, []).append(text)

    def add(
        self,
        name: str,
        size: int | None,
        what: str,
        measured: str,
        compared: str,
        goal: str,
        ok: bool | None,
    ) -> Result:
        """A figure's row; ``ok`` None: the goal does not apply here."""
        if ok is None:
            verdict = "n/a"
        elif self.smoke:
            verdict = "not judged"
        else:
            verdict = "PASS" if ok else "MISS"
        result = Result(name, size, what, measured, compared, goal, verdict)
        self.results.append(result)
        where = f"{size:>7,}" if size is not None else " " * 7
        print(
            f"  {where}  {what}: {measured}"
            + (f"  vs {compared}" if compared else "")
            + f"  [goal {goal}: {verdict}]",
            flush=True,
        )
        return result


# --- the machine ----------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    system = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = f"{line.split('=', 1)[1].strip(chr(34))} (Linux {platform.release()})"
    except OSError:
        pass
    tmux = subprocess.run(["tmux", "-V"], capture_output=True, text=True, check=False)
    from importlib.metadata import version

    return {
        "CPU": f"{model}, {os.cpu_count()} cores",
        "RAM": ram,
        "OS": system,
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "Textual": version("textual"),
        "tmux": tmux.stdout.strip() or "not installed",
        "Date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "Code": code_version(),
        "Load average at the start": load_average(),
    }


def code_version() -> str:
    """The commit checked out, whether reader/ differs from it, and a digest of
    reader/'s sources (which tells whether they changed while the suite ran)."""
    import hashlib

    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "reader"], cwd=REPO, capture_output=True
    ).stdout
    digest = hashlib.sha256()
    for path in sorted((REPO / "reader").rglob("*")):
        if path.suffix in (".py", ".tcss") and path.is_file():
            digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    return (
        f"{done.stdout.strip() or 'unknown'}"
        + (" with uncommitted changes in reader/" if dirty.strip() else "")
        + f" (reader/ sources {digest.hexdigest()[:12]})"
    )


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (other work on the machine shows here)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"
