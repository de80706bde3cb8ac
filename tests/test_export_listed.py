"""Exporting what the library lists: every note of the articles a query lists
(its words searched in the articles' text, as the list and ``reader list`` do),
not only the notes the query matches. ``e`` on the library's list exports so;
``reader export --listed`` too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from export_fixture import HARBOUR, LIBRARY_HOURS, build_library
from test_app_annotating import settle
from test_app_search import wait_until
from textual.widgets import Input

from reader.core.entities import EntityService
from reader.core.export import gather
from reader.core.library import Library
from reader.tui.app import ReaderApp
from reader.tui.dialogs.export import ExportDialog

# In the harbour article's text ("The project will cost…"), in none of its notes.
WORD = "project"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return build_library(tmp_path_factory.mktemp("listed") / "library")


def exported(library: Library, query: str, *, listed: bool) -> dict[str, list[str]]:
    """Article id -> the ids of its annotations exported."""
    items = gather(library, query, listed=listed)
    return {item.article.id: sorted(a.id for a in item.annotations) for item in items}


def every_note(library: Library, article_id: str) -> list[str]:
    return sorted(a.id for a in library.load(article_id)[1])


def test_a_word_of_an_articles_text_exports_every_note_of_it(library: Library) -> None:
    assert exported(library, WORD, listed=False) == {}  # no note says it
    assert exported(library, WORD, listed=True) == {HARBOUR: every_note(library, HARBOUR)}
    assert len(every_note(library, HARBOUR)) > 1


def test_a_query_the_list_answers_exports_the_articles_it_lists(library: Library) -> None:
    """A tag lists the articles with it (on the article or a note): all their notes."""
    listed = exported(library, "tag:harbour", listed=True)
    assert listed == {HARBOUR: every_note(library, HARBOUR)}
    hours = exported(library, "twelve OR project", listed=True)
    assert hours == {h: every_note(library, h) for h in (HARBOUR, LIBRARY_HOURS)}


def test_no_query_exports_the_same_either_way(library: Library) -> None:
    assert exported(library, "", listed=True) == exported(library, "", listed=False)


def run(library: Library, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), "export", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_reader_export_listed(library: Library) -> None:
    matched = run(library, "--format", "md", WORD)
    assert matched.returncode == 1 and matched.stdout == ""
    assert "no note matches the query" in matched.stderr
    listed = run(library, "--format", "md", "--listed", WORD)
    assert listed.returncode == 0, listed.stderr
    assert 'Harbour Council votes to rebuild the "old pier"' in listed.stdout
    assert "Sundays" not in listed.stdout
    none = run(library, "--format", "md", "--listed", "vellumorph")
    assert none.returncode == 1 and "no article the query lists has notes" in none.stderr


async def test_e_on_the_list_exports_the_notes_of_the_articles_listed(
    library: Library, tmp_path: Path
) -> None:
    app = ReaderApp(library, EntityService(packages=("no_such_model_pkg",)))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *WORD, "enter")
        await wait_until(pilot, lambda: len(app.screen.listed()) == 1, "one article listed")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportDialog), "the dialog")
        output = tmp_path / "notes.md"
        app.screen.query_one("#export-output", Input).value = str(output)
        await pilot.press("enter", "enter")  # Markdown, then export
        await wait_until(pilot, output.exists, "the export written")
        text = output.read_text(encoding="utf-8")
        assert 'Harbour Council votes to rebuild the "old pier"' in text
        quotes = [a.exact for a in library.load(HARBOUR)[1]]
        assert all(" ".join(q.split()[:3]) in text for q in quotes), (quotes, text)
