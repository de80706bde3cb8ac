"""reader's benchmark suite: ten figures at libraries of 1,000 to 100,000 articles.

    uv run python -m bench [--sizes 1000,10000,100000] [--only NAME[,NAME]] [--smoke]
        [--write]

The libraries are bench/generate.py's (cached in .bench-cache/, their index
built first). Each figure is printed beside what it is compared with, measured
in the same run (medians of several repetitions, interleaved so that both see
the same machine weather), with its goal and PASS or MISS:

   1 paint    process start to the first list row on screen, in tmux, vs a minimal
              Textual app                                     ratio <= 1.3
   2 filter   a key typed in the filter to the repainted list (headless app)
                                                              median <= 50 ms, p95 <= 100 ms
   3 query    full-text queries in the index vs grep          each <= 50 ms, >= 20x grep
   4 cli      reader list / notes / list entity:X vs reader --help     each <= 1.5x
   5 add      `reader add` in another process to the title in the open app
                                                              <= 4 s, the same at any size
   6 rebuild  a cold index rebuild (`reader list` without an index)    <= 120 s
   7 rss      peak memory, an article open, the model loaded  app + processes <= 300 MB
   8 save     saving a note at N vs at 100 articles           ratio <= 1.2
   9 open     enter to a 10,000-word article painted          <= 50 ms
  10 cursor   j/k/w to the frame with the cursor moved        median <= 16 ms, p95 <= 33 ms

--smoke: a library of 1,000 only (made in a temporary folder), few
repetitions, no goal judged (the test suite runs it). --write: (re)write
BENCHMARKS.md at the repository root. Every process started runs without
PYTHONDONTWRITEBYTECODE, after a warm-up run that writes the bytecode caches
(see bench/harness.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.harness import (
    FIGURES,
    PYTHON,
    READER,
    REPO,
    Report,
    child_env,
    code_version,
    load_average,
    machine,
)
from bench.headless import FILTER_WORDS
from bench.sections import sections

DEFAULT_SIZES = (1_000, 10_000, 100_000)
SMOKE_SIZE = 1_000
PLANS = {  # repetitions: full run, smoke run
    "paint": (11, 3),
    "filter": (len(FILTER_WORDS), 2),  # words typed
    "query": (5, 2),
    "cli": (7, 3),
    "add": (3, 1),
    "rss": (60, 60),  # the longest wait for the model (s)
    "save": (50, 10),
    "open": (7, 3),
    "cursor": (120, 30),  # key presses
}
WARM_UP = "import reader.cli, reader.tui.app, reader.tui.screens.article, reader.core.entities"


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown figure {', '.join(unknown)} (one of {', '.join(FIGURES)})"
        )
    return names


def _sizes(text: str) -> list[int]:
    try:
        return sorted({int(n.replace("_", "")) for n in text.split(",") if n.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not sizes: {text}") from None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="figures: " + ", ".join(FIGURES),
    )
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES))
    parser.add_argument("--only", type=_names, default=list(FIGURES), metavar="NAME[,NAME]")
    parser.add_argument("--smoke", action="store_true", help="1,000 articles, few repetitions")
    parser.add_argument("--write", action="store_true", help="(re)write BENCHMARKS.md")
    return parser.parse_args(argv)


def _libraries(sizes: list[int], folder: Path | None = None) -> dict[int, Path]:
    """The generated libraries, each with its index ready: the cached ones in
    .bench-cache/, or new ones in ``folder``."""
    from bench.generate import generate_library
    from reader.core.library import Library

    roots = {}
    for size in sizes:
        began = time.perf_counter()
        root = generate_library(size, folder / f"library-{size}" if folder else None)
        catalog = Library(root).catalog
        changes = catalog.ensure()
        catalog.close()
        print(
            f"library of {size:,} articles: {root} ({time.perf_counter() - began:.1f} s"
            + (f"; the index brought up to date: {changes}" if changes else "")
            + ")",
            flush=True,
        )
        roots[size] = root
    return roots


def _warm_up() -> None:
    """Write the bytecode caches of what the timed processes import."""
    env = child_env()
    subprocess.run([PYTHON, "-c", WARM_UP], env=env, check=True)
    subprocess.run([READER, "--help"], env=env, check=True, stdout=subprocess.DEVNULL)


def run(args: argparse.Namespace, report: Report) -> list[str]:
    """Run the figures asked for; the names of those that failed. A smoke run
    makes its libraries in a temporary folder: the figures change the libraries
    for a while (a rebuilt index, an article added, notes saved, each undone),
    and the cached ones may be in use by a full run."""
    if not args.smoke:
        return _run(args, report, None)
    with tempfile.TemporaryDirectory(prefix="reader-bench-smoke-") as folder:
        return _run(args, report, Path(folder))


def _run(args: argparse.Namespace, report: Report, folder: Path | None) -> list[str]:
    from bench import headless, index_figures, terminal_figures

    sizes = [SMOKE_SIZE] if args.smoke else args.sizes
    reps = {name: plan[1] if args.smoke else plan[0] for name, plan in PLANS.items()}
    roots = _libraries(sizes, folder)
    _warm_up()
    steps = {
        "paint": lambda: terminal_figures.first_paint(report, roots, reps["paint"]),
        "filter": lambda: headless.filter_keys(
            report, roots, headless.FILTER_WORDS[: reps["filter"]]
        ),
        "query": lambda: index_figures.full_text(report, roots, reps["query"]),
        "cli": lambda: index_figures.cli(report, roots, reps["cli"]),
        "add": lambda: terminal_figures.added_article(report, roots, reps["add"]),
        "rebuild": lambda: index_figures.rebuild(report, roots),
        "rss": lambda: terminal_figures.peak_memory(report, roots, reps["rss"]),
        "save": lambda: index_figures.save_note(
            report, _libraries([100], folder)[100], roots, reps["save"]
        ),
    }
    failed = []
    for name in FIGURES:
        if name not in args.only or name not in steps:
            continue
        try:
            steps[name]()
        except Exception:  # one figure's failure is reported; the others still run
            traceback.print_exc()
            print(f"[{FIGURES[name][0]}] {FIGURES[name][1]}: FAILED", flush=True)
            failed.append(name)
    long = {n for n in ("open", "cursor") if n in args.only}
    if long:
        try:
            smallest = _libraries([SMOKE_SIZE], folder)[SMOKE_SIZE]
            headless.long_article_figures(
                report, smallest, SMOKE_SIZE, reps["open"], reps["cursor"], long
            )
        except Exception:
            traceback.print_exc()
            for name in sorted(long):
                print(f"[{FIGURES[name][0]}] {FIGURES[name][1]}: FAILED", flush=True)
            failed += sorted(long)
    return failed


def summary(report: Report) -> str:
    rows = [
        "| # | Figure | Articles | What | Measured | Compared with | Goal | Result |",
        "|---|---|---:|---|---:|---|---|---|",
    ]
    for r in sorted(report.results, key=lambda r: r.number):
        size = f"{r.size:,}" if r.size is not None else ""
        cells = [str(r.number), FIGURES[r.name][1], size, r.what, r.measured]
        cells += [r.compared, r.goal, f"**{r.verdict}**" if r.verdict == "MISS" else r.verdict]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


README_START = "<!-- benchmarks: written by bench --write -->"
README_END = "<!-- end of benchmarks -->"


def readme_table(report: Report, info: dict[str, str]) -> str:
    """The README's table: each figure at the largest library measured (the
    long article's figures as they are), from the same run as BENCHMARKS.md."""
    largest = max((r.size for r in report.results if r.size is not None), default=None)
    rows = [
        f"Measured on {info['CPU']}, {info['Date']}, at {largest or 0:,} articles "
        "(9 and 10: a 10,000-word article added to the smallest library; "
        "[BENCHMARKS.md](BENCHMARKS.md) has every size, the comparisons and the method):",
        "",
        "| # | Figure | What | Measured | Compared with | Goal | Result |",
        "|---|---|---|---:|---|---|---|",
    ]
    for r in sorted(report.results, key=lambda r: r.number):
        if r.size is not None and r.size != largest and r.name not in ("open", "cursor"):
            continue
        cells = [str(r.number), FIGURES[r.name][1], r.what, r.measured, r.compared, r.goal]
        cells.append(f"**{r.verdict}**" if r.verdict == "MISS" else r.verdict)
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def write_readme(report: Report, info: dict[str, str]) -> Path:
    """Put the table between the README's markers (left as it is without them)."""
    path = REPO / "README.md"
    text = path.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if 0 <= start < end:
        table = readme_table(report, info)
        text = f"{text[: start + len(README_START)]}\n{table}\n{text[end:]}"
        path.write_text(text, encoding="utf-8")
    return path


def write_markdown(report: Report, command: str, info: dict[str, str], failed: list[str]) -> Path:
    path = REPO / "BENCHMARKS.md"
    kept = sections(path.read_text(encoding="utf-8")) if path.exists() else []
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}` (bench/library_bench.py; its docstring says what each "
        "figure measures and how). Each figure is a median of several repetitions, "
        "interleaved with what it is compared with, measured in the same run.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in info.items()),
        "",
        "## Results",
        "",
        summary(report),
        "",
    ]
    if failed:
        lines += [f"Failed to run: {', '.join(failed)} (see the run's output).", ""]
    lines += ["## How each was measured, and what was seen", ""]
    for name, (number, title) in FIGURES.items():
        if name not in report.headings:
            continue
        lines += [f"### {number}. {title}", "", report.headings[name], ""]
        notes = report.notes.get(name, [])
        if notes:
            lines += [*(f"- {note}" for note in notes), ""]
    lines += kept  # the other benches' sections (bench/sections.py), as they were
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.update(READER_NO_BACKGROUND="1")  # the apps run in this process too
    command = "uv run python -m bench" + "".join(f" {a}" for a in sys.argv[1:])
    info = machine()
    print(f"{command}\n" + "\n".join(f"  {key}: {value}" for key, value in info.items()))
    report = Report(smoke=args.smoke)
    began = time.perf_counter()
    failed = run(args, report)
    info["Load average at the end"] = load_average()
    if code_version() != info["Code"]:  # another commit, or edits, while it ran
        info["Code"] += f" at the start, {code_version()} at the end: IT CHANGED DURING THE RUN"
        print(f"warning: the code: {info['Code']}")
    print(f"\nsummary ({time.perf_counter() - began:.0f} s; load average {load_average()}):")
    print(summary(report))
    missed = [r for r in report.results if r.verdict == "MISS"]
    print(f"{len(missed)} of {len(report.results)} rows MISS their goal" if missed else "")
    if args.write:
        print(f"wrote {write_markdown(report, command, info, failed)}")
        if set(FIGURES) <= set(args.only):  # a whole run
            print(f"wrote the table in {write_readme(report, info)}")
    return 1 if failed else 0
