"""Figures timed in a real terminal (tmux): 1 first paint, 5 an article added by
another process, 7 peak memory with an article open and the model loaded."""

from __future__ import annotations

import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from bench.harness import (
    PYTHON,
    READER,
    Report,
    child_env,
    cmdline,
    descendants,
    mb,
    median,
    ms,
    proc_status,
)
from bench.terminal import Tmux

MINIMAL_TEXT = "minimal app ready"
MINIMAL_APP = f'''
from textual.app import App
from textual.widgets import Footer, Header, Static


class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("{MINIMAL_TEXT}")
        yield Footer()


if __name__ == "__main__":
    Minimal().run()
'''
PAINT_GOAL = 1.3
ADD_GOAL, ADD_SAME = 4.0, 1.5
RSS_GOAL_MB = 300


def first_title(root: Path) -> str:
    """What the first list row starts with: the newest article's title (its start)."""
    from reader.core.library import Library

    catalog = Library(root).catalog
    (info,) = catalog.infos(catalog.first_ids("date", 1))
    catalog.close()
    return info.title[:24].strip()


def first_paint(report: Report, roots: dict[int, Path], runs: int) -> None:
    report.heading(
        "paint",
        f"process start in a new tmux window (140x40) to the first list row's title on "
        f"screen (capture-pane every {3} ms), vs a minimal Textual app (Header, Static, "
        f"Footer) to its text; median of {runs} interleaved runs after one warm-up each",
    )
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as folder, Tmux() as tmux:
        script = Path(folder) / "minimal_app.py"
        script.write_text(MINIMAL_APP)
        minimal = ([PYTHON, str(script)], MINIMAL_TEXT)

        def once(argv: list[str], text: str) -> float:
            pane = tmux.start(*argv)
            try:
                return pane.wait_for(text) - pane.started
            finally:
                pane.close()

        for size, root in roots.items():
            app = ([READER, "--library", str(root)], first_title(root))
            once(*app), once(*minimal)  # warm-up: bytecode caches, page cache
            times: dict[str, list[float]] = {"app": [], "minimal": []}
            for run in range(runs):
                order = [("app", app), ("minimal", minimal)]
                for name, (argv, text) in order if run % 2 == 0 else order[::-1]:
                    times[name].append(once(argv, text))
            ratio = median(times["app"]) / median(times["minimal"])
            report.add(
                "paint",
                size,
                "reader to its first row",
                ms(median(times["app"])),
                f"minimal app {ms(median(times['minimal']))} (ratio {ratio:.2f})",
                f"ratio <= {PAINT_GOAL}",
                ratio <= PAINT_GOAL,
            )
            report.note(
                "paint",
                f"{size:,} articles: reader runs {', '.join(ms(t) for t in times['app'])}; "
                f"minimal {', '.join(ms(t) for t in times['minimal'])}",
            )


def _added_file(folder: Path, token: str) -> tuple[Path, str]:
    title = f"Bench addition {token}"
    body = (
        f"The benchmark added this article ({token}) from another process while the app "
        "was open on the library. It has a few sentences, as a short note would.\n\n"
        "Nothing in it matters but its title, which the open app should list first."
    )
    path = folder / f"bench-add-{token}.txt"
    path.write_text(f"date 2030-01-01 Posted on by Bench\n\n{title}\n\n{body}\n")
    return path, title


def added_article(report: Report, roots: dict[int, Path], reps: int) -> None:
    report.heading(
        "add",
        "the app open in tmux on the library; another process runs `reader --library DIR "
        "add FILE` (a text dated 2030-01-01, so listed first); time from starting that "
        f"process to its title on the app's screen; median of {reps} after one warm-up; "
        "the article's files are removed after each, and the next starts once the app "
        "has been idle for a second",
    )
    from reader.core.library import Library

    seen: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as folder, Tmux() as tmux:
        for size, root in roots.items():
            pane = tmux.start(READER, "--library", str(root))
            times, processes, settled = [], [], []
            try:
                pane.wait_for(first_title(root))
                time.sleep(1.5)  # the app's own start-up work (reconciling) done
                for rep in range(reps + 1):
                    path, title = _added_file(Path(folder), f"q{uuid.uuid4().hex[:10]}")
                    began = time.perf_counter()
                    adding = subprocess.Popen(
                        [READER, "--library", str(root), "add", str(path)],
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        env=child_env(),
                        text=True,
                    )
                    ended: list[float] = []

                    def listed(screen: str, title=title, adding=adding, ended=ended) -> bool:
                        if not ended and adding.poll() is not None:
                            ended.append(time.perf_counter())
                        return title in screen

                    shown = pane.wait_for(listed, timeout=30)
                    out, err = adding.communicate(timeout=60)
                    if not ended:  # it ended after the title was shown
                        ended.append(time.perf_counter())
                    if adding.returncode != 0 or not out.startswith("added\t"):
                        raise RuntimeError(f"reader add failed: {out!r} {err!r}")
                    article_id = out.split("\t")[1]
                    for file in (
                        Path(root) / "articles" / f"{article_id}.txt",
                        Path(root) / "annotations" / f"{article_id}.json",
                    ):
                        file.unlink()
                    # The app notices the files gone (reconciles), and the next add
                    # starts once it is idle again: the removal is no part of a figure.
                    removed = time.perf_counter()
                    pane.wait_for(lambda screen, t=title: t not in screen, timeout=60)
                    idle = _wait_idle(pane.pid, 60) - removed
                    if rep:  # the first is a warm-up
                        times.append(shown - began)
                        processes.append(ended[0] - began)
                        settled.append(idle)
            finally:
                pane.close()
                Library(root).catalog.reconcile()  # the index as the files are now
            seen[size] = median(times)
            report.add(
                "add",
                size,
                "`reader add` to the title on screen",
                ms(seen[size]),
                "",
                f"<= {ADD_GOAL:.0f} s",
                seen[size] <= ADD_GOAL,
            )
            report.note(
                "add",
                f"{size:,} articles: runs {', '.join(ms(t) for t in times)}; the `reader add` "
                f"process itself took {', '.join(ms(t) for t in processes)} (the app looks "
                "for changes every second); after each removal of the article's files the "
                f"app was busy (reconciling) for {', '.join(ms(t) for t in settled)}",
            )
    if len(seen) >= 2:
        small, big = min(seen), max(seen)
        ratio = seen[big] / seen[small]
        report.add(
            "add",
            big,
            f"the same at {big:,} as at {small:,} articles",
            f"ratio {ratio:.2f}",
            f"{ms(seen[big])} vs {ms(seen[small])}",
            f"ratio <= {ADD_SAME} (about the same)",
            ratio <= ADD_SAME,
        )


def peak_memory(report: Report, roots: dict[int, Path], wait: float) -> None:
    report.heading(
        "rss",
        "the app in tmux on the library, the first article opened (enter); once the "
        "model's process has loaded spaCy (the RSS and CPU time of the processes under "
        f"the app steady for 2 s, at most {wait:.0f} s), "
        "VmHWM of the app and of each process under it; the goal is judged on the total",
    )
    with Tmux() as tmux:
        for size, root in roots.items():
            pane = tmux.start(READER, "--library", str(root))
            try:
                pane.wait_for(first_title(root))
                pane.keys("Enter")
                pane.wait_for("entities (", timeout=60)
                loaded, waited = _wait_for_model(pane.pid, wait)
                peaks = {pane.pid: proc_status(pane.pid, "VmHWM")}
                names = {}
                for pid in descendants(pane.pid):
                    peaks[pid] = proc_status(pid, "VmHWM")
                    names[pid] = cmdline(pid).split(" -c ")[-1][:50]
            finally:
                pane.close()
            app = peaks.pop(pane.pid)
            model_pid = max(peaks, key=peaks.__getitem__) if peaks else None
            model = peaks.pop(model_pid) if model_pid is not None else 0
            others = sum(peaks.values())
            total = app + model + others
            report.add(
                "rss",
                size,
                "peak RSS, app + its processes",
                mb(total),
                f"app {mb(app)}, model process {mb(model)}, others {mb(others)}",
                f"total <= {RSS_GOAL_MB} MB",
                total / 1024 <= RSS_GOAL_MB,
            )
            report.note(
                "rss",
                f"{size:,} articles: the model's process "
                + (f"loaded {waited:.1f} s" if loaded else f"NOT seen done in {waited:.0f} s")
                + f" after the article's screen showed; {len(peaks)} other process(es) "
                f"({', '.join(names[pid] for pid in peaks)})",
            )


def _wait_idle(pid: int, timeout: float, quiet: float = 1.0) -> float:
    """Wait until the process has used (almost) no CPU for ``quiet`` seconds; the
    perf_counter time its last busy moment was seen."""
    began = time.perf_counter()
    last, since = _cpu_ticks(pid), time.perf_counter()
    while time.perf_counter() - began < timeout:
        time.sleep(0.1)
        ticks = _cpu_ticks(pid)
        if ticks - last > 2:  # more than 20 ms of CPU since: busy
            last, since = ticks, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            break
    return since


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _wait_for_model(app_pid: int, wait: float) -> tuple[bool, float]:
    """Wait until the app's processes stop growing and working (the model
    loaded): their RSS and CPU time unchanged for 2 s, after they grew."""
    began = time.monotonic()
    last: tuple[int, int] | None = None
    steady_since, grew = time.monotonic(), False
    while time.monotonic() - began < wait:
        pids = descendants(app_pid)
        rss = sum(proc_status(pid, "VmRSS") for pid in pids)
        ticks = sum(_cpu_ticks(pid) for pid in pids)
        if last is None or rss > last[0] + 1024 or ticks != last[1]:
            grew = grew or (last is not None and rss > last[0] + 1024)
            last, steady_since = (rss, ticks), time.monotonic()
        elif grew and time.monotonic() - steady_since >= 2:
            return True, steady_since - began
        time.sleep(0.25)
    return False, time.monotonic() - began
