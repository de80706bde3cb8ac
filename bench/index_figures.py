"""Figures of the library index and the CLI: 3 full-text queries (vs grep), 4
CLI processes (vs ``reader --help``), 6 a cold rebuild, 8 saving a note."""

from __future__ import annotations

import random
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from bench.harness import (
    READER,
    Report,
    child_env,
    children,
    cmdline,
    median,
    ms,
    run_seconds,
)

QUERY_GOAL, GREP_FACTOR = 0.050, 20
CLI_GOAL = 1.5
REBUILD_GOAL = 120.0
SAVE_GOAL = 1.2
SAVE_SEED = 20240917
# (the reader query, the words grep looks for: all of them, as substrings, any case)
QUERIES = [
    ("hezbollah", ["hezbollah"]),
    ("ceasefire", ["ceasefire"]),
    ("parliament", ["parliament"]),
    ("vellumorph", ["vellumorph"]),
    ('"m4 highway"', ["m4 highway"]),
    ("erdogan", ["erdoğan"]),  # the texts write Erdoğan; reader folds the diacritic
    ("refinery", ["refinery"]),
    ("ceasefire parliament", ["ceasefire", "parliament"]),
    ("drought harvest", ["drought", "harvest"]),
    ("farmer drought subsidy", ["farmer", "drought", "subsidy"]),
]


def _grep(articles: Path, words: list[str]) -> tuple[float, int]:
    """Seconds and files of ``grep -rliF`` for the first word, and of ``grep -liF``
    over what it found for each further word (all words, anywhere in the file)."""
    script = f'grep -rlZiF -e "$1" {shlex.quote(str(articles))}'
    for n in range(2, len(words) + 1):
        script += f' | xargs -0 -r grep -lZiF -e "${n}"'
    script += " | tr '\\0' '\\n'"
    began = time.perf_counter()
    done = subprocess.run(
        ["sh", "-c", script, "grep", *words],
        capture_output=True,
        env=child_env(),
        check=False,
    )
    seconds = time.perf_counter() - began
    return seconds, len(done.stdout.splitlines())


def full_text(report: Report, roots: dict[int, Path], reps: int) -> None:
    report.heading(
        "query",
        "catalog.article_ids(parse_query(q)) in this process, warm (each query run once "
        "first), vs grep -rliF over the same articles/ folder, warm page cache (several "
        f"words: grep -rliF for the first, then grep -liF over its files for each next "
        f"one); medians of {reps}, interleaved. grep matches substrings of the text "
        "only, reader whole words of the text, title, author and notes: the counts may "
        "differ a little",
    )
    from reader.core.library import Library
    from reader.core.query import parse_query

    largest = max(roots)
    for size, root in roots.items():
        catalog = Library(root).catalog
        articles = Path(root) / "articles"
        for query, words in QUERIES:  # warm-up
            catalog.article_ids(parse_query(query))
            _grep(articles, words)
        times: dict[str, tuple[list[float], list[float]]] = {q: ([], []) for q, _ in QUERIES}
        hits: dict[str, tuple[int, int]] = {}
        for _ in range(reps):
            for query, words in QUERIES:
                began = time.perf_counter()
                found = catalog.article_ids(parse_query(query))
                times[query][0].append(time.perf_counter() - began)
                seconds, grepped = _grep(articles, words)
                times[query][1].append(seconds)
                hits[query] = (len(found), grepped)
        catalog.close()
        for query, _ in QUERIES:
            ours, theirs = median(times[query][0]), median(times[query][1])
            factor = theirs / ours
            judged = size == largest
            report.add(
                "query",
                size,
                f"{query} ({hits[query][0]:,} hits; grep {hits[query][1]:,})",
                ms(ours),
                f"grep {ms(theirs)} ({factor:,.0f}x)",
                f"<= {QUERY_GOAL * 1000:.0f} ms"
                + (f", >= {GREP_FACTOR}x grep" if judged else f" ({GREP_FACTOR}x at {largest:,})"),
                ours <= QUERY_GOAL and (factor >= GREP_FACTOR or not judged),
            )


def cli(report: Report, roots: dict[int, Path], runs: int) -> None:
    report.heading(
        "cli",
        "each command a process, stdout to /dev/null, vs `reader --help`; medians of "
        f"{runs} interleaved runs after one warm-up each",
    )
    for size, root in roots.items():
        library = ["--library", str(root)]
        commands = {
            "reader list": [READER, *library, "list"],
            "reader notes tag:important": [READER, *library, "notes", "tag:important"],
            "reader list entity:merkel": [READER, *library, "list", "entity:merkel"],
            "reader --help": [READER, "--help"],
        }
        lines = {}
        for name, command in commands.items():  # warm-up, and how much each prints
            done = subprocess.run(command, capture_output=True, env=child_env(), check=True)
            lines[name] = len(done.stdout.splitlines())
        times: dict[str, list[float]] = {name: [] for name in commands}
        names = list(commands)
        for run in range(runs):
            for name in names[run % len(names) :] + names[: run % len(names)]:
                times[name].append(run_seconds(commands[name]))
        base = median(times["reader --help"])
        for name in names[:-1]:
            ratio = median(times[name]) / base
            report.add(
                "cli",
                size,
                f"{name} ({lines[name]:,} lines)",
                ms(median(times[name])),
                f"--help {ms(base)} (ratio {ratio:.2f})",
                f"ratio <= {CLI_GOAL}",
                ratio <= CLI_GOAL,
            )


def rebuild(report: Report, roots: dict[int, Path]) -> None:
    report.heading(
        "rebuild",
        "annotations/.index/ deleted, then `reader --library DIR list > /dev/null` "
        "(it builds the index; stderr a pipe, so no progress bar); page cache warm",
    )
    from reader.core.library import Library

    for size, root in roots.items():
        shutil.rmtree(Path(root) / "annotations" / ".index", ignore_errors=True)
        began = time.perf_counter()
        process = subprocess.Popen(
            [READER, "--library", str(root), "list"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=child_env(),
        )
        workers: set[int] = set()
        while process.poll() is None:
            for pid in children(process.pid):
                if "spawn_main" in cmdline(pid):
                    workers.add(pid)
            time.sleep(0.05)
        seconds = time.perf_counter() - began
        err = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if process.returncode != 0:
            raise RuntimeError(f"reader list failed: {err}")
        library = Library(root)
        assert library.catalog.is_ready() and library.catalog.count() == size
        library.catalog.close()
        how = f"with {len(workers)} worker processes" if workers else "in the one process"
        report.add(
            "rebuild",
            size,
            f"rebuild and list, {how}",
            ms(seconds),
            "",
            f"<= {REBUILD_GOAL:.0f} s",
            seconds <= REBUILD_GOAL,
        )


def _save(library: object, article_id: str) -> float:
    from reader.core.anchoring import new_annotation

    # The article as the app has it when a note is saved: opened (its text and
    # store read, so in the page cache, as they are for the reader).
    article, _ = library.load(article_id)  # type: ignore[attr-defined]
    text = article.text
    stop = text.find(".")
    end = stop + 1 if 0 < stop < 300 else min(len(text), 40)
    annotation = new_annotation(text, 0, end, ("bench",), "a benchmark note")
    store = library.store(article_id)  # type: ignore[attr-defined]
    began = time.perf_counter()
    store.save_annotation(annotation)
    return time.perf_counter() - began


def save_note(report: Report, small_root: Path, roots: dict[int, Path], rounds: int) -> None:
    report.heading(
        "save",
        "library.store(id).save_annotation(new_annotation(...)) on a random article of "
        "each library, opened first (library.load, as the app has it when a note is saved); "
        "fsync'd, and the article's rows in the index updated; interleaved "
        f"round by round; medians of {rounds}; the stores are put back afterwards",
    )
    from reader.core.durable import atomic_write
    from reader.core.library import Library

    libraries = {100: Library(small_root)} | {size: Library(root) for size, root in roots.items()}
    rng = random.Random(SAVE_SEED)
    chosen, kept = {}, {}
    for size, library in libraries.items():
        library.catalog.ensure()
        chosen[size] = rng.sample(library.article_ids(), rounds + 1)
        kept[size] = {i: library.store(i).path.read_bytes() for i in chosen[size]}
    times: dict[int, list[float]] = {size: [] for size in libraries}
    order = list(libraries)
    try:
        for size, library in libraries.items():  # warm-up
            _save(library, chosen[size][-1])
        for round_ in range(rounds):
            for size in order[round_ % len(order) :] + order[: round_ % len(order)]:
                times[size].append(_save(libraries[size], chosen[size][round_]))
    finally:
        for size, library in libraries.items():
            for article_id, data in kept[size].items():
                atomic_write(library.store(article_id).path, data)
            library.catalog.update_many(list(kept[size]))
            library.catalog.reconcile()
            library.catalog.close()
    base = median(times[100])
    for size in roots:
        ratio = median(times[size]) / base
        report.add(
            "save",
            size,
            "save_annotation",
            ms(median(times[size])),
            f"at 100 articles {ms(base)} (ratio {ratio:.2f})",
            f"ratio <= {SAVE_GOAL}",
            ratio <= SAVE_GOAL,
        )
