"""The end-to-end tests' terminal: a private tmux server running the installed
app, and the screen it shows read back from ``capture-pane -e`` (each cell's
character, background, bold, underline and reverse video).

Every wait polls the screen against a generous deadline and fails with the
last screen; the server (``tmux -L``, no user config) is always killed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

WIDTH, HEIGHT = 140, 45
TIMEOUT = 30.0
POLL = 0.2


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


# --- driving tmux ----------------------------------------------------------------------------


class TmuxTimeout(AssertionError):
    pass


class Tmux:
    """A private tmux server (its own socket, no user config) running one app at a time."""

    def __init__(self, workdir: Path, app_env: tuple[str, ...] = ()) -> None:
        self.socket = f"reader-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.app_env = app_env  # more VAR=value for the app, beside the terminal's
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
        app_env = ["TERM=xterm-256color", "COLORTERM=truecolor", "LC_ALL=C.UTF-8", *self.app_env]
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
        self.last = plain(screen) if escapes else screen
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


@contextlib.contextmanager
def tmux_server(workdir: Path, app_env: tuple[str, ...] = ()) -> Iterator[Tmux]:
    """A private tmux server for a test, always killed afterwards."""
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed (.ci/run installs it; apt-get install tmux)")
    server = Tmux(workdir, app_env)
    try:
        yield server
    finally:
        server.kill_server()
