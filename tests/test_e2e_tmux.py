"""End to end: the installed ``reader`` app driven by keys in a real terminal (tmux).

A person's session, start to finish: open the seed article from the library,
wait for the entity colours, walk the cursor to "Recep Tayyip Erdogan" with the
motions, select it, tag it ``leader``, write a note, quit, export the notes,
and find the annotation again after a restart.

The app runs as the console script next to ``sys.executable`` (what
``uv run reader`` runs) on a private tmux server (``tmux -L``) that is always
killed afterwards. Every wait polls ``capture-pane`` against a deadline and,
on timeout, fails with the last screen.
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
SEED = REPO.parent / "shared" / "articles" / "000_7151e915db61d1a9.txt"
READER = Path(sys.executable).parent / "reader"

WIDTH, HEIGHT = 140, 45
TIMEOUT = 30.0
ENTITY_TIMEOUT = 60.0  # a cold start imports spaCy and loads the model
POLL = 0.2

TITLE = "Turkish drone strikes"
PARAGRAPH_5 = "Earlier on Saturday, Turkey’s President Recep Tayyip Erdogan"
QUOTE = "Recep Tayyip Erdogan"
TAG = "leader"
NOTE = "Threatened reprisals"


# --- reading the screen ------------------------------------------------------------

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
_OTHER_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-_])")
BACKGROUND = re.compile(r"\x1b\[[0-9;]*48;")


@dataclass(frozen=True)
class Cell:
    char: str
    bg: str | None  # the SGR parameters of the background, None for the default
    reverse: bool
    underline: bool


def parse_row(row: str) -> list[Cell]:
    """The cells of one ``capture-pane -e`` row, with the attributes that matter here.

    Every character is taken as one column wide (true of this article's text).
    """
    cells: list[Cell] = []
    bg: str | None = None
    reverse = underline = False
    pos = 0
    for match in _SGR.finditer(row):
        for char in _OTHER_ESCAPE.sub("", row[pos : match.start()]):
            cells.append(Cell(char, bg, reverse, underline))
        pos = match.end()
        params = match.group(1).replace(":", ";").split(";")
        i = 0
        while i < len(params):
            code = int(params[i] or 0)
            if code == 0:
                bg, reverse, underline = None, False, False
            elif code in (38, 48, 58):  # extended colour: 5;n or 2;r;g;b
                length = 3 if params[i + 1 : i + 2] == ["5"] else 5
                if code == 48:
                    bg = ";".join(params[i : i + length])
                i += length - 1
            elif 40 <= code <= 47 or 100 <= code <= 107:
                bg = str(code)
            elif code == 49:
                bg = None
            elif code == 7:
                reverse = True
            elif code == 27:
                reverse = False
            elif code == 4:
                underline = True
            elif code == 24:
                underline = False
            i += 1
    for char in _OTHER_ESCAPE.sub("", row[pos:]):
        cells.append(Cell(char, bg, reverse, underline))
    return cells


def _strip(escaped: str) -> str:
    return _OTHER_ESCAPE.sub("", _SGR.sub("", escaped))


def text_of(cells: list[Cell]) -> str:
    return "".join(cell.char for cell in cells)


def panel_column(screen: str) -> int:
    """The column of the side panel's left border on the article screen."""
    columns = [line.rfind("│") for line in screen.splitlines() if "│" in line]
    return max(set(columns), key=columns.count) if columns else WIDTH


def status_line(screen: str) -> str:
    """The article screen's status row: the one above the footer."""
    lines = screen.rstrip("\n").split("\n")
    return lines[-2] if len(lines) >= 2 else ""


def cursor_word(escaped_screen: str) -> str:
    """The text from the article cursor (the reverse-video letter) to the end of its row."""
    rows = escaped_screen.rstrip("\n").split("\n")
    limit = panel_column(_strip(escaped_screen)) - 2  # left of the scrollbar
    for row in rows:
        cells = parse_row(row)
        for column, cell in enumerate(cells[:limit]):
            if cell.reverse and cell.char.strip():
                return text_of(cells[column:limit]).strip()
    return ""


def entity_coloured(escaped_screen: str, word: str) -> bool:
    """Whether ``word`` is painted with a background other than the plain text's."""
    for row in escaped_screen.split("\n"):
        cells = parse_row(row)
        line = text_of(cells)
        at = line.find(word)
        if at <= 0 or not BACKGROUND.search(row):
            continue
        # The text view's left margin is plain background.
        margin = next((c for c in cells[:at] if c.char == " "), None)
        if margin is not None and cells[at].bg is not None and cells[at].bg != margin.bg:
            return True
    return False


# --- driving tmux ------------------------------------------------------------------


class TmuxTimeout(AssertionError):
    pass


class Tmux:
    """A private tmux server (its own socket, no user config) running one app at a time."""

    def __init__(self, workdir: Path) -> None:
        self.socket = f"reader-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.config = workdir / "tmux.conf"
        # Keep a pane whose program ended, so its exit status and last words are readable.
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
        first = not self.socket_path
        # tmux 3.3 sometimes loses a dead pane's exit status (#{pane_dead_status} stays
        # empty), so a shell around the app writes it to a file.
        self.status_file = self.workdir / f"{self.session}.status"
        app_env = ["TERM=xterm-256color", "COLORTERM=truecolor", "LC_ALL=C.UTF-8"]
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
        if first:  # tmux 3.3 leaves its socket file behind: remember it, to remove it
            shown = self.tmux("display-message", "-p", "#{socket_path}", check=False)
            self.socket_path = shown.stdout.strip()

    def capture(self, escapes: bool = False) -> str:
        args = ["capture-pane", "-p", "-t", self.session] + (["-e"] if escapes else [])
        screen = self.tmux(*args).stdout
        if not escapes:
            self.last = screen
        else:
            self.last = _strip(screen)
        return screen

    def keys(self, *keys: str) -> None:
        """Press keys by tmux name: ``Enter``, ``C-s``, ``Escape``."""
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        """Type ``text`` literally (also single keys such as ``}`` or ``G``)."""
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def wait_for(
        self,
        check: str | Callable[[str], bool],
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
        """The exit status of the app once it has ended (-1 if unknown), else None."""
        # Ask tmux first, then read the file: the shell writes it before the pane dies.
        shown = self.tmux("display-message", "-p", "-t", self.session, "#{pane_dead}", check=False)
        if self.status_file.is_file():
            written = self.status_file.read_text().strip()
            if written.lstrip("-").isdigit():
                return int(written)
        if shown.returncode != 0 or shown.stdout.strip() == "1":
            return -1  # the pane (or tmux) is gone without a word
        return None

    def wait_exit(self, timeout: float = TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while (status := self.pane_dead()) is None:
            if time.monotonic() > deadline:
                self.capture()
                self.fail("timed out waiting for the app to exit")
            time.sleep(POLL)
        return status

    def fail(self, message: str) -> None:
        fresh = self._try_capture()
        with_screen = fresh if fresh.strip() else self.last
        raise TmuxTimeout(f"{message}\n--- last screen ---\n{with_screen.rstrip()}\n---")

    def _try_capture(self) -> str:
        shown = self.tmux("capture-pane", "-p", "-t", self.session, check=False)
        return shown.stdout if shown.returncode == 0 else "(no screen)"

    def close_session(self) -> None:
        if self.session:
            self.tmux("kill-session", "-t", self.session, check=False)
        self.last = ""

    def kill_server(self) -> None:
        self.tmux("kill-server", check=False)
        if self.socket_path and Path(self.socket_path).name == self.socket:
            Path(self.socket_path).unlink(missing_ok=True)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed (.ci/run installs it; apt-get install tmux)")
    server = Tmux(tmp_path)
    try:
        yield server
    finally:
        server.kill_server()


def reader_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def open_seed(tmux: Tmux, library: Path) -> str:
    """Start the app on ``library``, open the seed, and return its first article screen."""
    tmux.start(str(READER), "--library", str(library))
    tmux.wait_for(TITLE, "the seed's title in the library list")
    tmux.keys("Enter")
    return tmux.wait_for(PARAGRAPH_5, "the article text")


# --- the test ------------------------------------------------------------------------


def test_annotate_export_and_reopen_in_a_real_terminal(tmux: Tmux, tmp_path: Path) -> None:
    assert READER.is_file(), f"no console script at {READER}: run the tests with `uv run pytest`"
    assert SEED.is_file(), f"the seed article is missing: {SEED}"
    library = tmp_path / "lib"
    library.mkdir()
    added = reader_cli("--library", str(library), "add", str(SEED))
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added\t"), added.stdout
    article_id = added.stdout.split("\t")[1]

    # Library screen, then the article; entities arrive later from a worker.
    open_seed(tmux, library)
    tmux.wait_for(
        lambda s: entity_coloured(s, "Syrian"),
        "an entity background on “Syrian”",
        escapes=True,
        timeout=ENTITY_TIMEOUT,
    )
    tmux.wait_for(lambda s: re.search(r"\d+ entities \(", s) is not None, "the entity count")

    # To "Recep": top, four paragraphs down, five words on.
    tmux.type("g")
    tmux.type("}}}}")
    tmux.wait_for(
        lambda s: cursor_word(s).startswith("Earlier on Saturday"),
        "the cursor on “Earlier” (paragraph 5)",
        escapes=True,
    )
    tmux.type("wwwww")
    tmux.wait_for(
        lambda s: cursor_word(s).startswith(QUOTE),
        "the cursor on “Recep”",
        escapes=True,
    )

    # Select through the end of "Erdogan" (the selection includes the cursor's letter).
    tmux.type("v")
    tmux.type("wwe")
    tmux.wait_for(
        lambda s: f"selected {len(QUOTE)} characters" in status_line(s),
        f"“selected {len(QUOTE)} characters” on the status line",
    )

    # Tag it.
    tmux.type("t")
    tmux.wait_for(lambda s: "Tags (comma-separated)" in s and f"“{QUOTE}”" in s, "the tag dialog")
    tmux.type(TAG)
    tmux.keys("Enter")
    panel = tmux.wait_for(
        lambda s: "Tags (comma-separated)" not in s and f"#{TAG}" in s,
        f"#{TAG} in the side panel",
    )
    assert f"“{QUOTE}”" in panel

    # The cursor is inside the new annotation: a notes it.
    tmux.type("a")
    tmux.wait_for(lambda s: "ctrl+s save" in s and f"“{QUOTE}”" in s, "the note dialog")
    tmux.type(NOTE)
    tmux.wait_for(NOTE, "the typed note in the dialog")
    tmux.keys("C-s")
    screen = tmux.wait_for(
        lambda s: "ctrl+s save" not in s and NOTE in s, "the note in the side panel"
    )
    side = "\n".join(line[panel_column(screen) :] for line in screen.splitlines())
    assert f"“{QUOTE}”" in side and f"#{TAG}" in side and NOTE in side, side

    # The status line tells what is under the cursor once it moves (b: to "Erdogan").
    tmux.type("b")
    tmux.wait_for(
        lambda s: f"“{QUOTE}” #{TAG} {NOTE}" in status_line(s),
        "the annotation under the cursor on the status line",
    )
    annotated = tmux.capture(escapes=True)
    assert any(
        cell.underline
        for row in annotated.split("\n")
        if QUOTE in _strip(row)
        for cell in parse_row(row)[_strip(row).find(QUOTE) :][: len(QUOTE)]
    ), "the annotated span is not underlined"

    # Back to the library, which now counts one note, and quit.
    tmux.type("q")
    tmux.wait_for(lambda s: TITLE in s and "1 article · newest first" in s, "the library screen")
    tmux.type("q")
    status = tmux.wait_exit()
    assert status == 0, f"the app exited with {status}:\n{tmux.capture()}"
    tmux.close_session()

    # What was saved: the Markdown export and the store's plain JSON.
    exported = reader_cli("--library", str(library), "export", "--format", "md")
    assert exported.returncode == 0, exported.stderr
    assert f"> {QUOTE}" in exported.stdout, exported.stdout
    assert f"#{TAG}" in exported.stdout, exported.stdout
    assert NOTE in exported.stdout, exported.stdout

    store = library / "annotations" / f"{article_id}.json"
    data = json.loads(store.read_text(encoding="utf-8"))
    quotes = list(_quote_selectors(data))
    assert [q["exact"] for q in quotes] == [QUOTE], quotes

    # A second run finds the annotation again.
    screen = open_seed(tmux, library)
    side = "\n".join(line[panel_column(screen) :] for line in screen.splitlines())
    assert f"“{QUOTE}”" in side, side
    assert f"#{TAG}" in side and NOTE in side, side
    tmux.type("q")
    tmux.wait_for(lambda s: TITLE in s and "1 article · newest first" in s, "the library screen")
    tmux.type("q")
    status = tmux.wait_exit()
    assert status == 0, f"the app exited with {status}:\n{tmux.capture()}"


def _quote_selectors(value: object) -> Iterator[dict]:
    """Every TextQuoteSelector in a JSON document, wherever the store keeps it."""
    if isinstance(value, dict):
        if value.get("type") == "TextQuoteSelector":
            yield value
        for item in value.values():
            yield from _quote_selectors(item)
    elif isinstance(value, list):
        for item in value:
            yield from _quote_selectors(item)
