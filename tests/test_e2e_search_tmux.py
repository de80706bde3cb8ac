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
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # bench/ is beside tests/, not installed

from bench.generate import PLANTED_EXACT, RARE_WORD, generate_library  # noqa: E402

READER = Path(sys.executable).parent / "reader"
ARTICLES = 10_000
WIDTH, HEIGHT = 140, 45
TIMEOUT = 30.0
START_TIMEOUT = 180.0  # a first run builds the index of 10,000 articles
POLL = 0.2

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

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
_OTHER_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-_])")


@dataclass(frozen=True)
class Cell:
    char: str
    bg: str | None  # the SGR parameters of the background, None for the default
    bold: bool
    underline: bool
    reverse: bool


def parse_row(row: str) -> list[Cell]:
    """The cells of one ``capture-pane -e`` row (one column a character)."""
    cells: list[Cell] = []
    bg: str | None = None
    bold = underline = reverse = False
    pos = 0
    for match in _SGR.finditer(row):
        for char in _OTHER_ESCAPE.sub("", row[pos : match.start()]):
            cells.append(Cell(char, bg, bold, underline, reverse))
        pos = match.end()
        params = match.group(1).replace(":", ";").split(";")
        i = 0
        while i < len(params):
            code = int(params[i] or 0)
            if code == 0:
                bg, bold, underline, reverse = None, False, False, False
            elif code in (38, 48, 58):  # extended colour: 5;n or 2;r;g;b
                length = 3 if params[i + 1 : i + 2] == ["5"] else 5
                if code == 48:
                    bg = ";".join(params[i : i + length])
                i += length - 1
            elif 40 <= code <= 47 or 100 <= code <= 107:
                bg = str(code)
            elif code == 49:
                bg = None
            elif code == 1:
                bold = True
            elif code == 22:
                bold = False
            elif code == 4:
                underline = True
            elif code == 24:
                underline = False
            elif code == 7:
                reverse = True
            elif code == 27:
                reverse = False
            i += 1
    for char in _OTHER_ESCAPE.sub("", row[pos:]):
        cells.append(Cell(char, bg, bold, underline, reverse))
    return cells


def plain(escaped: str) -> str:
    return _OTHER_ESCAPE.sub("", _SGR.sub("", escaped))


def text_of(cells: list[Cell]) -> str:
    return "".join(cell.char for cell in cells)


def panel_column(screen: str) -> int:
    """The column of the article screen's side panel's left border."""
    columns = [line.rfind("│") for line in screen.splitlines() if "│" in line]
    return max(set(columns), key=columns.count) if columns else WIDTH


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
    header = next(i for i, line in enumerate(lines) if re.match(r"\s*Title\s+Source", line))
    rows = []
    for line in lines[header + 1 :]:
        if not line.strip() or "articles match" in line:
            break
        rows.append(line.strip())
    return rows


# --- driving tmux ------------------------------------------------------------------------------


class Tmux:
    """A private tmux server (its own socket, no user config) running the app."""

    def __init__(self, workdir: Path) -> None:
        self.socket = f"reader-search-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.config = workdir / "tmux.conf"
        # Keep a pane whose program ended, so its exit status is readable.
        self.config.write_text("set -g remain-on-exit on\nset -g history-limit 2000\n")
        self.workdir = workdir
        self.socket_path = ""
        self.session = ""
        self.status_file = workdir / "none.status"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"TMUX", "TMUX_PANE", "NO_COLOR"} and not key.startswith("TEXTUAL")
        }
        self.env.update(TERM="xterm-256color", COLORTERM="truecolor", LC_ALL="C.UTF-8")
        self.last = ""

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.config), *args],
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=check,
            timeout=TIMEOUT,
        )

    def start(self, *command: str) -> None:
        self.session = f"reader-{uuid.uuid4().hex[:8]}"
        # A shell around the app writes its exit status to a file (tmux 3.3 may
        # lose a dead pane's #{pane_dead_status}).
        self.status_file = self.workdir / f"{self.session}.status"
        app_env = [
            "TERM=xterm-256color",
            "COLORTERM=truecolor",
            "LC_ALL=C.UTF-8",
            "READER_NO_BACKGROUND=1",  # no background entity process in the tests
        ]
        self.tmux(
            "-u",
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            str(WIDTH),
            "-y",
            str(HEIGHT),
            *(arg for pair in app_env for arg in ("-e", pair)),
            "sh",
            "-c",
            '"$@"; echo $? > "$0"',
            str(self.status_file),
            "env",
            "-u",
            "NO_COLOR",
            *app_env,
            *command,
        )
        if not self.socket_path:  # tmux 3.3 leaves its socket file behind: remember it
            shown = self.tmux("display-message", "-p", "#{socket_path}", check=False)
            self.socket_path = shown.stdout.strip()

    def capture(self, escapes: bool = False) -> str:
        args = ["capture-pane", "-p", "-t", self.session] + (["-e"] if escapes else [])
        screen = self.tmux(*args).stdout
        self.last = plain(screen) if escapes else screen
        return screen

    def keys(self, *keys: str) -> None:
        """Press keys by tmux name: ``Enter``, ``Escape``."""
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        """Type ``text`` literally."""
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def wait_for(
        self,
        check: str | Callable[[str], object],
        what: str = "",
        *,
        escapes: bool = False,
        timeout: float = TIMEOUT,
    ) -> str:
        """Poll the screen until ``check`` (a text, or a test of the screen) holds."""
        test = (lambda screen: check in screen) if isinstance(check, str) else check
        what = what or repr(check)
        deadline = time.monotonic() + timeout
        while True:
            if self.pane_dead() is not None:
                self.fail(f"the app exited while waiting for {what}")
            screen = self.capture(escapes)
            if test(screen):
                return screen
            if time.monotonic() > deadline:
                self.fail(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(POLL)

    def pane_dead(self) -> int | None:
        """The app's exit status once it has ended (-1 if unknown), else None."""
        shown = self.tmux("display-message", "-p", "-t", self.session, "#{pane_dead}", check=False)
        if self.status_file.is_file():
            written = self.status_file.read_text().strip()
            if written.lstrip("-").isdigit():
                return int(written)
        if shown.returncode != 0 or shown.stdout.strip() == "1":
            return -1
        return None

    def wait_exit(self, timeout: float = TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while (status := self.pane_dead()) is None:
            if time.monotonic() > deadline:
                self.fail("timed out waiting for the app to exit")
            time.sleep(POLL)
        return status

    def fail(self, message: str) -> None:
        shown = self.tmux("capture-pane", "-p", "-t", self.session, check=False)
        screen = shown.stdout if shown.returncode == 0 and shown.stdout.strip() else self.last
        raise AssertionError(f"{message}\n--- last screen ---\n{screen.rstrip()}\n---")

    def kill_server(self) -> None:
        self.tmux("kill-server", check=False)
        if self.socket_path and Path(self.socket_path).name == self.socket:
            Path(self.socket_path).unlink(missing_ok=True)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed (apt-get install tmux)")
    server = Tmux(tmp_path)
    try:
        yield server
    finally:
        server.kill_server()


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
    title = first.title[:60]  # the title column is 68 wide here
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

    # n: to the next match.
    before = plain(screen)
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
    assert plain(moved) != before
    cursor = article_cursor(moved)
    assert cursor is not None and is_match(cursor.cell), cursor
    assert cursor.text.startswith(first.text[matches[1][0] : matches[1][1]]), cursor.text

    # q: back to the list, the search kept; q again: the app ends, and well.
    tmux.type("q")
    tmux.wait_for(count, "the library screen with the search kept")
    tmux.type("q")
    status = tmux.wait_exit()
    assert status == 0, f"the app exited with {status}:\n{tmux.last}"
