"""End to end: searching a 10,000-article library with the installed app in a real
terminal (tmux), as a person would.

The library is ``bench.generate.generate_library(10000)`` (built once, cached
in ``.bench-cache/``), copied into ``tmp_path`` because reading an article
saves its reading position; its index is left behind, so the app builds one
(about 10 s) as on a first run. The session: wait for the list, ``/``, type a
query of the rare planted word, read the count and the first row, enter (the
list), enter (the first hit), see the cursor on the first match with every
match highlighted, ``n`` to the next match, ``q`` ``q``, and the exit status.

What is expected is worked out from the library's files (its texts and
stores, read with plain ``json``), not from reader. The app runs as the
console script next to ``sys.executable`` on a private tmux server
(``tmux -L``) that is always killed afterwards; every wait polls
``capture-pane`` against a generous deadline and fails with the last screen.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tmux_screen import (
    Cell,
    Tmux,
    panel_column,
    parse_row,
    plain,
    text_of,
    tmux_server,
)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # bench/ is beside tests/, not installed

from bench.generate import PLANTED_EXACT, RARE_WORD, generate_library  # noqa: E402

READER = Path(sys.executable).parent / "reader"
ARTICLES = 10_000
START_TIMEOUT = 180.0  # a first run builds the index of 10,000 articles

# The rare word is in exactly PLANTED_EXACT[RARE_WORD] articles, in the sentence
# "<person> described the vellumorph <noun> as <adjective>.": so "described" is
# in each, and the first hit has two matches at least.
QUERY = f"{RARE_WORD} described"
WORDS = (RARE_WORD, "described")


# --- the library, read without reader ----------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    article_id: str
    title: str
    date: str
    text: str

    def matches(self) -> list[tuple[int, int]]:
        """Where the query's words are in the text (whole words, any case)."""
        found = []
        for word in WORDS:
            pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
            found += [m.span() for m in pattern.finditer(self.text)]
        return sorted(found)


def hits(library: Path) -> list[Hit]:
    """The articles with every word of the query, newest first (then by title)."""
    found = []
    for path in sorted((library / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if not all(re.search(rf"(?<!\w){w}", text, re.IGNORECASE) for w in WORDS):
            continue
        store = json.loads((library / "annotations" / f"{path.stem}.json").read_text("utf-8"))
        (meta,) = store["meta"].values()
        info = meta["article"]
        found.append(Hit(path.stem, info["title"], info["date"], text))
    return sorted(found, key=lambda h: (_descending(h.date), h.title.casefold()))


def _descending(day: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in day)


# --- reading the screen ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    row: int
    column: int
    cells: list[Cell]  # of its row, left of the side panel

    @property
    def cell(self) -> Cell:
        return self.cells[self.column]

    @property
    def text(self) -> str:
        """The text from the cursor to the end of its row."""
        return text_of(self.cells[self.column :]).rstrip()


def article_cursor(escaped_screen: str) -> Cursor | None:
    """The article view's cursor: its one reverse-video character."""
    limit = panel_column(plain(escaped_screen)) - 2  # left of the scrollbar
    found = []
    for number, row in enumerate(escaped_screen.rstrip("\n").split("\n")):
        cells = parse_row(row)[:limit]
        found += [
            Cursor(number, column, cells)
            for column, cell in enumerate(cells)
            if cell.reverse and cell.char.strip()
        ]
    return found[0] if len(found) == 1 else None


def is_match(cell: Cell) -> bool:
    """The look of a search match: bold, underlined, on a background of its own."""
    return cell.bold and cell.underline and cell.bg is not None


def highlighted_runs(escaped_screen: str) -> list[str]:
    """The texts of the article view highlighted as matches, run by run."""
    limit = panel_column(plain(escaped_screen)) - 2
    runs = []
    for row in escaped_screen.rstrip("\n").split("\n"):
        run = ""
        for cell in [*parse_row(row)[:limit], Cell(" ", None, False, False, False)]:
            if is_match(cell):
                run += cell.char
            elif run:
                runs.append(run)
                run = ""
    return runs


def same_text(shown: str, text: str) -> bool:
    """Whether ``shown`` (a screen row's text) starts ``text``, spaces aside."""
    shown_words = shown.split()
    return bool(shown_words) and " ".join(text.split()).startswith(" ".join(shown_words))


def list_rows(screen: str) -> list[str]:
    """The library list's rows: those below its header row, up to the status line."""
    lines = screen.split("\n")
    header = next(i for i, line in enumerate(lines) if re.match(r"\s*●\s+Title\s+Source", line))
    rows = []
    for line in lines[header + 1 :]:
        if not line.strip() or "articles match" in line:
            break
        rows.append(line.strip().removeprefix("●").strip())  # (not read yet)
    return rows


# --- driving tmux ------------------------------------------------------------------------------


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    # No background entity process in the tests.
    with tmux_server(tmp_path, ("READER_NO_BACKGROUND=1",)) as server:
        yield server


@pytest.fixture(scope="module")
def generated() -> Path:
    """The generated library of 10,000 articles (built on first use, then cached)."""
    return generate_library(ARTICLES)


# --- the test ---------------------------------------------------------------------------------


def test_search_a_large_library_and_step_through_matches(
    tmux: Tmux, tmp_path: Path, generated: Path
) -> None:
    assert READER.is_file(), f"no console script at {READER}: run the tests with `uv run pytest`"
    library = tmp_path / "lib"
    # A copy (the app saves reading positions into it) without the cache's index,
    # which an older reader may have made: the app builds its own, as on a first run.
    shutil.copytree(generated, library, ignore=shutil.ignore_patterns(".index"))
    assert not (library / "annotations" / ".index").exists()
    found = hits(library)
    assert len(found) == PLANTED_EXACT[RARE_WORD], [h.article_id for h in found]
    first = found[0]
    matches = first.matches()
    assert len(matches) >= 2, matches
    assert first.date > found[1].date  # one newest hit: the first row is known

    # The library: the whole of it listed, newest first.
    tmux.start(str(READER), "--library", str(library))
    tmux.wait_for(
        f"{ARTICLES:,} articles · newest first",
        "the library listed",
        timeout=START_TIMEOUT,
    )

    # / and the query, typed: the count, and the newest hit on the first row.
    tmux.type("/")
    tmux.type(QUERY)
    count = f"{len(found)} of {ARTICLES:,} articles match · newest first"
    screen = tmux.wait_for(
        lambda s: QUERY in s and count in s, "the query typed, and the count of its matches"
    )
    rows = list_rows(screen)
    assert len(rows) == len(found), rows
    title = first.title[:60]  # the title column is 65 wide here
    assert rows[0].startswith(title), (rows[0], first.title)
    assert all(r.startswith(h.title[:60]) for r, h in zip(rows, found, strict=True)), rows

    # enter: from the filter to the list (its cursor row takes the focused colour).
    def first_row_background(escaped: str) -> str | None:
        for row in escaped.split("\n"):
            cells = parse_row(row)
            line = text_of(cells)
            at = line.find(title)
            if at >= 0 and "Title" not in line:
                return cells[at].bg
        return None

    blurred = first_row_background(tmux.capture(escapes=True))
    assert blurred is not None, tmux.last
    tmux.keys("Enter")
    tmux.wait_for(
        lambda s: first_row_background(s) not in (None, blurred),
        "the list's cursor row to show the list has the focus",
        escapes=True,
    )

    # enter: the first hit opens on its first match, every match highlighted.
    tmux.keys("Enter")
    screen = tmux.wait_for(
        lambda s: (
            (c := article_cursor(s)) is not None and same_text(c.text, first.text[matches[0][0] :])
        ),
        "the article, its cursor on the first match",
        escapes=True,
    )
    assert first.title in plain(screen), plain(screen)[:600]
    cursor = article_cursor(screen)
    assert cursor is not None
    assert is_match(cursor.cell), cursor.cell
    first_word = first.text[matches[0][0] : matches[0][1]]
    assert cursor.text.startswith(first_word), cursor.text
    assert all(
        is_match(c) for c in cursor.cells[cursor.column + 1 : cursor.column + len(first_word)]
    )
    assert not is_match(cursor.cells[cursor.column + len(first_word)])
    # Every match on screen is highlighted (here both: "described the vellumorph"),
    # and nothing else is.
    runs = highlighted_runs(screen)
    on_screen = [first.text[start:end] for start, end in matches[:2]]
    assert [r for r in runs if r in on_screen] == on_screen, runs
    assert all(r.casefold() in WORDS for r in runs), runs

    # n: to the next match (the cursor's cell, in the escapes, says where it is:
    # the plain text can be the same, both matches on the screen).
    tmux.type("n")
    moved = tmux.wait_for(
        lambda s: (
            (c := article_cursor(s)) is not None
            and same_text(c.text, first.text[matches[1][0] :])
            and not same_text(c.text, first.text[matches[0][0] :])
        ),
        "the cursor on the second match",
        escapes=True,
    )
    cursor = article_cursor(moved)
    assert cursor is not None and is_match(cursor.cell), cursor
    assert cursor.text.startswith(first.text[matches[1][0] : matches[1][1]]), cursor.text

    # q: back to the list, the search kept; q again: the app ends, and well.
    tmux.type("q")
    tmux.wait_for(count, "the library screen with the search kept")
    tmux.type("q")
    status = tmux.wait_exit()
    assert status == 0, f"the app exited with {status}:\n{tmux.last}"
