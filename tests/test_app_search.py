"""Searching the library in the app, driven with Textual's Pilot on real libraries.

What a user sees while the index is built; the filter's full-text language (a
word of the text, phrases, prefixes, exclusion, OR, diacritics) and the
status line's count; the sort key; the snippet of the highlighted hit; an
article opened from a search on its first match, with ``n``/``N``; ``/`` in
the article; and the list following changes made by other processes (the
``reader`` console script in a subprocess) without losing the cursor.

Every library is built in ``tmp_path`` with ``Library.add_many`` (annotations
with ``save_annotation``): real files, a real SQLite index. The list is read
as it draws its rows (``ArticleList.render_line``), not from the index. Every
wait polls a condition against a generous deadline.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input, Static

from reader.core.anchoring import new_annotation
from reader.core.entities import EntityService
from reader.core.library import Library
from reader.core.models import ArticleDraft
from reader.core.text import word_count
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.library import EMPTY, LibraryScreen
from reader.tui.widgets.article_view import ArticleView

READER = Path(sys.executable).parent / "reader"
SIZE = (120, 40)
TIMEOUT = 20.0  # seconds: a deadline, never a speed
POLL = 0.05


# --- the corpus ------------------------------------------------------------------------------


def _filler(count: int, start: int = 1) -> str:
    """Paragraphs without any word searched for below."""
    return "\n\n".join(
        f"Paragraph {k}: delegates from both capitals discussed trade, water rights "
        "and the border crossings at length."
        for k in range(start, start + count)
    )


TALKS_TEXT = "\n\n".join(
    [
        _filler(30),
        "President Recep Tayyip Erdoğan met the delegation on Thursday. The ceasefire "
        "along the M4 highway held overnight, officials said.",
        _filler(20, 31),
        "Later the ceasefire was tested near Saraqib, where drones were seen.",
        _filler(20, 51),
        "The ceasefire monitors filed their report on Friday.",
    ]
)


@dataclass(frozen=True)
class Doc:
    key: str
    title: str
    date: str
    text: str
    author: str = ""


DOCS = [
    Doc("talks", "Talks resume in Ankara", "2020-03-05", TALKS_TEXT, "Ayla Demir"),
    Doc(
        "orchard",
        "Orchard harvest in Kent",
        "2021-09-14",
        "Apple growers in Kent reported a record harvest. Pickers worked through the "
        "weekend and the cider presses ran late.\n\nA new highway bypass near the M4 "
        "junction will speed deliveries to the coast.",
        "Tom Reed",
    ),
    Doc(
        "quarry",
        "Residents take the company to court",
        "2019-11-30",
        "Residents near the limestone quarry say blasting cracked their walls. The "
        "company denies it. A ceasefire between the two sides seems unlikely, one "
        "lawyer joked, and the hearing was set for the early spring.",
    ),
    Doc(
        "racing",
        "Racing league expands abroad",
        "2022-05-02",
        "The dronework festival drew crowds to the old airfield. Pilots steered tiny "
        "machines through lit gates at night.",
    ),
    Doc(
        "lisbon",
        "Election night in Lisbon",
        "2018-06-10",
        "Voters queued for hours outside the schools. The results surprised the "
        "pollsters, and the count went on until dawn. " * 3,
    ),
]
ADDED_ORDER = ["quarry", "lisbon", "talks", "racing", "orchard"]  # the order they are added in
NOTES = {"lisbon": ["Voters", "pollsters"], "quarry": ["limestone quarry"]}  # quotes annotated


def doc(key: str) -> Doc:
    return next(d for d in DOCS if d.key == key)


def build(tmp_path: Path) -> tuple[Library, dict[str, str]]:
    """The five articles, added one at a time (so "last added first" is known),
    and a few annotations; returns the library and the article ids by key."""
    library = Library(tmp_path / "lib").ensure()
    ids: dict[str, str] = {}
    for key in ADDED_ORDER:
        d = doc(key)
        (result,) = library.add_many(
            [ArticleDraft(text=d.text, title=d.title, author=d.author, date=d.date)]
        )
        assert result.status == "added", result
        ids[key] = result.article_id
    for key, quotes in NOTES.items():
        store = library.store(ids[key])
        for quote in quotes:
            at = doc(key).text.index(quote)
            store.save_annotation(new_annotation(doc(key).text, at, at + len(quote), ("x",)))
    return library, ids


def new_app(library: Library) -> ReaderApp:
    # A model package that does not exist: no spaCy in these tests.
    return ReaderApp(Library(library.root), EntityService(packages=("no_such_model_pkg",)))


# --- waiting, and reading the screen ------------------------------------------------------------


async def wait_until(
    pilot: Pilot, condition: Callable[[], object], what: str, timeout: float = TIMEOUT
) -> object:
    """Let the app run until ``condition()`` holds; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await pilot.pause(POLL)
    return result


def library_screen(app: ReaderApp) -> LibraryScreen:
    screen = app.screen
    assert isinstance(screen, LibraryScreen), f"not on the library screen but {screen!r}"
    return screen


async def settle(app: ReaderApp, pilot: Pilot) -> LibraryScreen:
    """Wait until the library screen shows the answer to the latest filter, and
    every worker (the snippet's too) is done."""
    screen = library_screen(app)

    def answered() -> bool:
        return (
            screen._opened
            and screen.shown_generation == screen._generation
            and not any(w.is_running for w in app.workers)
        )

    for _ in range(2):  # a message handled after the workers may start another
        await wait_until(pilot, answered, "the list to show the latest filter's answer")
        await app.workers.wait_for_complete()
        await pilot.pause()
    return screen


def drawn_rows(screen: LibraryScreen) -> list[str]:
    """The list's rows as it draws them (its own rows' cache, not a fresh query)."""
    article_list = screen.article_list
    height = article_list.scrollable_content_region.height
    count = min(len(article_list.ids) - article_list.scroll_offset.y, height)
    return [article_list.render_line(y).text for y in range(count)]


def drawn_cells(screen: LibraryScreen, column: str) -> list[str]:
    """One column of the drawn rows, stripped."""
    start = 1
    for name, width in screen.article_list.columns:
        if name == column:
            return [row[start : start + width].strip() for row in drawn_rows(screen)]
        start += width + 2
    raise KeyError(column)


def titles(screen: LibraryScreen) -> list[str]:
    return drawn_cells(screen, "Title")


def status(screen: LibraryScreen) -> str:
    return str(screen.query_one("#library-status", Static).render())


def header(screen: LibraryScreen) -> str:
    return str(screen.query_one("#list-header", Static).render())


def what_the_list_says(screen: LibraryScreen) -> str:
    """The status line, and the list's message when it has no rows."""
    article_list = screen.article_list
    return status(screen) + ("" if article_list.ids else f" | {article_list.message}")


def highlighted_id(screen: LibraryScreen) -> str | None:
    rowid = screen.article_list.highlighted
    if rowid is None:
        return None
    info = screen.article_list.row(rowid) or screen._fetch([rowid]).get(rowid)
    return info.id if info else None


class Notifications:
    """Every notification the app shows, as it is posted (a ``message_hook``:
    a toast's own timeout cannot make it missed)."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def __call__(self, message: object) -> None:
        if isinstance(message, Notify):
            self.said.append(str(message.notification.message))

    def since(self, start: int) -> list[str]:
        return self.said[start:]


async def search(app: ReaderApp, pilot: Pilot, query: str) -> LibraryScreen:
    """Clear the filter (escape), focus it (/), type ``query`` key by key, and
    wait for the list's answer."""
    library_screen(app)
    await pilot.press("escape", "slash")
    assert isinstance(app.focused, Input) and app.focused.id == "filter"
    assert app.focused.value == ""
    if query:
        await pilot.press(*query)
    screen = await settle(app, pilot)
    assert screen.current_query() == query
    return screen


def word_spans(text: str, word: str) -> list[tuple[int, int]]:
    """Where ``word`` (as a whole word, any case) is in ``text``."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]


# --- while the index is built --------------------------------------------------------------------


async def test_the_list_never_says_empty_while_the_index_is_built(tmp_path: Path) -> None:
    """The library's index is gone (a first run, or deleted): the app builds it
    with a progress line, and until the articles are listed it says it is
    loading or building, never "The library is empty"."""
    library = Library(tmp_path / "lib").ensure()
    count = 600
    library.add_many(
        ArticleDraft(
            text=f"Dispatch {n} on grain prices and river freight, filed from port {n}.",
            title=f"Dispatch {n:04d}",
            date=f"2019-{1 + n % 12:02d}-{1 + n % 28:02d}",
        )
        for n in range(count)
    )
    library.catalog.close()
    shutil.rmtree(library.annotations_dir / ".index")

    seen: list[str] = []
    app = new_app(library)

    def look(_message: object) -> None:
        """Before each message the app handles: what the screen says then."""
        screen = app.screen if app.is_running and app._screen_stack else None
        if isinstance(screen, LibraryScreen) and screen.is_mounted:
            seen.append(what_the_list_says(screen))

    async with app.run_test(size=SIZE, message_hook=look) as pilot:
        screen = library_screen(app)
        first = what_the_list_says(screen)
        assert "Loading the library" in first or "Building the library index" in first, first
        await wait_until(pilot, lambda: len(screen.article_list.ids) == count, "the articles")
        screen = await settle(app, pilot)
        assert status(screen) == f"{count} articles · newest first"
        assert len(titles(screen)) == screen.article_list.scrollable_content_region.height
        assert titles(screen)[0].startswith("Dispatch")
    assert any("Building the library index" in s for s in seen), "the build was never shown"
    said_empty = [s for s in seen if EMPTY in s or "library is empty" in s]
    assert not said_empty, f"said the library is empty while building: {said_empty[:3]}"


async def test_the_status_never_counts_a_first_page_as_the_library(tmp_path: Path) -> None:
    """The first screenful is listed before the whole list is in order; the
    status line must count the library (150 articles), not that page (100)."""
    library = Library(tmp_path / "lib").ensure()
    count = 150
    library.add_many(
        ArticleDraft(text=f"Short note {n} about tides.", title=f"Tide {n:03d}", date="2020-01-01")
        for n in range(count)
    )
    counts: set[str] = set()
    app = new_app(library)

    def look(_message: object) -> None:
        screen = app.screen if app.is_running and app._screen_stack else None
        if isinstance(screen, LibraryScreen) and screen.is_mounted:
            found = re.match(r"([\d,]+) articles? ·", status(screen))
            if found:
                counts.add(found.group(1))

    async with app.run_test(size=SIZE, message_hook=look) as pilot:
        screen = await settle(app, pilot)
        assert len(screen.article_list.ids) == count
        assert status(screen) == f"{count} articles · newest first"
    assert counts == {str(count)}, f"the status counted {sorted(counts)} articles"


async def test_an_index_of_an_older_layout_is_rebuilt_not_used(tmp_path: Path) -> None:
    """An index left by an earlier reader: same file name (library-v1.sqlite),
    marked complete, but of the layout before the ``details`` table (reader at
    7dc58aa). The app must list the articles (rebuilding the index), not rows of
    "…" (on the generated library of 10,000: under a status stuck at "100
    articles", the full listing failing on "no such table: details")."""
    library, _ = build(tmp_path)
    path = library.catalog.path
    library.catalog.close()
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("DROP TABLE details")
    connection.close()

    app = new_app(library)
    by_date = [d.title for d in sorted(DOCS, key=lambda d: d.date, reverse=True)]
    async with app.run_test(size=SIZE) as pilot:
        screen = library_screen(app)
        try:
            await wait_until(pilot, lambda: titles(screen) == by_date, "the articles listed")
        except AssertionError as error:
            raise AssertionError(
                f"{error}: the list shows {titles(screen)}, the status {status(screen)!r}"
            ) from None
        await settle(app, pilot)
        assert status(screen) == "5 articles · newest first"


# --- the filter's language and the status line ----------------------------------------------------


async def test_status_counts_matches_and_names_terms_that_cannot_match(tmp_path: Path) -> None:
    library, _ = build(tmp_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert status(screen) == "5 articles · newest first"

        screen = await search(app, pilot, "ceasefire")
        assert status(screen) == "2 of 5 articles match · newest first"
        screen = await search(app, pilot, "pollsters")
        assert status(screen) == "1 of 5 articles match · newest first"
        screen = await search(app, pilot, "zeppelin")
        assert status(screen) == "0 of 5 articles match · newest first"
        assert screen.article_list.message == "Nothing matches."
        assert EMPTY not in what_the_list_says(screen)

        for query, problem in (
            ("ceasefire label:fruit", "label:fruit is not a label"),
            ("since:lately", "since:lately is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"),
            ("state:lost", "state:lost is not a state (one of anchored, needs-review, orphan)"),
        ):
            screen = await search(app, pilot, query)
            said = status(screen)
            assert said.startswith("0 of 5 articles match · newest first · "), (query, said)
            assert problem in said, (query, said)
            assert titles(screen) == []


async def test_a_term_named_as_unable_to_match_lists_nothing(tmp_path: Path) -> None:
    """The status line says these terms cannot match anything: then nothing is
    listed (not every article with a tag, nor every article)."""
    library, _ = build(tmp_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        failures = []
        for query, problem in (
            ("has:pictures", "has:pictures is not something to have"),
            ("until:lately", "until:lately is not a date"),
        ):
            screen = await search(app, pilot, query)
            said = status(screen)
            assert problem in said, (query, said)
            if titles(screen):
                failures.append(f"{query!r}: {said!r} but lists {titles(screen)}")
        assert not failures, "\n".join(failures)


async def test_full_text_queries_typed_in_the_filter(tmp_path: Path) -> None:
    library, _ = build(tmp_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for query, expected in (
            # A word of the text only (not of any title or author).
            ("pickers", ["Orchard harvest in Kent"]),
            ("limestone", ["Residents take the company to court"]),
            # Both words, anywhere; the phrase only where they stand together.
            ("m4 highway", ["Orchard harvest in Kent", "Talks resume in Ankara"]),
            ('"m4 highway"', ["Talks resume in Ankara"]),
            ('"highway held overnight" ', ["Talks resume in Ankara"]),
            # A prefix: "drones" and "dronework".
            ("drone*", ["Racing league expands abroad", "Talks resume in Ankara"]),
            # The last word typed is a prefix (from four letters) until a space ends it.
            ("dronew", ["Racing league expands abroad"]),
            ("dronew ", []),
            # Excluded: the ceasefire articles but the one naming Erdoğan.
            ("ceasefire -erdogan", ["Residents take the company to court"]),
            ("-ceasefire -pickers -dronework", ["Election night in Lisbon"]),
            # Either word.
            ("quarry OR cider", ["Orchard harvest in Kent", "Residents take the company to court"]),
            ("zeppelin OR airfield", ["Racing league expands abroad"]),
            # Diacritics folded, either way round; case too.
            ("erdogan", ["Talks resume in Ankara"]),
            ("ERDOĞAN", ["Talks resume in Ankara"]),
            ("recep erdogan ", ["Talks resume in Ankara"]),
        ):
            screen = await search(app, pilot, query)
            assert titles(screen) == expected, (query, titles(screen), status(screen))
            want = f"{len(expected)} of 5 articles match · newest first"
            assert status(screen) == want, (query, status(screen))


async def test_keys_typed_at_once_after_slash_go_to_the_filter(tmp_path: Path) -> None:
    """Typed faster than the app answers (as tmux or a busy app delivers them):
    every key is queued before the first is handled. / must move the focus
    before the keys behind it are handed out, or "e" would open the export
    dialog and the rest be lost."""
    library, _ = build(tmp_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert screen.article_list.has_focus
        for key, character in [("slash", "/"), *((c, c) for c in "erdogan")]:
            app.post_message(events.Key(key, character))
        screen = await settle(app, pilot)
        assert app.screen is screen  # no dialog opened by the letters
        assert screen.current_query() == "erdogan"
        assert titles(screen) == ["Talks resume in Ankara"]
        # In the filter, / is typed like any other character.
        for key, character in [("slash", "/"), ("x", "x")]:
            app.post_message(events.Key(key, character))
        screen = await settle(app, pilot)
        assert screen.current_query() == "erdogan/x"


# --- the sort ---------------------------------------------------------------------------------


async def test_s_cycles_the_sort_with_its_column_marked(tmp_path: Path) -> None:
    library, _ = build(tmp_path)
    by_words = sorted(DOCS, key=lambda d: -word_count(d.text))
    assert len({word_count(d.text) for d in DOCS}) == len(DOCS)  # no ties
    notes = {key: len(NOTES.get(key, [])) for key in (d.key for d in DOCS)}
    expected = [
        ("date", "Date ▼", "newest first", sorted(DOCS, key=lambda d: d.date, reverse=True)),
        ("added", None, "last added first", [doc(k) for k in reversed(ADDED_ORDER)]),
        ("title", "Title ▼", "by title", sorted(DOCS, key=lambda d: d.title.lower())),
        ("words", "Words ▼", "longest first", by_words),
        (
            "notes",
            "Notes ▼",
            "most notes first",
            sorted(DOCS, key=lambda d: (-notes[d.key], _descending(d.date))),
        ),
        ("date", "Date ▼", "newest first", sorted(DOCS, key=lambda d: d.date, reverse=True)),
    ]
    orders = [[d.title for d in docs] for *_, docs in expected]
    assert all(a != b for a, b in zip(orders, orders[1:-1], strict=False))  # each sort moves rows

    unmarked = []  # sorts whose column the header does not mark (checked last)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        for number, (sort, mark, said, docs) in enumerate(expected):
            if number:
                await pilot.press("s")
                screen = await settle(app, pilot)
            assert screen.sort == sort
            assert status(screen) == f"5 articles · {said}", sort
            assert titles(screen) == [d.title for d in docs], sort
            shown = header(screen)
            if mark is None:
                assert "▼" not in shown, (sort, shown)
            elif mark not in shown or shown.count("▼") != 1:
                unmarked.append(f"{sort}: {mark!r} not in the header {shown.split()[-6:]}")

        # With a filter, the matches in the sort's order.
        screen = await search(app, pilot, "ceasefire")
        assert titles(screen) == ["Talks resume in Ankara", "Residents take the company to court"]
        await pilot.press("enter", "s", "s")  # to the list; added, then title
        screen = await settle(app, pilot)
        assert "Title ▼" in header(screen)
        assert status(screen) == "2 of 5 articles match · by title"
        assert titles(screen) == ["Residents take the company to court", "Talks resume in Ankara"]
    assert not unmarked, "\n".join(unmarked)


def _descending(day: str) -> str:
    """A key sorting ISO dates newest first (with other keys ascending)."""
    return "".join(chr(0x10FFFF - ord(c)) for c in day)


# --- the snippet of the highlighted hit ----------------------------------------------------------


def snippet(screen: LibraryScreen) -> tuple[str, list[str]]:
    """The snippet line's text, and the parts of it marked as matches."""
    found = screen.query("#snippet")
    assert found, "no snippet line"
    widget = found.first(Static)
    assert widget.display, "the snippet line is hidden"
    content = widget.content
    assert isinstance(content, Text), content
    marked = [content.plain[s.start : s.end] for s in content.spans if "reverse" in str(s.style)]
    return content.plain, marked


async def test_snippet_shows_the_highlighted_hits_matched_words(tmp_path: Path) -> None:
    library, ids = build(tmp_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        assert not any(w.display for w in screen.query("#snippet")), "a snippet without a search"

        screen = await search(app, pilot, "ceasefire")
        assert titles(screen) == ["Talks resume in Ankara", "Residents take the company to court"]
        assert highlighted_id(screen) == ids["talks"]
        line, marked = snippet(screen)
        assert marked == ["ceasefire"], line
        assert "The ceasefire along the M4 highway" in line, line

        await pilot.press("enter", "j")  # to the list, one down
        screen = await settle(app, pilot)
        assert highlighted_id(screen) == ids["quarry"]
        line, marked = snippet(screen)
        assert marked == ["ceasefire"], line
        assert "A ceasefire between the two sides" in line, line

        # Several words: the first match in the text is shown.
        screen = await search(app, pilot, "saraqib OR erdogan")
        assert highlighted_id(screen) == ids["talks"]
        line, marked = snippet(screen)
        assert marked == ["Erdoğan"], line

        # A match in the title only: said so.
        screen = await search(app, pilot, "ankara")
        line, marked = snippet(screen)
        assert marked == [] and "found in its title" in line, line

        # No words searched for: no snippet.
        screen = await search(app, pilot, "tag:x")
        assert titles(screen) == ["Residents take the company to court", "Election night in Lisbon"]
        assert not any(w.display for w in screen.query("#snippet"))


# --- an article opened from a search ------------------------------------------------------------


async def open_highlighted(app: ReaderApp, pilot: Pilot) -> ArticleView:
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, ArticleScreen), "the article screen")
    await app.screen.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one(ArticleView)


def on_screen(view: ArticleView, offset: int) -> bool:
    row = view.text_layout.row_of(offset)
    top = view.scroll_offset.y
    return top <= row < top + view.scrollable_content_region.height


async def test_the_article_read_ahead_is_opened_unless_its_files_changed(tmp_path: Path) -> None:
    """The highlighted article is read ahead once the cursor rests on it, and enter
    shows what was read; but if another process changed its files meanwhile, it is
    read again (the note added there is shown)."""
    library, ids = build(tmp_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)

        def read_ahead(article_id: str) -> bool:
            ahead = app.prefetched
            return ahead is not None and ahead.article.id == article_id

        first = highlighted_id(screen)
        assert first is not None
        await wait_until(pilot, lambda: read_ahead(first), "the first article read ahead")
        ahead = app.prefetched
        assert ahead is not None
        await open_highlighted(app, pilot)
        article = app.screen
        assert isinstance(article, ArticleScreen)
        assert article.article is ahead.article  # shown as read ahead: nothing read again

        await pilot.press("q")
        await wait_until(pilot, lambda: app.screen is screen, "the library again")
        await pilot.press("j")
        second = highlighted_id(screen)
        assert second == ids["orchard"]
        await wait_until(pilot, lambda: read_ahead(second), "the second article read ahead")
        ahead = app.prefetched
        text = doc("orchard").text
        start = text.index("cider")
        other = Library(library.root)  # as another process would
        other.store(second).save_annotation(
            new_annotation(text, start, start + 5, ("elsewhere",), "added meanwhile")
        )
        await open_highlighted(app, pilot)
        article = app.screen
        assert isinstance(article, ArticleScreen) and article.article.id == second
        assert article.article is not ahead.article
        assert [a.note for a in article.annotations.items] == ["added meanwhile"]


async def test_reading_ahead_while_the_article_screen_is_first_made(tmp_path: Path) -> None:
    """The cursor's rest can end (and an article be read ahead) just as the article
    screen is made, before it has a view: read at the usual width, no crash."""
    library, ids = build(tmp_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        first = highlighted_id(screen)
        assert first is not None
        app.open_article(first)  # made and pushed: composed later
        app.prefetch_article(first)  # in the same turn: the screen has no view yet
        await wait_until(pilot, lambda: isinstance(app.screen, ArticleScreen), "the article")
        await wait_until(
            pilot, lambda: not any(w.is_running for w in app.workers), "the workers to end"
        )
        assert app.is_running and app.screen.article.id == first


async def test_search_hit_opens_on_its_first_match_and_n_steps_through(tmp_path: Path) -> None:
    library, ids = build(tmp_path)
    spans = word_spans(TALKS_TEXT, "ceasefire")
    assert len(spans) == 3 and spans[0][0] > 2000  # the first well below the first screen
    app = new_app(library)
    said = Notifications()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await settle(app, pilot)
        screen = await search(app, pilot, "ceasefire")
        await pilot.press("enter")  # from the filter to the list
        assert screen.article_list.has_focus
        assert highlighted_id(screen) == ids["talks"]

        view = await open_highlighted(app, pilot)
        article = app.screen
        assert isinstance(article, ArticleScreen) and article.article.id == ids["talks"]
        assert view.matches == spans
        assert view.cursor == spans[0][0]
        assert on_screen(view, view.cursor) and view.scroll_offset.y > 0
        assert view.has_focus

        # n to the next, past the last round to the first; N back the other way.
        for expected in (spans[1], spans[2]):
            await pilot.press("n")
            assert view.cursor == expected[0]
            assert on_screen(view, view.cursor)
        before = len(said.said)
        await pilot.press("n")
        assert view.cursor == spans[0][0] and on_screen(view, view.cursor)
        assert "Search wrapped round" in said.since(before), said.since(before)
        for expected in (spans[2], spans[1], spans[0], spans[2]):
            await pilot.press("N")
            assert view.cursor == expected[0]
            assert on_screen(view, view.cursor)
        assert view.matches == spans  # stepping keeps every match highlighted

        # q: back to the list, the filter and the hits as they were.
        await pilot.press("q")
        screen = await settle(app, pilot)
        assert screen.current_query() == "ceasefire"
        assert status(screen) == "2 of 5 articles match · newest first"
        assert titles(screen) == ["Talks resume in Ankara", "Residents take the company to court"]
        assert highlighted_id(screen) == ids["talks"]

        # The other hit opens on its one match.
        await pilot.press("j")
        view = await open_highlighted(app, pilot)
        quarry = doc("quarry").text
        assert view.matches == word_spans(quarry, "ceasefire")
        assert view.cursor == quarry.index("ceasefire")


async def test_a_search_of_several_words_highlights_each(tmp_path: Path) -> None:
    """Every word searched for is a match in the article (not the excluded one);
    a phrase is one match."""
    library, ids = build(tmp_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await search(app, pilot, 'saraqib "M4 highway" erdoga* -pickers')
        await pilot.press("enter")
        view = await open_highlighted(app, pilot)
        expected = sorted(
            word_spans(TALKS_TEXT, "Saraqib")
            + word_spans(TALKS_TEXT, "M4 highway")
            + word_spans(TALKS_TEXT, "Erdoğan")
        )
        assert len(expected) == 3
        assert view.matches == expected
        assert view.cursor == expected[0][0]
        assert [TALKS_TEXT[s:e] for s, e in view.matches] == ["Erdoğan", "M4 highway", "Saraqib"]


# --- / in the article -----------------------------------------------------------------------------


async def test_slash_finds_words_in_the_article(tmp_path: Path) -> None:
    library, ids = build(tmp_path)
    text = doc("orchard").text
    app = new_app(library)
    said = Notifications()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        screen = await settle(app, pilot)  # no search: the article opens at its start
        await pilot.press("j")  # the orchard article is second, newest first
        assert highlighted_id(screen) == ids["orchard"]
        view = await open_highlighted(app, pilot)
        article = app.screen
        assert isinstance(article, ArticleScreen)
        find = article.query_one("#find", Input)
        assert view.cursor == 0 and view.matches == [] and not find.display

        # n has no search yet: it says so and opens nothing (it was the note key).
        before = len(said.said)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is article and view.cursor == 0
        assert any("No search" in t for t in said.since(before)), said.since(before)

        # / opens the find bar; typing highlights without moving; enter goes there.
        await pilot.press("slash")
        assert find.display and find.has_focus
        await pilot.press(*"cider")
        await pilot.pause()
        assert view.matches == word_spans(text, "cider")
        assert view.cursor == 0
        await pilot.press("enter")
        assert not find.display and view.has_focus
        assert view.cursor == text.index("cider")

        # Again: the bar offers the last search, which typing replaces; a phrase.
        await pilot.press("slash")
        assert find.display and find.value == "cider"
        await pilot.press(*'"highway bypass"')
        assert find.value == '"highway bypass"'
        await pilot.press("enter")
        assert view.matches == [(text.index("highway"), text.index("bypass") + len("bypass"))]
        assert view.cursor == text.index("highway")

        # A search from the cursor on: the next match after it, then n wraps round.
        await pilot.press("g", "g", "slash", *"the", "enter")
        spans = word_spans(text, "the")
        assert len(spans) >= 3 and view.matches == spans
        assert view.cursor == spans[0][0]
        await pilot.press("n")
        assert view.cursor == spans[1][0]
        await pilot.press("G", "n")
        assert view.cursor == spans[0][0]

        # escape closes the bar and keeps the matches; the view has the keys again.
        await pilot.press("slash")
        assert find.has_focus
        await pilot.press("end", *" weekend")  # added to the last search
        assert find.value == "the weekend"
        await pilot.pause()
        assert view.matches == sorted(spans + word_spans(text, "weekend"))
        await pilot.press("escape")
        assert not find.display and view.has_focus
        assert view.matches == sorted(spans + word_spans(text, "weekend"))
        cursor = view.cursor
        await pilot.press("w")
        assert view.cursor > cursor, "the text did not get the keys back"

        # Not found: said so.
        before = len(said.said)
        await pilot.press("slash", *"zeppelin", "enter")
        assert view.matches == []
        assert "Not found: zeppelin" in said.since(before), said.since(before)

        # a notes the word at the cursor (a dialog); n does not.
        await pilot.press("g", "g", "a")
        await pilot.pause()
        assert type(app.screen).__name__ == "NoteDialog", app.screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is article
        before = len(said.said)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is article
        assert any("No search" in t for t in said.since(before)), said.since(before)


# --- changes made by another process --------------------------------------------------------------


def reader_cli(library: Library, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``reader`` console script, in a process of its own."""
    assert READER.is_file(), f"no console script at {READER}: run the tests with `uv run pytest`"
    result = subprocess.run(
        [str(READER), "--library", str(library.root), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


async def test_cursor_stays_on_its_article_when_another_process_adds_one(
    tmp_path: Path,
) -> None:
    library, ids = build(tmp_path)
    newer = tmp_path / "newer.md"
    newer.write_text(
        "---\ntitle: Harbour cranes restart\ndate: 2030-01-15\n---\n\n"
        "The harbour cranes moved again after the strike ended.\n",
        encoding="utf-8",
    )
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        by_date = [d.title for d in sorted(DOCS, key=lambda d: d.date, reverse=True)]
        assert titles(screen) == by_date
        await pilot.press("j", "j")  # to the third article: the talks
        assert highlighted_id(screen) == ids["talks"] and screen.article_list.cursor == 2

        added = await asyncio.to_thread(reader_cli, library, "add", str(newer))
        assert added.stdout.startswith("added\t"), added.stdout
        await wait_until(
            pilot,
            lambda: "Harbour cranes restart" in titles(screen),
            "the new article in the list",
        )
        assert titles(screen) == ["Harbour cranes restart", *by_date]
        assert status(screen) == "6 articles · newest first"
        assert highlighted_id(screen) == ids["talks"]
        assert screen.article_list.cursor == 3
        assert screen.article_list.has_focus

        # With a search: the hit stays highlighted when a newer hit comes.
        screen = await search(app, pilot, "harbour OR ceasefire")
        await pilot.press("enter", "j")
        assert highlighted_id(screen) == ids["talks"]
        newest = tmp_path / "newest.md"
        newest.write_text(
            "---\ntitle: Dockers vote\ndate: 2031-03-01\n---\n\nThe harbour pilots joined.\n",
            encoding="utf-8",
        )
        await asyncio.to_thread(reader_cli, library, "add", str(newest))
        await wait_until(pilot, lambda: "Dockers vote" in titles(screen), "the newest hit")
        assert titles(screen) == [
            "Dockers vote",
            "Harbour cranes restart",
            "Talks resume in Ankara",
            "Residents take the company to court",
        ]
        assert status(screen) == "4 of 7 articles match · newest first"
        assert highlighted_id(screen) == ids["talks"]


async def test_a_tag_added_by_another_process_shows_without_a_key(tmp_path: Path) -> None:
    library, ids = build(tmp_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(app, pilot)
        row = titles(screen).index("Orchard harvest in Kent")
        assert drawn_cells(screen, "Tags")[row] == ""
        assert drawn_cells(screen, "Notes")[row] == "0"

        await asyncio.to_thread(
            reader_cli,
            library,
            "annotate",
            ids["orchard"],
            "--quote",
            "cider presses",
            "--tag",
            "cider",
        )
        await wait_until(
            pilot,
            lambda: drawn_cells(screen, "Tags")[row] == "cider",
            "the new tag in the drawn list",
        )
        assert drawn_cells(screen, "Notes")[row] == "1"
        assert titles(screen)[row] == "Orchard harvest in Kent"

        # And the filter finds it by its new tag at once.
        screen = await search(app, pilot, "tag:cider")
        assert titles(screen) == ["Orchard harvest in Kent"]
