"""The benchmark suite runs: ``python -m bench --smoke`` (the library of 1,000
articles, few repetitions, no timing goal judged) exits 0 and prints a line
for every figure. Timings are not asserted here (see BENCHMARKS.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIGURES = [
    "first paint",
    "filter keystroke to repainted list",
    "full-text query",
    "CLI processes",
    "another process adds an article",
    "cold index rebuild",
    "peak RSS",
    "save a note",
    "open a 10,000-word article",
    "cursor motion",
]


def test_the_benchmark_suite_runs() -> None:
    env = {key: value for key, value in os.environ.items() if key != "READER_LIBRARY"}
    env["READER_NO_BACKGROUND"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    for number, title in enumerate(FIGURES, 1):
        heading = f"[{number}] {title}"
        assert heading in done.stdout, f"no {heading!r} in:\n{output[-4000:]}"
        # and a result row of it in the summary table
        row = re.compile(rf"^\| {number} \| .*\| not judged \|$", re.MULTILINE)
        assert row.search(done.stdout), f"no result row of figure {number}:\n{output[-4000:]}"
    assert "FAILED" not in done.stdout
