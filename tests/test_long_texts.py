"""Long texts (issue 10, finding 9): a text of more than a million characters
gets its entities, and a long line costs memory in proportion to its length.

* spaCy refuses a text longer than ``nlp.max_length`` (1,000,000 characters):
  ``reader entities``, ``reader find-entities`` and the app recognise a longer one in
  pieces, with every entity's offsets those of the whole text.
* The paragraph splitting (``reader.core.text.blocks``) of a one-line text of
  10 MB keeps to a few bytes per character (a pattern over the paragraphs took
  about 120).
* When finding entities fails, the app's legend says so: never "finding…" for
  ever.

The texts are written here. Their filler is long words: the model's work is by
the word, so a million characters of them are quick to recognise, and the
sentences between them carry the entities. The commands run as processes and
load the real model; the app runs under Pilot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from textual.pilot import Pilot

from reader.core.chunks import CHUNK_CHARS, chunk_bounds
from reader.core.entities import EntityService
from reader.core.library import LIBRARY_ENV, Library
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.library import LibraryScreen

MODEL_LIMIT = 1_000_000  # spaCy's nlp.max_length
SENTENCE = "Angela Merkel met Emmanuel Macron in Paris on Monday to discuss the budget."
NAME = "Angela Merkel"
FILLER = "lorem" * 400  # one word of 2,000 characters
PARAGRAPH = f"{SENTENCE} {FILLER}. {SENTENCE}"
PARAGRAPHS = 520  # 520 paragraphs of 2,154 characters: 1.1 million characters


def long_text(separator: str) -> str:
    text = separator.join([PARAGRAPH] * PARAGRAPHS)
    assert len(text) > MODEL_LIMIT + 100_000
    return text


def run(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(root), *args],
        capture_output=True,
        env=env,
        timeout=300,
    )


def check_entities(text: str, entities: list[dict]) -> None:
    """Every entity is the text at its offsets, and the name is found all through
    the text: in its first and last paragraphs, and at nearly every mention."""
    for entity in entities:
        assert text[entity["start"] : entity["end"]] == entity["text"], entity
    names = [e["start"] for e in entities if e["text"] == NAME and e["label"] == "PERSON"]
    mentions = text.count(NAME)
    assert mentions == 2 * PARAGRAPHS
    assert len(names) >= 0.98 * mentions, (len(names), mentions)
    assert names[0] == 0
    assert names[-1] == text.rindex(NAME) > MODEL_LIMIT


def entities_of(done: subprocess.CompletedProcess[bytes]) -> list[dict]:
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    return record["entities"]


def test_reader_entities_finds_the_entities_of_a_line_of_a_million_characters(
    tmp_path: Path,
) -> None:
    """One line, no paragraph: the pieces end at sentence ends or spaces."""
    text = long_text(" ")
    path = tmp_path / "one-line.txt"
    path.write_text(text, encoding="utf-8")
    done = run(tmp_path / "library", "entities", "--jsonl", "--raw", str(path))
    check_entities(text, entities_of(done))


def test_reader_index_caches_the_entities_of_a_long_article(tmp_path: Path) -> None:
    text = long_text("\n\n")
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    root = tmp_path / "library"
    added = run(root, "add", str(path))
    assert added.returncode == 0, added.stderr.decode()
    (article_id,) = Library(root).article_ids()
    article, _ = Library(root).load(article_id)
    assert article.text == text

    done = run(root, "find-entities")
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    assert b"1 indexed" in done.stderr, done.stderr.decode()
    # What index found is cached: reader entities serves it without the model.
    cached = entities_of(run(root, "entities", "--jsonl", article_id))
    check_entities(text, cached)
    assert b"every article has its entities" in run(root, "find-entities").stderr


def test_pieces_of_a_long_text_end_at_paragraphs_then_sentences_then_spaces() -> None:
    text = long_text("\n\n")[:300_000]
    bounds = chunk_bounds(text)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    assert all(0 < end - start <= CHUNK_CHARS for start, end in bounds)
    assert all(text[end - 2 : end] == "\n\n" for _, end in bounds[:-1])
    one_line = text.replace("\n\n", " ")
    assert all(one_line[end - 2 : end] == ". " for _, end in chunk_bounds(one_line)[:-1])
    # No sentence end in reach: at a space; no space either: cut.
    words = " ".join([FILLER] * 100)
    assert all(words[end - 1] == " " for _, end in chunk_bounds(words)[:-1])
    assert [b - a for a, b in chunk_bounds("x" * 25_000)] == [CHUNK_CHARS] * 2 + [5_000]
    assert chunk_bounds("short") == [(0, 5)]


# --- memory ---------------------------------------------------------------------------------

MEMORY_PROBE = """
import resource, sys
from reader.core.text import blocks
text = ("The minister resigned on Friday after the vote, officials said. " * 160_000).strip()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
found = blocks(text)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert [(b.start, b.end) for b in found] == [(0, len(text))], found
print((after - before) * 1024 / len(text))
"""
MAX_BYTES_PER_CHARACTER = 8  # above the text itself; the pattern over paragraphs took ~120


def test_the_paragraphs_of_a_long_line_take_memory_in_proportion() -> None:
    """blocks() over a one-line text of 10 MB, in a process of its own: the
    growth of its peak memory (ru_maxrss), per character of the text."""
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    per_character = float(done.stdout)
    assert per_character < MAX_BYTES_PER_CHARACTER, per_character


# --- the app ---------------------------------------------------------------------------------

FINDING = "entities: finding…"


async def listed(app: ReaderApp, pilot: Pilot) -> LibraryScreen:
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    for _ in range(600):
        if screen.shown_generation and screen.article_list.highlighted is not None:
            return screen
        await pilot.pause(0.05)
    raise AssertionError("the library was never listed")


async def open_article(app: ReaderApp, pilot: Pilot, article_id: str) -> ArticleScreen:
    """The article opened from the list (down to its row, then enter)."""
    screen = await listed(app, pilot)
    rowid = app.library.catalog.rowid(article_id)
    for _ in screen.article_list.ids:
        if screen.article_list.highlighted == rowid:
            break
        await pilot.press("down")
    assert screen.article_list.highlighted == rowid
    await pilot.press("enter")
    for _ in range(600):
        if isinstance(app.screen, ArticleScreen) and app.screen.article.id == article_id:
            return app.screen
        await pilot.pause(0.05)
    raise AssertionError(f"{article_id} was never opened")


async def entity_status(article: ArticleScreen, pilot: Pilot) -> str:
    """The legend's last line once finding entities has ended (a generous deadline:
    the model loads in a process of its own)."""
    for _ in range(2400):
        if article.entity_status != FINDING and not any(
            w.is_running for w in article.workers if w.group == "entities"
        ):
            break
        await pilot.pause(0.05)
    legend = str(article.query_one("#legend").render())
    return legend.rstrip().splitlines()[-1]


async def test_the_app_shows_the_entities_of_a_long_article_and_says_when_none_come(
    tmp_path: Path,
) -> None:
    """The model in its own process, as the app has it: a long article gets its
    entities; once that process is gone, another article's legend says the
    entities could not be found (the worker's error), instead of "finding…"."""
    library = Library(tmp_path / "library").ensure()
    text = long_text("\n\n")
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    (tmp_path / "short.txt").write_text(f"{SENTENCE}\n\n{SENTENCE}", encoding="utf-8")
    assert run(library.root, "add", str(tmp_path / "long.txt")).returncode == 0
    assert run(library.root, "add", str(tmp_path / "short.txt")).returncode == 0
    ids = sorted(library.article_ids(), key=lambda i: len(library.load(i)[0].text))
    short_id, long_id = ids

    service = EntityService(rules=library.rule_store(), isolated=True)
    app = ReaderApp(Library(library.root), service)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            article = await open_article(app, pilot, long_id)
            status = await entity_status(article, pilot)
            assert status != FINDING and not status.startswith("no entities"), status
            found = article.view.entities
            assert found and found[-1].start > MODEL_LIMIT
            assert all(text[e.start : e.end] == e.text for e in found)

            service.close()  # the recogniser's process is gone
            await pilot.press("q")
            article = await open_article(app, pilot, short_id)
            status = await entity_status(article, pilot)
            assert status.startswith("no entities: entities could not be found"), status
            assert app.is_running
    finally:
        service.close()


async def test_the_legend_says_so_when_the_model_fails_to_load(tmp_path: Path) -> None:
    """An installed package that is no spaCy model (click): loading it fails with
    an AttributeError, which the legend says instead of "finding…"."""
    library = Library(tmp_path / "library").ensure()
    (tmp_path / "short.txt").write_text(f"{SENTENCE}\n\n{SENTENCE}", encoding="utf-8")
    assert run(library.root, "add", str(tmp_path / "short.txt")).returncode == 0
    (article_id,) = library.article_ids()
    app = ReaderApp(Library(library.root), EntityService(packages=("click",)))
    async with app.run_test(size=(140, 40)) as pilot:
        article = await open_article(app, pilot, article_id)
        status = await entity_status(article, pilot)
        assert status.startswith("no entities: the entity model click failed to load"), status
        assert app.is_running
