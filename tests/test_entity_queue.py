"""Entities for the whole library, found in the background (reader.core.entity_queue),
with the real model in real processes: killed half-way, the work resumes where it
stopped; one recogniser at a time; a text not in English is set aside, not retried;
``reader add`` starts the recogniser and ``entity:`` then sees the new articles."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from test_app_annotating import settle

from reader.core.entities import EntityService
from reader.core.entity_queue import background_command
from reader.core.library import Library
from reader.core.models import ArticleDraft
from reader.core.query import parse_query

PEOPLE = ["Angela Merkel", "Emmanuel Macron", "Jacinda Ardern", "Olaf Scholz", "Pedro Sánchez"]
PLACES = ["Berlin", "Paris", "Wellington", "Madrid", "Warsaw"]
DEADLINE = 180.0  # seconds: each run loads the model (a few seconds) on a shared machine


def english(n: int) -> ArticleDraft:
    person, place = PEOPLE[n % 5], PLACES[(n // 5) % 5]
    text = " ".join(
        f"{person} met the finance ministers of the European Union in {place} on Monday. "
        f"The talks on the budget lasted {n + 2} hours, officials said."
        for _ in range(3)
    )
    return ArticleDraft(text=text, title=f"Budget talks number {n}", date="2023-04-01")


FRENCH = ArticleDraft(
    text="Le gouvernement a annoncé lundi un nouveau plan pour les transports publics de la "
    "région parisienne. Les syndicats ont salué une avancée mais demandent davantage de moyens.",
    title="Plan de transports",
    date="2023-04-02",
)


def environment() -> dict[str, str]:
    """The tests' environment, with background recognition allowed."""
    return {k: v for k, v in os.environ.items() if k != "READER_NO_BACKGROUND"}


def wait_until(condition, what: str, deadline: float = DEADLINE) -> None:  # noqa: ANN001
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_the_background_recogniser_resumes_after_a_kill(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib").ensure()
    library.add_many([english(n) for n in range(200)] + [FRENCH])
    catalog = library.catalog
    assert catalog.count_pending_entities() == 201

    first = subprocess.Popen(background_command(library), env=environment())
    try:
        wait_until(lambda: catalog.count_pending_entities() < 201, "a first batch")
        # A second recogniser on the same library leaves at once: the queue is taken.
        second = subprocess.run(background_command(library), env=environment(), timeout=60)
        assert second.returncode == 0
        assert first.poll() is None, "the first recogniser ended before it was killed"
    finally:
        first.kill()
        first.wait()
    left = catalog.count_pending_entities()
    assert 0 < left < 201, left
    # Killed mid-way: every store is whole, and what was found stays found.
    for article_id in library.article_ids():
        library.store(article_id).read()

    resumed = subprocess.run(background_command(library), env=environment(), timeout=DEADLINE)
    assert resumed.returncode == 0
    assert catalog.count_pending_entities() == 0
    key = EntityService(rules=library.rule_store()).cache_key()
    assert catalog.outdated_entities(key) == []  # the French article is set aside, not retried
    merkel = catalog.article_ids(parse_query('entity:"Angela Merkel"'))
    assert len(merkel) == 40
    assert catalog.article_ids(parse_query("label:place"))


def test_reader_add_finds_the_new_articles_entities_in_the_background(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib").ensure()
    files = []
    for n in range(3):
        path = tmp_path / f"story{n}.txt"
        path.write_text(english(n).title + "\n\n" + english(n).text, encoding="utf-8")
        files.append(str(path))
    added = subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), "add", *files],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    assert "finding their entities in the background" in added.stderr
    catalog = library.catalog
    wait_until(lambda: catalog.count_pending_entities() == 0, "the background recogniser")
    (macron,) = catalog.article_ids(parse_query('entity:"Emmanuel Macron"'))
    assert catalog.rows([macron])[macron].title == "Budget talks number 1"


def test_an_entity_query_says_how_many_articles_it_cannot_see_yet(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib").ensure()
    library.add_many([english(n) for n in range(3)])
    command = [sys.executable, "-m", "reader", "--library", str(library.root), "list"]
    by_entity = subprocess.run([*command, "entity:berlin"], capture_output=True, text=True)
    assert by_entity.returncode == 1  # nothing found (yet): exit code 1, said
    assert by_entity.stderr.splitlines() == [
        "reader: entities not yet found for 3 articles (reader find-entities finds them)",
        "reader: no article matches the query",
    ]
    by_word = subprocess.run([*command, "berlin"], capture_output=True, text=True)
    assert len(by_word.stdout.splitlines()) == 3 and by_word.stderr == ""


async def test_the_library_screen_shows_the_recognisers_progress(tmp_path: Path) -> None:
    """While a recogniser works on the library (here: its lock held, as it holds
    it), the status line says how many articles it has left."""
    import fcntl

    from reader.core import entity_queue
    from reader.tui.app import ReaderApp
    from reader.tui.screens.library import LibraryScreen

    library = Library(tmp_path / "lib").ensure()
    library.add_many([english(n) for n in range(3)])
    with open(library.catalog.folder / entity_queue.LOCK_NAME, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        app = ReaderApp(Library(library.root))
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, LibraryScreen)
            status = str(screen.query_one("#library-status").render())
            assert status == "3 articles · newest first · finding entities: 3 articles to go"
