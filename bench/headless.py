"""Figures timed inside a headless app (``App.run_test(size=(140, 40))``): 2 a
filter keystroke to the repainted list, 9 opening a 10,000-word article, 10
cursor motion in it.

Keys are posted to the app as ``events.Key`` messages, as a terminal's keys
arrive (no waiting for the app to be idle). Every screen update the app
composes passes through ``App._display`` (a headless app composes them too):
the timed app records each one with what it showed, and a key's time is from
posting it to the first frame that shows its effect.
"""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import PYTHON, Report, child_env, median, ms, p95

SIZE = (140, 40)
FILTER_MEDIAN, FILTER_P95 = 0.050, 0.100
OPEN_GOAL = 0.050
CURSOR_MEDIAN, CURSOR_P95 = 0.016, 0.033
TYPING_GAP = 0.12  # seconds from one key to the next while typing (about 8 keys/s)
KEY_GAP = 1 / 30  # cursor keys: about 30 a second, as a held key repeats
FILTER_WORDS = [
    "hezbollah",
    "ceasefire",
    "parliament",
    "erdogan",
    '"m4 highway"',
    "vellumorph",
    "ceasefire parliament",
]
LONG_WORDS = 10_000


@dataclass
class Frame:
    at: float
    screen: Any
    generation: int | None = None  # a library screen's latest query asked for
    shown: int | None = None  # and latest answer shown
    cursor: int | None = None  # an article screen's cursor
    entities: int = 0  # and entities painted


def _timed_app(library: Any) -> Any:
    from reader.tui.app import ReaderApp
    from reader.tui.screens.article import ArticleScreen
    from reader.tui.screens.library import LibraryScreen

    class TimedApp(ReaderApp):
        CSS_PATH = str(Path(sys.modules[ReaderApp.__module__].__file__).parent / "app.tcss")

        def __init__(self) -> None:
            super().__init__(library)
            self.frames: list[Frame] = []

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None or self._batch_count:
                return
            frame = Frame(time.perf_counter(), screen)
            if isinstance(screen, LibraryScreen):
                frame.generation, frame.shown = screen._generation, screen.shown_generation
            elif isinstance(screen, ArticleScreen) and screen.is_mounted:
                view = screen.view
                frame.cursor, frame.entities = view.cursor, len(view.entities)
            self.frames.append(frame)

    return TimedApp()


async def _until(test: Any, timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not test():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.0005)


async def _frame(app: Any, mark: int, test: Any, timeout: float = 10.0) -> Frame:
    """The first frame from ``app.frames[mark]`` on that passes ``test``."""
    found: list[Frame] = []

    def seen() -> bool:
        found.extend(f for f in app.frames[mark:] if test(f))
        return bool(found)

    await _until(seen, timeout, "a frame")
    return found[0]


async def _listed(app: Any, timeout: float = 120.0) -> Any:
    """Wait until the library screen shows the answer to its latest query."""
    from reader.tui.screens.library import LibraryScreen

    def ready() -> bool:
        screen = app.screen
        return (
            isinstance(screen, LibraryScreen)
            and screen._opened
            and screen.shown_generation == screen._generation >= 1
        )

    await _until(ready, timeout, "the library's list")
    # The frame that shows it: the last one composed, or the next.
    screen, mark = app.screen, max(len(app.frames) - 1, 0)
    await _frame(app, mark, lambda f: f.shown == f.generation == screen._generation)
    return screen


def _key(character: str) -> Any:
    from textual import events
    from textual.keys import _character_to_key

    return events.Key(_character_to_key(character), character)


# --- 2: a filter keystroke ------------------------------------------------------------


class _Collections:
    """The garbage collector's pauses while it is entered (a slow key may be one):
    (generation, seconds) each."""

    def __enter__(self) -> _Collections:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    def summary(self) -> str:
        oldest = [s for generation, s in self.pauses if generation == 2]
        longest = max((s for _, s in self.pauses), default=0.0)
        return (
            f"{len(self.pauses)} garbage collections ({len(oldest)} of the oldest generation), "
            f"the longest {ms(longest)}"
        )


async def _type_words(root: Path, words: list[str]) -> list[tuple[str, str, float]]:
    from textual.widgets import Input

    from reader.core.library import Library

    app = _timed_app(Library(root))
    samples: list[tuple[str, str, float]] = []  # (word, typed so far, seconds)
    async with app.run_test(size=SIZE):
        screen = await _listed(app)
        field = screen.query_one("#filter", Input)
        for word in words:
            field.value = ""
            await asyncio.sleep(0.05)
            await _listed(app)
            field.focus()
            await asyncio.sleep(0.2)
            for n, character in enumerate(word, 1):
                before, mark = screen._generation, len(app.frames)
                pressed = time.perf_counter()
                app.post_message(_key(character))
                await _until(lambda b=before: screen._generation > b, 5, "the key's query")
                target = screen._generation
                frame = await _frame(app, mark, lambda f, t=target: (f.shown or 0) >= t)
                samples.append((word, word[:n], frame.at - pressed))
                await asyncio.sleep(max(0.0, pressed + TYPING_GAP - time.perf_counter()))
            assert field.value == word, (field.value, word)
    return samples


def filter_keys(report: Report, roots: dict[int, Path], words: list[str]) -> None:
    report.heading(
        "filter",
        "headless app (140x40) on the library, the filter focused, words typed a key "
        f"every {TYPING_GAP * 1000:.0f} ms ({', '.join(words)}); each key posted as "
        "events.Key, timed to the first frame composed after the list shows that key's "
        "answer (shown_generation reaching the key's _generation)",
    )
    for size, root in roots.items():
        load = " ".join(f"{n:.2f}" for n in os.getloadavg())
        with _Collections() as collections:
            samples = asyncio.run(_type_words(root, words))
        seconds = [s for _, _, s in samples]
        worst = sorted(samples, key=lambda s: -s[2])[:3]
        _median_and_p95(
            report, "filter", size, "key to repainted list", f"of {len(seconds)} keys",
            seconds, FILTER_MEDIAN, FILTER_P95,
        )  # fmt: skip
        report.note(
            "filter",
            f"{size:,} articles: slowest keys "
            + ", ".join(f"{typed!r} {ms(s)}" for _, typed, s in worst)
            + "; median by word: "
            + ", ".join(
                f"{w} {ms(median([s for word, _, s in samples if word == w]))}" for w in words
            )
            + f"; load average before {load}; in the bench's process meanwhile "
            + collections.summary(),
        )


# --- 9 and 10: a long article ------------------------------------------------------

CACHE_ENTITIES = """
import sys, time
from reader.core.entities import EntityService
from reader.core.library import Library
library = Library(sys.argv[1])
article, _ = library.load(sys.argv[2])
began = time.perf_counter()
entities, cached = EntityService().entities_for(article, library.store(sys.argv[2]))
print(len(entities), time.perf_counter() - began)
"""


def long_article(folder: Path, source: Path) -> tuple[Path, str, int, str]:
    """A copy of the library at ``source`` with a 10,000-word English article added
    (dated 2030: listed first) and its entities cached by the real recogniser.
    Returns the library, the article's id, its words, and how the entities came."""
    from reader.core.library import Library
    from reader.core.models import ArticleDraft
    from reader.core.text import word_count

    root = folder / "library"
    shutil.copytree(source, root)
    library = Library(root)
    paragraphs: list[str] = []
    words = 0
    for article_id in library.article_ids():
        text = library.read_text(article_id)
        if text.count(" the ") < 5:  # not English
            continue
        for paragraph in text.split("\n\n"):
            paragraphs.append(paragraph)
            words += word_count(paragraph)
            if words >= LONG_WORDS:
                break
        if words >= LONG_WORDS:
            break
    title = f"Benchmark longread {uuid.uuid4().hex[:8]}"
    draft = ArticleDraft(
        text="\n\n".join(paragraphs), title=title, author="Bench", date="2030-01-01"
    )
    (result,) = library.add_many([draft])
    library.catalog.close()
    done = subprocess.run(
        [PYTHON, "-c", CACHE_ENTITIES, str(root), result.article_id],
        capture_output=True,
        text=True,
        env=child_env(),
        check=True,
    )
    count, seconds = done.stdout.split()
    how = f"{count} entities recognised and cached in {float(seconds):.1f} s"
    return root, result.article_id, words, how


def _median_and_p95(
    report: Report,
    name: str,
    size: int,
    what: str,
    count: str,
    seconds: list[float],
    median_goal: float,
    p95_goal: float,
) -> None:
    """A figure's two rows: the median (``count`` says of how many) and the p95."""
    report.add(
        name, size, f"{what}, median {count}", ms(median(seconds)), "",
        f"median <= {median_goal * 1000:.0f} ms", median(seconds) <= median_goal,
    )  # fmt: skip
    report.add(
        name, size, f"{what}, p95", ms(p95(seconds)), f"max {ms(max(seconds))}",
        f"p95 <= {p95_goal * 1000:.0f} ms", p95(seconds) <= p95_goal,
    )  # fmt: skip


async def _open_and_move(
    root: Path, article_id: str, opens: int, presses: int
) -> tuple[list[tuple[float, float]], tuple[float, float], list[float], str]:
    from textual import events

    from reader.core.library import Library
    from reader.tui.screens.article import ArticleScreen
    from reader.tui.screens.library import LibraryScreen

    app = _timed_app(Library(root))
    opened: list[tuple[float, float]] = []  # (to the text, to the entities painted)
    moves: list[float] = []
    async with app.run_test(size=SIZE):
        screen = await _listed(app)
        rowid = app.library.catalog.rowid(article_id)
        assert screen.article_list.highlighted == rowid, "the long article is not first"

        async def open_it() -> tuple[float, float]:
            mark = len(app.frames)
            pressed = time.perf_counter()
            app.post_message(events.Key("enter", "\r"))
            text = await _frame(app, mark, lambda f: isinstance(f.screen, ArticleScreen))
            coloured = await _frame(app, mark, lambda f: f.entities > 0)
            return text.at - pressed, coloured.at - pressed

        async def back() -> None:
            app.post_message(events.Key("q", "q"))
            await _until(lambda: isinstance(app.screen, LibraryScreen), 10, "the library")
            await _listed(app)
            await asyncio.sleep(0.3)

        first = await open_it()
        # The first open starts the model's process: let it load before timing.
        await _until(
            lambda: not any(w.group == "model" and w.is_running for w in app.workers),
            180,
            "the model to load",
        )
        await back()
        for n in range(opens):
            opened.append(await open_it())
            if n < opens - 1:
                await back()
        article = app.screen
        await asyncio.sleep(0.5)
        pattern = ["j"] * 8 + ["w"] * 8 + ["k"] * 8
        for n in range(presses):
            key = pattern[n % len(pattern)]
            before, mark = article.view.cursor, len(app.frames)
            pressed = time.perf_counter()
            app.post_message(events.Key(key, key))
            frame = await _frame(app, mark, lambda f, b=before: f.cursor not in (None, b), 5)
            moves.append(frame.at - pressed)
            await asyncio.sleep(max(0.0, pressed + KEY_GAP - time.perf_counter()))
        status = article.entity_status
    return opened, first, moves, status


def long_article_figures(
    report: Report, source: Path, size: int, opens: int, presses: int, names: set[str]
) -> None:
    import tempfile

    report.heading(
        "open" if "open" in names else "cursor",
        f"a {LONG_WORDS:,}-word article (generated English texts) added to a copy of the "
        f"{size:,}-article library, entities cached; headless app (140x40), the article "
        "highlighted first in the list",
    )
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as folder:
        root, article_id, words, how = long_article(Path(folder), source)
        opened, first, moves, status = asyncio.run(
            _open_and_move(root, article_id, opens, presses if "cursor" in names else 0)
        )
    if "open" in names:
        report.note("open", f"the article: {words:,} words; {how}; the app said: {status}")
        texts = [t for t, _ in opened]
        report.add(
            "open",
            size,
            f"enter to the article's first frame, median of {len(texts)}",
            ms(median(texts)),
            f"entities painted {ms(median([c for _, c in opened]))}",
            f"<= {OPEN_GOAL * 1000:.0f} ms",
            median(texts) <= OPEN_GOAL,
        )
        report.note(
            "open",
            f"opens {', '.join(ms(t) for t in texts)}; the first open in the process "
            f"(not counted: it also starts the model's process) {ms(first[0])}",
        )
    if "cursor" in names:
        if "open" in names:
            report.heading("cursor", f"j/k/w posted about {1 / KEY_GAP:.0f} a second")
        _median_and_p95(
            report, "cursor", size, "key to the frame with the cursor moved",
            f"of {len(moves)}", moves, CURSOR_MEDIAN, CURSOR_P95,
        )  # fmt: skip
