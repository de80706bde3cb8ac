"""Pictures of the screens (issue 12): SVG snapshots with pytest-textual-snapshot.

Each test drives the app with a short pilot script and compares the screen with
the SVG kept in ``tests/__snapshots__/test_snapshots/``, in the default dark
theme and a light one: the library, the article with its entities (the legend
and the entity panel), an annotation overlapping an entity with a selection
made by keys, the notes, the keys (``?``), and a 60×20 terminal.

After a change to the UI that is meant, make the pictures anew and review them
as SVG in the pull request (a failed run also writes ``snapshot_report.html``,
the old and new pictures side by side)::

    uv run pytest tests/test_snapshots.py --snapshot-update

Nothing on screen may depend on the machine or the run: the library is built
in ``tmp_path`` but named by a relative path (the library screen's title shows
it); the article's source is the seed's file name, not where ``shared/`` is;
the annotation's id and times are fixed; the entities are the seed's hand
labels, cached under the key the entity service looks for, so no model runs
and the legend says "cached", never "finding…" or a time; every worker is done
before the picture; the notes search field's cursor is held on (no blink).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_textual_snapshot
from textual.widgets import Input

from reader.core.anchoring import new_annotation
from reader.core.entities import EntityService
from reader.core.importers.inputs import import_path
from reader.core.library import Library
from reader.core.models import Entity
from reader.core.recogniser import ModelUnavailable, SpacyRecogniser
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.notes import NotesScreen
from tests.test_app_annotating import open_seed, settle

if TYPE_CHECKING:
    from textual.pilot import Pilot

# pytest-textual-snapshot 1.0.0 (1.1.0 pins a syrupy that wants pytest < 9) names
# its file extension the syrupy 4 way; syrupy 5 and later read ``file_extension``,
# and without it the pictures would be saved as ``.raw``.
pytest_textual_snapshot.SVGImageExtension.file_extension = "svg"

THEMES = ["textual-dark", "textual-light"]  # reader's default (Textual's), and a light one
SIZE = (120, 40)
SMALL = (60, 20)
SOURCE = "shared/articles/000_7151e915db61d1a9.txt"  # not where shared/ is on this machine
WHEN = "2024-05-01T09:30:00Z"
# The annotation starts inside "Recep Tayyip Erdogan" (a person) and holds "Turkish".
ANNOTATED = "Erdogan had threatened reprisals for the killing of dozens of Turkish troops"
SELECTED_FROM = "the London-based Syrian Observatory"  # v and three e from its start

SnapCompare = Callable[..., bool]
Script = Callable[["Pilot"], Awaitable[None]]


class CachedEntities(EntityService):
    """The entity service serving the entities cached in the store, and nothing
    else: it never loads spaCy (the article screen warms the model when it opens),
    and a cache miss is said in the legend at once."""

    def load(self) -> None:
        pass

    def recogniser(self) -> SpacyRecogniser:
        raise ModelUnavailable("not cached: the test's entities are under another key")


def hand_labelled(raw: str, text: str, fixture: Path) -> list[Entity]:
    """The seed's hand-labelled entities (offsets in the raw file), moved to the
    stored text's offsets through an alignment of the two, each with its first label."""
    to_text: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, raw, text, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        to_text.update((a + i, b + i) for i in range(size))
    entities = []
    for mention in json.loads(fixture.read_text(encoding="utf-8"))["mentions"]:
        start, end = to_text[mention["start"]], to_text[mention["end"] - 1] + 1
        assert text[start:end] == mention["text"], mention
        entities.append(Entity(start, end, mention["labels"][0], mention["text"]))
    return entities


@pytest.fixture
def annotated_library(
    tmp_path: Path,
    seed_path: Path,
    fixture_entities_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Library:
    """The seed in a library in ``tmp_path``, named ``library`` (relative: the
    library screen's title shows it), with one annotation and cached entities."""
    monkeypatch.chdir(tmp_path)
    library = Library(Path("library")).ensure()
    (draft,) = import_path(seed_path)
    article_id = library.add(replace(draft, source=SOURCE, origin=None)).article_id
    article, _ = library.load(article_id)
    text = article.text
    start = text.index(ANNOTATED)
    annotation = new_annotation(
        text,
        start,
        start + len(ANNOTATED),
        ("reprisals", "turkey"),
        "Threatened on Saturday, after the strike on Thursday.",
    )
    store = library.store(article_id)
    store.save_annotation(replace(annotation, id="a" * 32, created=WHEN, modified=WHEN))
    key = CachedEntities(rules=library.rule_store()).cache_key()
    assert key is not None, "no entity model package is installed (the cache key names it)"
    raw = seed_path.read_text(encoding="utf-8")
    entities = hand_labelled(raw, text, fixture_entities_path)
    store.cache_entities(key, article.info.text_sha256, entities)
    return library


def reader_app(library: Library) -> ReaderApp:
    return ReaderApp(library, CachedEntities(rules=library.rule_store()))


async def start(pilot: Pilot, theme: str) -> None:
    """The theme set, and the library listed with every worker done."""
    app = pilot.app
    assert isinstance(app, ReaderApp)
    app.theme = theme
    await settle(app, pilot)


async def open_article(pilot: Pilot) -> ArticleScreen:
    """The seed open, its entities shown (the legend counts them), every worker done."""
    app = pilot.app
    assert isinstance(app, ReaderApp)
    await open_seed(app, pilot)
    screen = app.screen
    assert isinstance(screen, ArticleScreen)
    for _ in range(200):
        found = "finding" not in screen.entity_status  # "… (cached)", or why not
        if found and not any(w.is_running for w in app.workers):
            break
        await pilot.pause(0.05)
    assert screen.entity_status.endswith("(cached)"), screen.entity_status
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


def snap(
    snap_compare: SnapCompare,
    library: Library,
    script: Script,
    size: tuple[int, int] = SIZE,
) -> None:
    """The app on ``library``, after ``script``, against its snapshot."""
    assert snap_compare(reader_app(library), terminal_size=size, run_before=script)


@pytest.mark.parametrize("theme", THEMES)
class TestLibrary:
    def test_library(
        self, snap_compare: SnapCompare, annotated_library: Library, theme: str
    ) -> None:
        """The list: title, author, date, words, the annotation's tags, one note."""

        async def script(pilot: Pilot) -> None:
            await start(pilot, theme)

        snap(snap_compare, annotated_library, script)

    def test_library_small(
        self, snap_compare: SnapCompare, annotated_library: Library, theme: str
    ) -> None:
        """60×20: the columns that do not fit are dropped, the title keeps room."""

        async def script(pilot: Pilot) -> None:
            await start(pilot, theme)

        snap(snap_compare, annotated_library, script, SMALL)


@pytest.mark.parametrize("theme", THEMES)
class TestArticle:
    def test_entities(
        self, snap_compare: SnapCompare, annotated_library: Library, theme: str
    ) -> None:
        """The article as opened: entities in their colours, the legend with
        counts, the entity panel, the annotation panel, the cursor at the top."""

        async def script(pilot: Pilot) -> None:
            await start(pilot, theme)
            await open_article(pilot)

        snap(snap_compare, annotated_library, script)

    def test_annotation_and_selection(
        self, snap_compare: SnapCompare, annotated_library: Library, theme: str
    ) -> None:
        """The annotation (underlined, a bar in the margin) over a person's name,
        and a selection in progress (reversed, from a place into an organisation), made with
        v and three e; the status line says what is selected and under the cursor."""

        async def script(pilot: Pilot) -> None:
            await start(pilot, theme)
            screen = await open_article(pilot)
            screen.view.move_to(screen.article.text.index(SELECTED_FROM))
            await pilot.press("v", "e", "e", "e")
            await pilot.pause()

        snap(snap_compare, annotated_library, script)

    def test_article_small(
        self, snap_compare: SnapCompare, annotated_library: Library, theme: str
    ) -> None:
        """60×20: the side panel hides, the text takes the width."""

        async def script(pilot: Pilot) -> None:
            await start(pilot, theme)
            await open_article(pilot)

        snap(snap_compare, annotated_library, script, SMALL)


@pytest.mark.parametrize("theme", THEMES)
class TestNotesAndKeys:
    def test_notes(self, snap_compare: SnapCompare, annotated_library: Library, theme: str) -> None:
        """The notes screen (n): the annotation's quote, tags and note."""

        async def script(pilot: Pilot) -> None:
            await start(pilot, theme)
            await pilot.press("n")
            app = pilot.app
            assert isinstance(app.screen, NotesScreen)
            for field in app.screen.query(Input):
                field.cursor_blink = False  # a blink would be caught on or off
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert str(app.screen.query_one("#notes-status").render()) == "1 note"

        snap(snap_compare, annotated_library, script)

    def test_help(self, snap_compare: SnapCompare, annotated_library: Library, theme: str) -> None:
        """The keys (?), over the library."""

        async def script(pilot: Pilot) -> None:
            await start(pilot, theme)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(pilot.app.screen, HelpScreen)

        snap(snap_compare, annotated_library, script)
