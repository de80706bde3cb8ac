"""Entity benchmarks, printed as plain text.

    uv run python bench/entities_bench.py [--paragraphs 200] [--articles 1000] [--presses 200]
        [--settle SECONDS] [--only a|b|c]

(a) Throughput: ~50k words of synthetic news paragraphs (seeded: names, places,
    organisations with acronyms, demonyms, dates, years, numbers, money) are
    recognised with reader's path (SpacyRecogniser.recognise_many: NER and the
    reader_rules component), with the bare model loaded the same way
    (spacy.load(pkg, exclude=EXCLUDED_COMPONENTS) + nlp.pipe), and with the bare
    model and no exclusions (the whole small pipeline), best of 3 runs each,
    interleaved. Prints words/s and reader/bare (goal >= 0.9).
(b) Responsiveness: a library of N small articles is written to a temporary
    folder; ``reader --library DIR index`` runs on it in a subprocess while this
    process runs the app on the same library (App.run_test), opens an article and
    presses j/k (blocks of 8 down, 8 up). For each press: the time from the press
    to the next frame the app composed after the cursor moved (App._display, which
    a headless app still calls with every screen update). Prints max, p95 and
    median (goal max <= 50 ms), for the presses made while the index was running,
    and whether the index finished.
(c) Why the slowest presses are slow: a 1 ms ticker thread measures how long the
    steps of loading reader's recogniser (as the app's model worker does) keep the
    GIL from other threads, such as the app's UI thread.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.core.library import LIBRARY_ENV, Library  # noqa: E402
from reader.core.models import ArticleDraft  # noqa: E402
from reader.core.recogniser import (  # noqa: E402
    EXCLUDED_COMPONENTS,
    SpacyRecogniser,
    find_model,
)

SEED = 20240612
RUNS = 3

PEOPLE = [
    "Recep Tayyip Erdogan",
    "Vladimir Putin",
    "Bashar al-Assad",
    "Jacinda Ardern",
    "Emmanuel Macron",
    "Angela Merkel",
    "Hulusi Akar",
    "Mevlut Cavusoglu",
    "Sergei Lavrov",
    "Antonio Guterres",
    "Cyril Ramaphosa",
    "Justin Trudeau",
    "Amara Okafor",
    "Jonas Whitfield",
    "Priya Raman",
    "Hana Sato",
]
ROLES = [
    "president",
    "foreign minister",
    "defence minister",
    "prime minister",
    "spokesman",
    "envoy",
    "governor",
    "opposition leader",
]
PLACES = [
    "Idlib",
    "Aleppo",
    "Saraqeb",
    "Damascus",
    "Ankara",
    "Moscow",
    "Sochi",
    "Geneva",
    "Wellington",
    "Berlin",
    "Paris",
    "Beirut",
    "Istanbul",
    "Gaziantep",
    "Homs",
    "Afrin",
]
COUNTRIES = [
    "Turkey",
    "Russia",
    "Syria",
    "Iran",
    "Germany",
    "France",
    "Lebanon",
    "Jordan",
    "New Zealand",
    "the United States",
    "Iraq",
    "Egypt",
]
DEMONYMS = [
    "Turkish",
    "Russian",
    "Syrian",
    "Iranian",
    "German",
    "French",
    "Lebanese",
    "Kurdish",
    "American",
    "Iraqi",
]
ORGS = [
    ("Syrian Observatory for Human Rights", "SOHR"),
    ("World Health Organization", "WHO"),
    ("International Monetary Fund", "IMF"),
    ("North Atlantic Treaty Organization", "NATO"),
    ("United Nations", "UN"),
    ("World Food Programme", "WFP"),
    ("International Committee of the Red Cross", "ICRC"),
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FILLER_TEXT = (
    "the talks were expected to continue for several days while aid convoys waited at "
    "the border crossing and officials warned that the situation could get worse before "
    "it got better as prices of bread and fuel rose in local markets"
)
FILLER = FILLER_TEXT.split(" ")


def _sentence(rng: random.Random) -> str:
    person = rng.choice(PEOPLE)
    surname = person.split()[-1]
    org, acronym = rng.choice(ORGS)
    place, other = rng.sample(PLACES, 2)
    country = rng.choice(COUNTRIES)
    demonym = rng.choice(DEMONYMS)
    templates = [
        f"{person}, the {rng.choice(ROLES)} of {country}, said on {rng.choice(DAYS)} that "
        f"{rng.randint(2, 900)} people had been killed in {place}.",
        f"The {org} ({acronym}) reported that {rng.randint(100, 90000):,} civilians fled "
        f"{place} in {rng.choice(MONTHS)} {rng.randint(2011, 2020)}.",
        f"Officials in {place} said {demonym} troops had moved toward {other} overnight.",
        f"{surname} told reporters in {other} that the {demonym} government would respond.",
        f"{acronym} officials said aid worth ${rng.randint(2, 90)} million would reach "
        f"{place} by {rng.choice(DAYS)}.",
        f"Prices rose {rng.randint(2, 40)} percent in {rng.choice(MONTHS)}, the "
        f"{rng.choice(ORGS)[0]} said, as the {demonym} lira fell.",
        f"In {rng.randint(2011, 2020)}, {country} and {rng.choice(COUNTRIES)} agreed a "
        f"ceasefire in {other}, but fighting resumed within {rng.randint(2, 9)} weeks.",
        f"A {rng.randint(2011, 2019)} study by the {org} found that the {demonym} border "
        f"was closed for {rng.randint(3, 300)} days.",
    ]
    sentence = rng.choice(templates)
    words = rng.randint(4, 12)
    start = rng.randint(0, len(FILLER) - words)
    return sentence + " " + " ".join(FILLER[start : start + words]).capitalize() + "."


def paragraphs(count: int, words_each: int = 250, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        sentences: list[str] = []
        while sum(len(s.split()) for s in sentences) < words_each:
            sentences.append(_sentence(rng))
        out.append(" ".join(sentences))
    return out


# --- (a) throughput -------------------------------------------------------------------------


def throughput(count: int) -> None:
    import spacy

    texts = paragraphs(count)
    words = sum(len(t.split()) for t in texts)
    found = find_model()
    assert found is not None, "no English model installed"
    package = found[0]
    print(f"(a) throughput on {len(texts)} paragraphs, {words:,} words, model {package}")
    started = time.perf_counter()
    recogniser = SpacyRecogniser()
    print(f"    load: reader's recogniser {time.perf_counter() - started:.2f} s", end="")
    started = time.perf_counter()
    bare = spacy.load(package, exclude=EXCLUDED_COMPONENTS)
    print(f", bare (same exclusions) {time.perf_counter() - started:.2f} s", end="")
    started = time.perf_counter()
    full = spacy.load(package)
    print(f", bare (no exclusions) {time.perf_counter() - started:.2f} s")
    print(
        f"    pipelines: reader {recogniser.nlp.pipe_names}; bare {bare.pipe_names}; "
        f"full {full.pipe_names}"
    )

    def run_reader() -> int:
        return sum(len(found) for found in recogniser.recognise_many(texts, batch_size=32))

    def run_bare(nlp) -> int:  # noqa: ANN001
        return sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=32))

    runs = {"reader": run_reader, "bare": lambda: run_bare(bare), "full": lambda: run_bare(full)}
    best: dict[str, float] = {}
    entities: dict[str, int] = {}
    for _ in range(RUNS):
        for name, run in runs.items():
            started = time.perf_counter()
            entities[name] = run()
            elapsed = time.perf_counter() - started
            best[name] = min(best.get(name, elapsed), elapsed)
    rate = {name: words / seconds for name, seconds in best.items()}
    print(
        f"    reader recognise_many (NER + reader_rules): {rate['reader']:9,.0f} words/s "
        f"({best['reader']:.2f} s, {entities['reader']:,} entities)"
    )
    print(
        f"    bare spacy.load(exclude=...) + nlp.pipe:    {rate['bare']:9,.0f} words/s "
        f"({best['bare']:.2f} s, {entities['bare']:,} entities)"
    )
    print(
        f"    bare spacy.load() (no exclusions):           {rate['full']:9,.0f} words/s "
        f"({best['full']:.2f} s, {entities['full']:,} entities)"
    )
    ratio = rate["reader"] / rate["bare"]
    print(
        f"    reader / bare = {ratio:.3f} (goal >= 0.9: {'met' if ratio >= 0.9 else 'NOT met'});"
        f" reader / no exclusions = {rate['reader'] / rate['full']:.2f}"
    )


# --- (b) responsiveness while reader find-entities runs -------------------------------------------


def build_library(root: Path, count: int) -> Library:
    rng = random.Random(SEED + 1)
    drafts = []
    for i in range(count):
        body = paragraphs(3, words_each=60, seed=SEED + 100 + i)
        drafts.append(
            ArticleDraft(
                text="\n\n".join(body),
                title=f"Report {i}: {rng.choice(PLACES)} talks",
                date=f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}",
                source=f"bench://{i}",
            )
        )
    library = Library(root).ensure()
    library.add_many(drafts)
    return library


async def drive_app(
    root: Path, index: subprocess.Popen, presses: int, settle: float = 0.0
) -> list[tuple]:
    from textual import events

    from reader.tui.app import ReaderApp
    from reader.tui.screens.article import ArticleScreen
    from reader.tui.screens.library import LibraryScreen
    from reader.tui.widgets.article_view import ArticleView

    class TimedApp(ReaderApp):
        """Records each screen update it composes (a headless app still composes them),
        with where the cursor was then."""

        CSS_PATH = str(Path(sys.modules[ReaderApp.__module__].__file__).parent / "app.tcss")
        timed_view: ArticleView | None = None
        frames: list[tuple[float, int]] = []

        def _display(self, screen, renderable) -> None:  # noqa: ANN001
            super()._display(screen, renderable)
            if renderable is not None and self.timed_view is not None:
                self.frames.append((time.perf_counter(), self.timed_view.cursor))

    app = TimedApp(Library(root))
    # (delay s, index running, the app's running worker groups, s since the article opened)
    samples: list[tuple] = []
    started = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, LibraryScreen) and app.screen.articles):
            await pilot.pause(0.05)
            if time.perf_counter() - started > 120:
                raise SystemExit("the library did not load in 120 s")
        print(
            f"    the library screen listed {len(app.screen.articles)} articles "
            f"{time.perf_counter() - started:.2f} s after the app started"
        )
        entered = time.perf_counter()
        app.post_message(events.Key("enter", None))
        while not (isinstance(app.screen, ArticleScreen) and app.screen.is_mounted):
            await asyncio.sleep(0.005)
        view = app.screen.query_one(ArticleView)
        while not view.has_focus:
            await asyncio.sleep(0.005)
        app.timed_view = view
        opened = time.perf_counter()
        while not app.frames:  # the article's first paint
            await asyncio.sleep(0.001)
        print(
            f"    enter to the article's first frame: {(app.frames[0][0] - entered) * 1000:.0f}"
            " ms; the presses start " + (f"{settle} s later" if settle else "now")
        )
        await asyncio.sleep(settle)
        opened = time.perf_counter()
        pattern = ["j"] * 8 + ["k"] * 8
        missed = 0
        for n in range(presses):
            key = pattern[n % len(pattern)]
            before = view.cursor
            running = index.poll() is None
            busy = ",".join(sorted({w.group for w in app.workers if w.is_running}))
            mark = len(app.frames)
            pressed = time.perf_counter()
            # As a terminal's key arrives: posted to the app, no waiting for idle.
            app.post_message(events.Key(key, key))
            shown = None
            while shown is None and time.perf_counter() - pressed < 5:
                shown = next((t for t, cursor in app.frames[mark:] if cursor != before), None)
                if shown is None:
                    await asyncio.sleep(0.001)
            if shown is None:
                missed += 1
            else:
                samples.append((shown - pressed, running, busy, pressed - opened))
            await asyncio.sleep(0.03)  # about 30 keys a second, as a held key repeats
        if missed:
            print(f"    {missed} presses showed no frame with the cursor moved within 5 s")
        entities = app.screen.entity_status
    print(f"    the opened article's entities: {entities}")
    return samples


def responsiveness(count: int, presses: int, settle: float = 0.0) -> None:
    print(f"(b) key-to-frame delay while `reader find-entities` runs on {count:,} articles")
    with tempfile.TemporaryDirectory(prefix="reader-entities-bench-") as tmp:
        root = Path(tmp) / "lib"
        started = time.perf_counter()
        build_library(root, count)
        print(f"    built the library in {time.perf_counter() - started:.2f} s")
        env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
        env["XDG_DATA_HOME"] = str(Path(tmp) / "xdg")
        index_started = time.perf_counter()
        index = subprocess.Popen(
            [sys.executable, "-m", "reader", "--library", str(root), "find-entities"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            samples = asyncio.run(drive_app(root, index, presses, settle))
            index_running_after = index.poll() is None
            try:
                _, err = index.communicate(timeout=900)
            except subprocess.TimeoutExpired:
                index.kill()
                _, err = index.communicate()
        finally:
            if index.poll() is None:
                index.kill()
        index_seconds = time.perf_counter() - index_started

        def report(name: str, delays: list[float]) -> None:
            if not delays:
                print(f"    {name}: no presses")
                return
            ms = sorted(d * 1000 for d in delays)
            p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
            print(
                f"    {name}: {len(ms)} presses, max {ms[-1]:.1f} ms, p95 {p95:.1f} ms, "
                f"median {statistics.median(ms):.1f} ms"
                f" (goal max <= 50 ms: {'met' if ms[-1] <= 50 else 'NOT met'})"
            )

        report("while the index ran", [d for d, running, _, _ in samples if running])
        report(
            "  of which while the app's own workers ran",
            [d for d, running, busy, _ in samples if running and busy],
        )
        report(
            "  of which with the app's workers idle",
            [d for d, running, busy, _ in samples if running and not busy],
        )
        report("after the index had finished", [d for d, running, _, _ in samples if not running])
        report("all presses", [d for d, _, _, _ in samples])
        worst = sorted(samples, reverse=True)[:5]
        print(
            "    slowest presses: "
            + "; ".join(
                f"{d * 1000:.0f} ms at {at:.2f} s after opening"
                f" (app workers: {busy or 'none'}, index {'running' if running else 'done'})"
                for d, running, busy, at in worst
            )
        )
        last = (err.strip().splitlines() or ["(no output)"])[-1]
        print(
            f"    index: {'finished' if index.returncode is not None else 'did not finish'}"
            f" with exit code {index.returncode} after {index_seconds:.1f} s "
            f"(still running when the presses ended: {index_running_after}); it said: {last}"
        )
        done = Library(root)
        from reader.core.entities import EntityService
        from reader.core.entity_batch import articles_needing_entities

        todo = articles_needing_entities(done, EntityService(rules=done.rule_store()))
        print(f"    articles without cached entities afterwards: {len(todo)}")


# --- (c) why: the model's load stalls the UI thread -----------------------------------------

STALLS = r"""
import threading, time
gaps, marks, stop = [], [], False
def ticker():
    last = time.perf_counter()
    while not stop:
        time.sleep(0.001)
        now = time.perf_counter()
        gaps.append((now - last, now))
        last = now
thread = threading.Thread(target=ticker, daemon=True)
thread.start()
def mark(name): marks.append((time.perf_counter(), name))
mark("start")
import spacy; mark("import spacy")
from reader.core.recogniser import EXCLUDED_COMPONENTS, find_model
nlp = spacy.load(find_model()[0], exclude=EXCLUDED_COMPONENTS); mark("spacy.load")
from reader.core.gazetteer import load_gazetteer
load_gazetteer(); mark("load_gazetteer")
from reader.core.language import detect_language
detect_language("Prime Minister Jacinda Ardern visited Wellington."); mark("language model")
stop = True
thread.join()
for gap, at in sorted(gaps, reverse=True)[:4]:
    phase = next(name for t, name in marks if t >= at)
    print(f"    {gap * 1000:5.0f} ms without the GIL for another thread, in {phase}")
"""


def stalls() -> None:
    print(
        "(c) the longest stalls of another thread (a 1 ms ticker) while the app's worker "
        "would load the model, in a fresh process"
    )
    result = subprocess.run(
        [sys.executable, "-c", STALLS],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
    )
    print(result.stdout.rstrip() or result.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=200)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="(b) seconds to wait after the article's first frame",
    )
    parser.add_argument("--only", choices=["a", "b", "c"])
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    if args.only in (None, "a"):
        throughput(args.paragraphs)
    if args.only in (None, "b"):
        responsiveness(args.articles, args.presses, args.settle)
    if args.only in (None, "c"):
        stalls()


if __name__ == "__main__":
    main()
