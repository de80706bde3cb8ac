"""Every key of the app, pressed through Textual's Pilot, and the state it leaves
(issue 12): the cursor's offset, the selection's bounds, the tags, notes and
corrections in the store files, the OSC 52 escape written for the clipboard,
the screen or dialog that is open, the list's highlighted row, the filter.

``COVERED`` maps each binding id of ``reader.tui.bindings`` to the tests here
that press its key(s); ``test_every_binding_id_has_a_pilot_test`` fails for a
binding without one (and for an id no binding has any more). Keys are pressed
as the binding table has them, through the app's keymap (the settings' [keys]),
never by calling an action. Where a key moves the cursor, the offset expected
is worked out from the text and its layout (a regex for words, the phrase that
starts the next sentence or paragraph, the layout's rows), not copied from a run.

One app run per group of keys, each case put back to a known state before its
key; every library is built in ``tmp_path``, and the store files are read with
plain json after ``app.flush_writes()``. Entities come through the article
screen's own ``EntitiesReady`` message (no spaCy).
"""

from __future__ import annotations

import base64
import re
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from library_screen import rows
from test_app_annotating import (
    exact_of,
    flush,
    make_library,
    new_app,
    open_seed,
    saved_positions,
    settle,
    stored,
    stored_annotations,
    submit_note,
    type_text,
)
from test_app_fixes import give_entities
from test_app_search import settle as answered
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from reader.core.anchoring import new_annotation
from reader.core.config import Config
from reader.core.importers.inputs import import_path
from reader.core.labels import LABEL_GROUPS, label_group
from reader.core.library import Library
from reader.core.models import ArticleDraft, Entity
from reader.core.text import word_count
from reader.tui import bindings
from reader.tui.app import ReaderApp
from reader.tui.bindings import Key
from reader.tui.dialogs.add import AddDialog
from reader.tui.dialogs.annotate import WHOLE_ARTICLE, ConfirmDialog, NoteDialog, TagDialog
from reader.tui.dialogs.entity import LabelDialog, RemoveEntityDialog
from reader.tui.dialogs.export import ExportDialog
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.notes import NotesScreen
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.layout import Line
from reader.tui.widgets.panels import AnnotationList, EntityList

SIZE = (100, 30)  # the seed is several pages long at this size, and its panel shows
NAME = "Recep Tayyip Erdogan"
SOURCE = "https://news.example/turkey-syria"
POEM = ArticleDraft(
    text="A quoted poem\n\n    Indented lines keep their spaces,\n    as a poem quoted does.",
    title="A quoted poem",
    date="2019-01-01",
)


# --- the binding table, and which test presses each key -------------------------------


def table_keys() -> dict[str, Key]:
    """Every key of every table in reader.tui.bindings, by binding id (a table
    added there is found without being named here)."""
    return {
        key.id: key
        for table in vars(bindings).values()
        if isinstance(table, list)
        for key in table
        if isinstance(key, Key)
    }


KEYS = table_keys()
COVERED: dict[str, list[str]] = {}


def covers(*binding_ids: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register the decorated test as the one pressing these bindings' keys."""

    def register(test: Callable[..., object]) -> Callable[..., object]:
        for binding_id in binding_ids:
            COVERED.setdefault(binding_id, []).append(test.__name__)
        return test

    return register


def keys_of(app: ReaderApp, binding_id: str) -> list[str]:
    """The keys that run a binding, as the user has them: the settings' [keys]
    (the app's keymap), else the table's."""
    bound = app._keymap.get(binding_id) or KEYS[binding_id].key
    return [key.strip() for key in bound.split(",")]


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys, then let what they started (a screen, a dialog) settle."""
    await pilot.press(*keys)
    await pilot.pause()


async def steps_round(
    pilot: Pilot, app: ReaderApp, view: ArticleView, forward: str, back: str, stops: list[int]
) -> None:
    """From the first of ``stops`` (the cursor on it), the ``forward`` binding's key
    goes to the next and the ``back`` one's to the previous, round past either end."""
    (next_key,) = keys_of(app, forward)
    (previous_key,) = keys_of(app, back)
    for key, want in [
        (next_key, stops[1]),
        (next_key, stops[2]),
        (previous_key, stops[1]),
        (previous_key, stops[0]),
        (previous_key, stops[-1]),
        (next_key, stops[0]),
    ]:
        await press(pilot, key)
        assert view.cursor == want, key


def test_every_binding_id_has_a_pilot_test() -> None:
    tests = {name for name in globals() if name.startswith("test_")}
    assert {name for names in COVERED.values() for name in names} <= tests
    missing = sorted(KEYS.keys() - COVERED.keys())
    unknown = sorted(COVERED.keys() - KEYS.keys())
    assert not missing, f"bindings with no pilot test in tests/test_every_key.py: {missing}"
    assert not unknown, f"covered here, but no binding has these ids: {unknown}"


# --- libraries -----------------------------------------------------------------------


def library_of_seed(tmp_path: Path, seed_path: Path, *more: ArticleDraft) -> tuple[Library, str]:
    """The seed (with a web address, for o and the copied quote's source line),
    then ``more``; the seed's id."""
    library = Library(tmp_path / "lib").ensure()
    (draft,) = import_path(seed_path)
    seed = library.add(replace(draft, source=SOURCE, origin=None))
    for other in more:
        library.add(other)
    return library, seed.article_id


def spans_of(text: str, phrase: str) -> list[tuple[int, int]]:
    """Where ``phrase`` is in ``text``, as a whole word or words."""
    return [m.span() for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)]


# --- the reading keys: motions -------------------------------------------------------

# A word: letters and digits, joined by a hyphen or an apostrophe ("Turkey’s",
# "London-based"); a WORD (W, B, E): anything between white space.
WORD = re.compile(r"\w+(?:[-'’]\w+)*")
BIG_WORD = re.compile(r"\S+")

Expected = Callable[[ArticleView, int], int]


def next_start(pattern: re.Pattern[str]) -> Expected:
    return lambda view, at: min(m.start() for m in pattern.finditer(view.text) if m.start() > at)


def previous_start(pattern: re.Pattern[str]) -> Expected:
    return lambda view, at: max(m.start() for m in pattern.finditer(view.text) if m.start() < at)


def next_end(pattern: re.Pattern[str]) -> Expected:
    """The last character of this word (when the cursor is not on it) or the next."""
    return lambda view, at: min(
        m.end() - 1 for m in pattern.finditer(view.text) if m.end() - 1 > at
    )


def line_at(view: ArticleView, at: int) -> tuple[int, Line]:
    """The screen row holding ``at``, found among the layout's rows."""
    return next((i, ln) for i, ln in enumerate(view.text_layout.lines) if ln.start <= at < ln.end)


def row_start(view: ArticleView, at: int) -> int:
    return line_at(view, at)[1].start


def row_first(view: ArticleView, at: int) -> int:
    line = line_at(view, at)[1]
    row = view.text[line.start : line.end]
    return line.start + len(row) - len(row.lstrip())


def row_end(view: ArticleView, at: int) -> int:
    line = line_at(view, at)[1]
    return line.start + len(view.text[line.start : line.end].rstrip()) - 1


def on_row(view: ArticleView, row: int, column: int) -> int:
    """The offset at ``column`` on the row, or its last character if it is shorter."""
    line = view.text_layout.lines[row]
    return min(line.start + column, line.end - 1)


def rows_away(delta: int) -> Expected:
    """``delta`` rows of text down (up when negative), blank rows not counted,
    at the same column (the seed's characters are one cell each)."""

    def expected(view: ArticleView, at: int) -> int:
        row, line = line_at(view, at)
        text_rows = [i for i, ln in enumerate(view.text_layout.lines) if ln.kind != "blank"]
        return on_row(view, text_rows[text_rows.index(row) + delta], at - line.start)

    return expected


HALF_PAGE: Callable[[int], int] = lambda height: height // 2  # noqa: E731
PAGE: Callable[[int], int] = lambda height: height - 2  # noqa: E731 (vim: two rows stay)
PAGES = {
    "view.half_down": (HALF_PAGE, 1),
    "view.half_up": (HALF_PAGE, -1),
    "view.page_down": (PAGE, 1),
    "view.page_up": (PAGE, -1),
}


def paged(binding_id: str) -> Expected:
    """The view scrolls by the page's rows, and the cursor with it: the same
    row on screen (the next row of text, if that one is blank), the same column."""
    rows_of, sign = PAGES[binding_id]

    def expected(view: ArticleView, at: int) -> int:
        rows = rows_of(view.scrollable_content_region.height)
        top = round(view.scroll_offset.y)
        assert 0 <= top + sign * rows <= view.max_scroll_y, "no room to page the whole way"
        row, line = line_at(view, at)
        target = row + sign * rows
        if view.text_layout.lines[target].kind == "blank":
            target += sign
        return on_row(view, target, at - line.start)

    return expected


# (binding id, where the cursor starts: a phrase and a shift from its start,
# where it ends: a phrase's start, or worked out from the text and layout)
MOTIONS: list[tuple[str, str, int, str | Expected]] = [
    ("view.word", "Turkey’s President", 0, next_start(WORD)),
    ("view.word", "(SOHR) said", 0, next_start(WORD)),
    ("view.back", "President Recep", 0, previous_start(WORD)),
    ("view.back", "Tayyip Erdogan", 3, previous_start(WORD)),
    ("view.end", "Turkey’s President", 0, next_end(WORD)),
    ("view.end", "Turkey’s President", 7, next_end(WORD)),
    ("view.big_word", "(SOHR) said", 0, next_start(BIG_WORD)),
    ("view.big_back", "said on Saturday", 0, previous_start(BIG_WORD)),
    ("view.big_end", "(SOHR) said", 0, next_end(BIG_WORD)),
    ("view.left", NAME, 3, lambda view, at: at - 1),
    ("view.left_arrow", NAME, 3, lambda view, at: at - 1),
    ("view.right", NAME, 3, lambda view, at: at + 1),
    ("view.right_arrow", NAME, 3, lambda view, at: at + 1),
    ("view.row_start", "Istanbul, Erdogan said", 0, row_start),
    ("view.row_first", "Istanbul, Erdogan said", 0, row_first),
    ("view.row_end", "Istanbul, Erdogan said", 0, row_end),
    ("view.sentence", "The apparent retaliation", 10, "A 34th soldier"),
    ("view.sentence", "A 34th soldier", 0, "Earlier on Saturday"),  # to the next paragraph
    ("view.sentence_back", "A 34th soldier", 10, "A 34th soldier"),  # this one's start
    ("view.sentence_back", "A 34th soldier", 0, "The apparent retaliation"),
    ("view.paragraph", "The apparent retaliation", 10, "Earlier on Saturday"),
    ("view.paragraph_back", "Earlier on Saturday", 20, "Earlier on Saturday"),
    ("view.paragraph_back", "Earlier on Saturday", 0, "The apparent retaliation"),
    ("view.down", "drone strikes have", 3, rows_away(1)),
    ("view.down", "offensive against terrorists", 5, rows_away(1)),  # a paragraph's end
    ("view.down_arrow", "drone strikes have", 3, rows_away(1)),
    ("view.up", "Twenty-six members", 3, rows_away(-1)),  # a paragraph's first row
    ("view.up_arrow", "Turkish soldiers who", 2, rows_away(-1)),
    ("view.half_down", "Speaking in Istanbul", 12, paged("view.half_down")),
    ("view.half_up", "Speaking in Istanbul", 12, paged("view.half_up")),
    ("view.page_down", "Speaking in Istanbul", 12, paged("view.page_down")),
    ("view.page_up", "Speaking in Istanbul", 12, paged("view.page_up")),
    ("view.top", "Speaking in Istanbul", 12, lambda view, at: 0),
    ("view.bottom", "Speaking in Istanbul", 12, lambda view, at: len(view.text) - 1),
]
SECOND_KEY = {"view.top": "g", "view.next_entity": "e", "view.previous_entity": "e"}  # gg ]e [e


COUNTED = ("view.word", "view.big_end", "view.down", "view.paragraph", "view.half_down")


@covers(*dict.fromkeys(binding for binding, *_ in MOTIONS))
async def test_motion_keys(tmp_path: Path, seed_path: Path) -> None:
    """Each motion key from a known offset lands where the text says (every key
    of a binding: j and down, pagedown, ctrl+f and space); a count before it
    (3w) goes as far as pressing it three times."""
    library, _ = library_of_seed(tmp_path, seed_path, POEM)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        text = view.text

        def start_at(offset: int) -> None:
            view.clear_selection()
            view.show_from(offset)  # its row at the top: the pages have room both ways
            assert view.cursor == offset

        for binding, phrase, shift, expected in MOTIONS:
            start = text.index(phrase) + shift
            second = SECOND_KEY.get(binding, "")
            for key in keys_of(app, binding):
                start_at(start)
                top = round(view.scroll_offset.y)
                want = text.index(expected) if isinstance(expected, str) else expected(view, start)
                assert want != start, (binding, "a case that cannot fail")
                await pilot.press(key, *second)
                assert view.cursor == want, (binding, key, text[view.cursor : view.cursor + 20])
                if binding in PAGES:  # the view scrolled the page's rows (or to the cursor)
                    rows_of, sign = PAGES[binding]
                    moved = rows_of(view.scrollable_content_region.height)
                    row = line_at(view, view.cursor)[0]
                    assert round(view.scroll_offset.y) == min(top + sign * moved, row), key
            if binding in COUNTED:
                key = keys_of(app, binding)[0]
                start_at(start)
                await pilot.press(*[key, *second] * 3)
                thrice = view.cursor
                start_at(start)
                await pilot.press("3", key, *second)
                assert view.cursor == thrice, (binding, f"3{key}")

        # ^ differs from 0 on an indented row: the poem's.
        await press(pilot, "q")
        await press(pilot, "j", "enter")
        assert isinstance(app.screen, ArticleScreen) and view.text == POEM.text
        start = POEM.text.index("keep their")
        assert row_first(view, start) != row_start(view, start)
        for binding, expected in [
            ("view.row_first", row_first),
            ("view.row_start", row_start),
            ("view.row_end", row_end),
        ]:
            view.move_to(start)
            await pilot.press(*keys_of(app, binding))
            assert view.cursor == expected(view, start), binding


# --- the reading keys: selecting, and the annotating keys ---------------------------------


def records(library: Library, article_id: str, exact: str) -> list[dict]:
    """The article's stored annotations on ``exact``."""
    return [r for r in stored_annotations(library, article_id) if exact_of(r) == exact]


def article_record(library: Library, article_id: str) -> dict:
    return stored(library, article_id)["meta"]["1"]["article"]


OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


@covers(
    "view.select",
    "view.cancel",
    "article.copy",
    "article.tag",
    "article.note",
    "article.undo",
    "article.redo",
    "article.delete",
    "article.tag_article",
    "article.note_article",
    "article.open_source",
)
async def test_selecting_and_annotating_keys(
    tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", opened.append)  # no browser runs here
    library, article_id = library_of_seed(tmp_path, seed_path)
    (draft,) = import_path(seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        screen = app.screen
        name = view.text.index(NAME)
        span = (name, name + len(NAME))

        # v starts a selection on the cursor's character; motions stretch it.
        view.move_to(name)
        await press(pilot, *keys_of(app, "view.select"))
        assert view.selection == (name, name + 1)
        await press(pilot, "e", "e", "e")
        assert view.selection == span

        # y writes the selection as a quote with its source line, as OSC 52.
        written: list[str] = []
        monkeypatch.setattr(app._driver, "write", written.append)
        await press(pilot, *keys_of(app, "article.copy"))
        copied = [m[1] for data in written for m in OSC52.finditer(data)]
        assert len(copied) == 1, f"not one OSC 52 escape written, but: {written!r}"
        source = ", ".join((draft.title, draft.author, draft.date, SOURCE))
        assert base64.b64decode(copied[0]).decode("utf-8") == f"“{NAME}”\n— {source}"

        # escape cancels the selection; the cursor stays.
        await press(pilot, *keys_of(app, "view.cancel"))
        assert view.selection is None and view.cursor == span[1] - 1

        # A second v keeps the selection: the cursor moves on, the span stays.
        view.move_to(name)
        await press(pilot, "v", "e", "e", "e", "v", "w")
        assert view.selection == span and view.cursor > span[1]

        # t: the tag dialog; enter saves the tags on the selected span.
        await press(pilot, *keys_of(app, "article.tag"))
        assert isinstance(app.screen, TagDialog) and app.screen.quote == NAME
        await type_text(pilot, "pm, tr")
        await press(pilot, "enter")
        assert app.screen is screen and view.selection is None
        await flush(app, pilot)
        (record,) = records(library, article_id, NAME)
        assert (record["tags"], record.get("note", "")) == (["pm", "tr"], "")
        annotation_id = record["id"]

        # a: the note dialog on the annotation under the cursor.
        view.move_to(name + 3)
        await press(pilot, *keys_of(app, "article.note"))
        assert isinstance(app.screen, NoteDialog) and app.screen.quote == NAME
        await type_text(pilot, "Why?")
        await submit_note(app, pilot)
        await flush(app, pilot)
        (record,) = records(library, article_id, NAME)
        assert (record["id"], record["note"]) == (annotation_id, "Why?")

        # u undoes the note, then the tagging; ctrl+r redoes them in order.
        undo, redo = keys_of(app, "article.undo"), keys_of(app, "article.redo")
        notes_after: list[list[tuple[str, str]]] = []
        for key in [*undo, *undo, *redo, *redo]:
            await press(pilot, key)
            await flush(app, pilot)
            notes_after.append(
                [(r["id"], r.get("note", "")) for r in records(library, article_id, NAME)]
            )
        assert notes_after == [
            [(annotation_id, "")],
            [],
            [(annotation_id, "")],
            [(annotation_id, "Why?")],
        ]
        (record,) = records(library, article_id, NAME)
        assert record["tags"] == ["pm", "tr"]

        # x on the annotation asks first; y deletes it.
        view.move_to(name + 5)
        await press(pilot, *keys_of(app, "article.delete"))
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "y")
        assert app.screen is screen
        await flush(app, pilot)
        assert records(library, article_id, NAME) == []

        # T and A: the whole article's tags and note.
        await press(pilot, *keys_of(app, "article.tag_article"))
        assert isinstance(app.screen, TagDialog) and app.screen.quote.startswith(WHOLE_ARTICLE)
        await type_text(pilot, "war")
        await press(pilot, "enter")
        await press(pilot, *keys_of(app, "article.note_article"))
        assert isinstance(app.screen, NoteDialog) and app.screen.quote.startswith(WHOLE_ARTICLE)
        await type_text(pilot, "Read.")
        await submit_note(app, pilot)
        await flush(app, pilot)
        assert app.screen is screen
        article = article_record(library, article_id)
        assert (article["tags"], article["note"]) == (["war"], "Read.")
        assert stored_annotations(library, article_id) == []  # on the article, not a span

        # o opens the article's web address in the browser.
        await press(pilot, *keys_of(app, "article.open_source"))
        await app.workers.wait_for_complete()
        assert opened == [SOURCE]


# --- the find bar ------------------------------------------------------------------------


@covers("article.find", "article.next_match", "article.previous_match", "article.close_find")
async def test_find_keys(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        find_bar = app.screen.query_one("#find", Input)
        found = [start for start, _ in spans_of(view.text.casefold(), "idlib")]
        assert len(found) >= 3
        view.move_to(0)

        # / opens the find bar with the focus; enter goes to the first match.
        await press(pilot, *keys_of(app, "article.find"))
        assert find_bar.display and app.focused is find_bar
        await type_text(pilot, "Idlib")
        await press(pilot, "enter")
        assert not find_bar.display and app.focused is view
        assert [start for start, _ in view.matches] == found
        assert view.cursor == found[0]

        # n and N: the next and previous match, round past either end as vim.
        await steps_round(pilot, app, view, "article.next_match", "article.previous_match", found)

        # escape in the find bar closes it: back to the text, the matches kept.
        await press(pilot, "slash")
        assert find_bar.display and find_bar.value == "Idlib"
        await press(pilot, *keys_of(app, "article.close_find"))
        assert not find_bar.display and app.focused is view
        assert view.cursor == found[0] and len(view.matches) == len(found)


# --- entities ------------------------------------------------------------------------------


def seed_entities(text: str) -> list[Entity]:
    """Entities of every type in the legend, as a recogniser would give them:
    Erdogan is named in full once, then by his surname."""
    found: list[Entity] = []
    for phrase, label in [
        (NAME, "PERSON"),
        ("Erdogan", "PERSON"),
        ("Vladimir Putin", "PERSON"),
        ("Syrian Observatory for Human Rights", "ORG"),
        ("Idlib", "GPE"),
        ("Turkish", "NORP"),
        ("Saturday", "DATE"),
        ("26", "CARDINAL"),
        ("billions of euros", "MONEY"),
        ("four-way summit", "EVENT"),
    ]:
        for start, end in spans_of(text, phrase):
            if not any(e.start < end and start < e.end for e in found):
                found.append(Entity(start, end, label, phrase))
    assert {label_group(e.label) for e in found} == set(LABEL_GROUPS)
    return sorted(found, key=lambda e: e.start)


def corrections(library: Library, article_id: str) -> set[tuple[object, ...]]:
    return {
        (c["action"], c["text"], c["label"], c["start"], c["end"])
        for c in stored(library, article_id).get("corrections", {}).values()
    }


@covers(
    "view.next_entity",
    "view.previous_entity",
    "view.toggle_type",
    "article.next_mention",
    "article.previous_mention",
    "article.relabel",
    "article.mark",
    "article.delete",
    "article.mentions",
)
async def test_entity_keys(tmp_path: Path, seed_path: Path) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        screen = app.screen
        text = view.text
        name = text.index(NAME)
        entities = seed_entities(text)
        await give_entities(app, pilot, entities)
        starts = [e.start for e in entities]
        (forward,) = keys_of(app, "view.next_entity")
        (back,) = keys_of(app, "view.previous_entity")

        # ]e and [e: the next and previous entity of any type; 3]e three on.
        for at, keys, want in [
            (0, [forward, "e"], starts[0]),
            (starts[4] + 1, [forward, "e"], starts[5]),
            (0, ["3", forward, "e"], starts[2]),
            (starts[4] + 1, [back, "e"], starts[4]),
            (starts[4], [back, "e"], starts[3]),
        ]:
            view.move_to(at)
            await press(pilot, *keys)
            assert view.cursor == want, keys

        # * and #: the next and previous mention of the same person, by any of
        # his names, over the other entities between; round past either end.
        erdogan = [e.start for e in entities if "Erdogan" in e.text]
        assert erdogan[0] == name and len(erdogan) >= 3
        assert any(erdogan[0] < s < erdogan[1] for s in starts if s not in erdogan)
        view.move_to(erdogan[0])
        await steps_round(
            pilot, app, view, "article.next_mention", "article.previous_mention", erdogan
        )

        # r relabels the entity under the cursor: the label picked is saved.
        idlib = next(e for e in entities if e.text == "Idlib")
        view.move_to(idlib.start + 2)
        await press(pilot, *keys_of(app, "article.relabel"))
        assert isinstance(app.screen, LabelDialog)
        labels = app.screen.query_one(OptionList)
        assert labels.get_option_at_index(labels.highlighted).id == "GPE"  # its label now
        await press(pilot, "up")
        picked = labels.get_option_at_index(labels.highlighted).id
        await press(pilot, "enter")
        assert app.screen is screen and picked != "GPE"
        await flush(app, pilot)
        assert corrections(library, article_id) == {
            ("label", "Idlib", picked, idlib.start, idlib.end)
        }

        # M marks the selection as an entity of the label picked.
        (macron,) = spans_of(text, "Emmanuel Macron")
        view.move_to(macron[0])
        await pilot.press("v", "e", "e")
        assert view.selection == macron
        await press(pilot, *keys_of(app, "article.mark"))
        assert isinstance(app.screen, LabelDialog)
        labels = app.screen.query_one(OptionList)
        picked = labels.get_option_at_index(labels.highlighted).id
        await press(pilot, "enter")
        await flush(app, pilot)
        assert ("add", "Emmanuel Macron", picked, *macron) in corrections(library, article_id)

        # x on an entity (no annotation there) asks; y removes it in this article.
        saturday = next(e for e in entities if e.text == "Saturday")
        view.move_to(saturday.start)
        await press(pilot, *keys_of(app, "article.delete"))
        assert isinstance(app.screen, RemoveEntityDialog)
        await press(pilot, "y")
        await flush(app, pilot)
        assert ("remove", "Saturday", "", saturday.start, saturday.end) in corrections(
            library, article_id
        )

        # z and a legend number hide that type: the panel's names go, and ]e
        # steps over them; z1 to z8 hide all eight, one by one.
        (toggle,) = keys_of(app, "view.toggle_type")
        panel = screen.query_one(EntityList)
        for number, group in enumerate(LABEL_GROUPS, 1):
            await pilot.press(toggle, str(number))
            assert view.hidden_groups == set(list(LABEL_GROUPS)[:number])
            assert group not in {one.group for one in panel.names}
            if number == 1:  # from just before Erdogan: over him, to the next type shown
                view.move_to(name - 1)
                await pilot.press(forward, "e")
                shown = [e.start for e in entities if label_group(e.label) != group]
                assert view.cursor == min(start for start in shown if start > name)
        # Again, and that type is back.
        await pilot.press(toggle, "1")
        assert view.hidden_groups == set(list(LABEL_GROUPS)[1:])
        assert {one.group for one in panel.names} == {list(LABEL_GROUPS)[0]}

        # m: back to the library, filtered to the articles naming him by any name.
        view.move_to(erdogan[1])
        await press(pilot, *keys_of(app, "article.mentions"))
        assert isinstance(app.screen, LibraryScreen)
        assert not any(isinstance(s, ArticleScreen) for s in app.screen_stack)
        query = app.screen.current_query()
        assert set(re.findall(r'entity:"([^"]+)"', query)) == {NAME, "Erdogan"}
        assert app.focused is app.screen.article_list


# --- the article screen's panels, export and leaving ---------------------------------------


@covers(
    "article.orphans",
    "article.panel",
    "article.side_panel",
    "article.export",
    "article.back",
)
async def test_panel_export_and_back_keys(tmp_path: Path, seed_path: Path) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    lost = "A sentence this article never had."
    library.store(article_id).save_annotation(new_annotation(lost, 2, 10, ("lost",)))
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        screen = app.screen
        entity_list = screen.query_one(EntityList)
        annotation_list = screen.query_one(AnnotationList)
        (orphan,) = screen.annotations.items
        assert orphan.state == "orphan"

        # O focuses the orphan in the annotations panel.
        await press(pilot, *keys_of(app, "article.orphans"))
        assert app.focused is annotation_list
        highlighted = annotation_list.get_option_at_index(annotation_list.highlighted)
        assert highlighted.id == orphan.id

        # tab: the text, the entities, the annotations, round.
        (tab,) = keys_of(app, "article.panel")
        for want in (view, entity_list, annotation_list, view):
            await press(pilot, tab)
            assert app.focused is want

        # p hides the side panel, and shows it again.
        side = screen.query_one("#side-panel")
        (toggle,) = keys_of(app, "article.side_panel")
        await press(pilot, toggle)
        assert not side.display and app.focused is view
        await press(pilot, toggle)
        assert side.display

        # ctrl+e: the export dialog, for this article.
        await press(pilot, *keys_of(app, "article.export"))
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.query_one("#export-query", Input).value == f"article:{article_id}"
        await press(pilot, "escape")
        assert app.screen is screen

        # q: back to the library; the reading position saved is the top row's start.
        await press(pilot, "ctrl+f", "ctrl+f")
        top = view.text_layout.lines[round(view.scroll_offset.y)].start
        assert top > 0
        await press(pilot, *keys_of(app, "article.back"))
        assert isinstance(app.screen, LibraryScreen)
        await flush(app, pilot)
        assert saved_positions(library)[article_id] == top


# --- the library's list ----------------------------------------------------------------------


def dispatches(count: int) -> list[ArticleDraft]:
    return [
        ArticleDraft(
            text=f"Dispatch {n}. The delegates met again and talked about water.",
            title=f"Dispatch {n:02}",
            date=f"2020-{1 + n // 28:02}-{1 + n % 28:02}",
        )
        for n in range(count)
    ]


def dispatch_library(tmp_path: Path, count: int) -> tuple[Library, list[str]]:
    """A library of ``count`` dispatches; their titles as listed, newest first."""
    library = Library(tmp_path / "lib").ensure()
    drafts = dispatches(count)
    library.add_many(drafts)
    return library, [d.title for d in sorted(drafts, key=lambda d: d.date, reverse=True)]


@covers(
    "list.open",
    "list.down",
    "list.up",
    "list.page_down",
    "list.page_up",
    "list.half_down",
    "list.half_up",
    "list.top",
    "list.bottom",
)
async def test_list_keys(tmp_path: Path) -> None:
    library, titles = dispatch_library(tmp_path, 60)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        article_list = screen.article_list
        assert [info.title for info in screen.listed()] == titles
        last = len(titles) - 1
        page = article_list.scrollable_content_region.height - 1  # a row of the last page stays
        assert 0 < 2 * page < last

        for binding, start, want in [
            ("list.down", 5, 6),
            ("list.up", 5, 4),
            ("list.page_down", 5, 5 + page),
            ("list.page_down", last - 2, last),
            ("list.page_up", 2 * page, page),
            ("list.page_up", 2, 0),
            ("list.half_down", 5, 5 + page // 2),
            ("list.half_up", 2 * page, 2 * page - page // 2),
            ("list.top", 20, 0),
            ("list.bottom", 5, last),
        ]:
            for key in keys_of(app, binding):
                article_list.move_to(start)
                await pilot.pause()
                await press(pilot, key)
                assert article_list.cursor == want, (binding, key)
                highlighted = article_list.row(article_list.highlighted)
                assert highlighted is not None and highlighted.title == titles[want]
                top = round(article_list.scroll_offset.y)
                assert top <= want < top + article_list.scrollable_content_region.height

        # enter opens the highlighted article.
        article_list.move_to(7)
        await press(pilot, *keys_of(app, "list.open"))
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.article.info.title == titles[7]


@covers("library.toggle_read", "library.delete", "article.next_article", "article.previous_article")
async def test_reading_state_keys(tmp_path: Path) -> None:
    library, titles = dispatch_library(tmp_path, 4)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)

        def read() -> list[bool]:
            return [info.read for info in screen.listed()]

        # N: the highlighted article read, then unread again.
        for key in keys_of(app, "library.toggle_read"):
            screen.article_list.move_to(1)
            await press(pilot, key)
            await flush(app, pilot)
            assert read() == [False, True, False, False], key
            await press(pilot, key)
            await flush(app, pilot)
            assert read() == [False] * 4, key

        # J and K: the next and previous article, from the article screen.
        screen.article_list.move_to(0)
        await press(pilot, *keys_of(app, "list.open"))
        article = app.screen
        assert isinstance(article, ArticleScreen)
        for binding, want in [
            ("article.next_article", 1),
            ("article.next_article", 2),
            ("article.previous_article", 1),
        ]:
            await press(pilot, *keys_of(app, binding))
            assert article.article.info.title == titles[want], binding
        await press(pilot, "q")
        await flush(app, pilot)
        await settle(app, pilot)
        assert read() == [True, True, True, False]
        assert screen.article_list.cursor == 1

        # D: asks, then the highlighted article goes to the trash.
        await press(pilot, *keys_of(app, "library.delete"))
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "y")
        await flush(app, pilot)
        await settle(app, pilot)
        assert [info.title for info in screen.listed()] == [titles[0], *titles[2:]]
        assert len(list((library.root / ".trash").iterdir())) == 1


@covers("article.rules", "rules.remove", "rules.undo", "rules.close")
async def test_rules_keys(tmp_path: Path, seed_path: Path) -> None:
    from reader.core.models import Correction
    from reader.tui.screens.rules import RulesScreen

    library, _ = library_of_seed(tmp_path, seed_path)
    library.rule_store().save_correction(Correction("r1", "remove", "Syrian Observatory"))
    app = new_app(library)

    def rules() -> list[str]:
        return [rule.text for rule in library.rule_store().corrections()]

    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        for close in keys_of(app, "rules.close"):
            await press(pilot, *keys_of(app, "article.rules"))
            assert isinstance(app.screen, RulesScreen)
            for remove in keys_of(app, "rules.remove"):
                await press(pilot, remove)
                await flush(app, pilot)
                assert rules() == [], remove
                await press(pilot, *keys_of(app, "rules.undo"))
                await flush(app, pilot)
                assert rules() == ["Syrian Observatory"]
            await press(pilot, close)
            assert isinstance(app.screen, ArticleScreen), close


# --- the library screen ------------------------------------------------------------------------


@covers(
    "library.filter",
    "library.sort",
    "library.add",
    "library.notes",
    "library.export",
    "library.clear",
    "library.quit",
)
async def test_library_keys(
    tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    geneva = ArticleDraft(
        text="Geneva talks resume. Both sides met on Monday.",
        title="Geneva talks resume",
        date="2019-05-01",
    )
    harvest = ArticleDraft(
        text="A harvest report. " + "The wheat came in early and the barley late. " * 6,
        title="A harvest report",
        date="2018-09-10",
    )
    (seed,) = import_path(seed_path)
    drafts = [geneva, seed, harvest]
    library = Library(tmp_path / "lib").ensure()
    added = {d.title: library.add(d).article_id for d in drafts}  # one by one, in this order
    notes = {geneva.title: 3, seed.title: 2, harvest.title: 1}
    tags = {geneva.title: "talks", seed.title: "syria", harvest.title: "farming"}
    for title, count in notes.items():
        store, text = library.store(added[title]), library.read_text(added[title])
        for n in range(count):
            store.save_annotation(new_annotation(text, n, n + 3, (tags[title],)))
    orders = {
        "date": sorted(drafts, key=lambda d: d.date, reverse=True),
        "added": drafts[::-1],
        "title": sorted(drafts, key=lambda d: d.title.casefold()),
        "words": sorted(drafts, key=lambda d: word_count(d.text), reverse=True),
        "notes": sorted(drafts, key=lambda d: notes[d.title], reverse=True),
    }
    assert len({tuple(d.title for d in order) for order in orders.values()}) == 5

    # A file to add, by a short path (each character is a key pressed).
    monkeypatch.chdir(tmp_path)
    Path("flood.txt").write_text("Flood warning\n\nThe river rose overnight.\n", encoding="utf-8")
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)

        def listed() -> list[str]:
            return [info.title for info in screen.listed()]

        assert listed() == [d.title for d in orders["date"]]
        filter_input = screen.query_one("#filter", Input)

        # / puts the focus in the filter: what is typed filters the list.
        await press(pilot, *keys_of(app, "library.filter"))
        assert app.focused is filter_input
        await type_text(pilot, "tag:syria")
        await press(pilot, "enter")
        await answered(app, pilot)
        assert listed() == [seed.title] and app.focused is screen.article_list

        # e: the export dialog, with the filter; enter on Markdown, enter exports.
        await press(pilot, *keys_of(app, "library.export"))
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.query_one("#export-query", Input).value == "tag:syria"
        output = Path(app.screen.query_one("#export-output", Input).value)
        await press(pilot, "enter")
        await press(pilot, "enter")
        await app.workers.wait_for_complete()
        assert app.screen is screen
        exported = list(output.glob("*.md"))
        assert len(exported) == 1 and "Turkish drone strikes" in exported[0].read_text()

        # escape clears the filter.
        await press(pilot, *keys_of(app, "library.clear"))
        await answered(app, pilot)
        assert filter_input.value == "" and listed() == [d.title for d in orders["date"]]

        # s: the next sort, round to the first.
        (sort,) = keys_of(app, "library.sort")
        for name in ("added", "title", "words", "notes", "date"):
            await press(pilot, sort)
            await answered(app, pilot)
            assert (screen.sort, listed()) == (name, [d.title for d in orders[name]])

        # n: the notes screen.
        await press(pilot, *keys_of(app, "library.notes"))
        assert isinstance(app.screen, NotesScreen)
        await press(pilot, "escape")
        assert app.screen is screen

        # a: the add dialog; a file's path and enter import it.
        await press(pilot, *keys_of(app, "library.add"))
        assert isinstance(app.screen, AddDialog)
        await type_text(pilot, "flood.txt")
        await press(pilot, "enter")
        await answered(app, pilot)  # the import, then the listing it asks for
        assert app.screen is screen
        ids = Library(library.root).article_ids()
        assert len(ids) == 4 and len(rows(screen)) == 4
        new = [i for i in ids if i not in added.values()]
        assert "The river rose" in library.read_text(*new)

        # q quits.
        await press(pilot, *keys_of(app, "library.quit"))
        assert app.return_code == 0 and not app.is_running


# --- the notes screen --------------------------------------------------------------------------


@covers("notes.query", "notes.back", "notes.quit", "notes.to_list", "notes.export", "notes.help")
async def test_notes_keys(tmp_path: Path, seed_path: Path) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    text = library.read_text(article_id)
    store = library.store(article_id)
    for phrase, tag in ((NAME, "pm"), ("Vladimir Putin", "ru")):
        start = text.index(phrase)
        store.save_annotation(new_annotation(text, start, start + len(phrase), (tag,)))
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        library_screen = app.screen
        await press(pilot, "n")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, NotesScreen)
        query, notes = screen.query_one(Input), screen.query_one(OptionList)
        assert app.focused is query and notes.option_count == 2

        # down: from the search to the list; / back to the search.
        await press(pilot, *keys_of(app, "notes.to_list"))
        assert app.focused is notes
        await press(pilot, *keys_of(app, "notes.query"))
        assert app.focused is query
        await type_text(pilot, "tag:pm")
        await settle(app, pilot)
        assert [(info.id, a and a.exact) for info, a in screen.found] == [(article_id, NAME)]

        # ctrl+e: the export dialog, with the search (from the search field).
        await press(pilot, *keys_of(app, "notes.export"))
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.query_one("#export-query", Input).value == "tag:pm"
        await press(pilot, "escape")
        assert app.screen is screen

        # f1: the keys (? would be typed in the search).
        await press(pilot, *keys_of(app, "notes.help"))
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert app.screen is screen and query.value == "tag:pm"

        # q from the list goes back; escape from the search too.
        await press(pilot, "down", *keys_of(app, "notes.quit"))
        assert app.screen is library_screen
        await press(pilot, "n")
        await settle(app, pilot)
        assert isinstance(app.screen, NotesScreen)
        await press(pilot, *keys_of(app, "notes.back"))
        assert app.screen is library_screen


# --- everywhere --------------------------------------------------------------------------------


@covers("app.help", "app.help_f1", "app.palette", "app.quit")
async def test_global_keys(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        filter_input = screen.query_one("#filter", Input)

        # ?: the keys; escape closes them.
        await press(pilot, *keys_of(app, "app.help"))
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert app.screen is screen

        # f1 opens them while typing in the filter, and types nothing there.
        await press(pilot, "slash", "a")
        assert app.focused is filter_input
        await press(pilot, *keys_of(app, "app.help_f1"))
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert app.screen is screen and filter_input.value == "a"
        await press(pilot, "escape")

        # ctrl+p: the command palette; its Keys command opens the keys.
        await press(pilot, *keys_of(app, "app.palette"))
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "Keys")
        results = app.screen.query_one(CommandList)
        for _ in range(200):  # the commands are searched in a task
            if results.highlighted is not None:
                break
            await pilot.pause(0.02)
        assert "Keys" in str(results.get_option_at_index(results.highlighted).prompt)
        await press(pilot, "enter")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert app.screen is screen

        # ctrl+q quits, from the article screen too.
        await press(pilot, "enter")
        assert isinstance(app.screen, ArticleScreen)
        assert app.return_code is None
        await press(pilot, *keys_of(app, "app.quit"))
        assert app.return_code == 0 and not app.is_running


# --- the settings' [keys] ----------------------------------------------------------------------


async def test_keys_remapped_in_the_settings_replace_the_tables(
    tmp_path: Path, seed_path: Path
) -> None:
    """A key set in [keys] runs its binding (the view's own keys, a list's, a
    screen's), and the key it replaced no longer does."""
    library, _ = library_of_seed(tmp_path, seed_path, POEM)
    keys = {"list.down": "J", "view.word": "f", "article.side_panel": "P"}
    app = ReaderApp(library, new_app(library).entities, config=Config(keys=keys))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        article_list = app.screen.article_list
        assert keys_of(app, "list.down") == ["J"]
        await press(pilot, "j")
        assert article_list.cursor == 0
        await press(pilot, "J")
        assert article_list.cursor == 1
        await press(pilot, "k")

        view = await open_seed(app, pilot)
        start = view.text.index("Turkey’s President")
        view.move_to(start)
        await press(pilot, "w")
        assert view.cursor == start
        await press(pilot, "f")
        assert view.cursor == next_start(WORD)(view, start)

        side = app.screen.query_one("#side-panel")
        await press(pilot, "p")
        assert side.display
        await press(pilot, "P")
        assert not side.display
