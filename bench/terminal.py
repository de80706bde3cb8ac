"""The app in a real terminal: a private tmux server driven in control mode.

One tmux server of its own (``tmux -L reader-bench-PID``, no user config), a
session that stays up, and a control-mode client (``tmux -C``) on a session of
its own: commands go down its stdin and their answers come back without a
process per command, so the screen can be read every 3 ms (``capture-pane``
through a control client takes ~0.1 ms; a ``tmux`` process per look, ~3 ms of
CPU) without the polling taking the CPU from the app it times. Each program
runs in a new window (140x40) of the running session.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.harness import NO_BACKGROUND, child_env, wait_gone

WIDTH, HEIGHT = 140, 40
POLL = 0.003
CONFIG = "set -g remain-on-exit off\nset -g status off\nset -g default-size 140x40\n"
# What a program in a window is started under: no bytecode-less Python, no
# background recogniser, a colour terminal.
PREFIX = [
    "env",
    "-u",
    "PYTHONDONTWRITEBYTECODE",
    *(f"{k}={v}" for k, v in NO_BACKGROUND.items()),
    "TERM=xterm-256color",
    "COLORTERM=truecolor",
    "LC_ALL=C.UTF-8",
]


class TerminalTimeout(RuntimeError):
    pass


class Pane:
    def __init__(self, tmux: Tmux, pane_id: str, pid: int, started: float) -> None:
        self.tmux, self.id, self.pid, self.started = tmux, pane_id, pid, started
        self.last = ""

    def screen(self) -> str:
        self.last = "\n".join(self.tmux.command(f"capture-pane -p -t {self.id}"))
        return self.last

    def wait_for(
        self, check: str | Callable[[str], bool], timeout: float = 30.0, poll: float = POLL
    ) -> float:
        """Poll the screen until ``check`` holds; the perf_counter time it was seen."""
        test = (lambda screen: check in screen) if isinstance(check, str) else check
        deadline = time.perf_counter() + timeout
        while True:
            now = time.perf_counter()
            if test(self.screen()):
                return now
            if now > deadline:
                raise TerminalTimeout(
                    f"timed out after {timeout:.0f} s waiting for {check!r}; "
                    f"the screen:\n{self.last.rstrip()}"
                )
            time.sleep(poll)

    def keys(self, *keys: str) -> None:
        self.tmux.command(f"send-keys -t {self.id} {' '.join(keys)}")

    def close(self) -> None:
        """Kill the window and wait for its program to exit."""
        self.tmux.command(f"kill-window -t {self.id}")
        if not wait_gone(self.pid, 10):
            os.kill(self.pid, 9)  # the program this pane started, by its id
            wait_gone(self.pid, 5)


class Tmux:
    """A private tmux server, its running session ``bench``, and a control client."""

    def __init__(self) -> None:
        self.socket = f"reader-bench-{os.getpid()}"
        self._folder = tempfile.TemporaryDirectory(prefix="reader-bench-tmux-")
        self.config = Path(self._folder.name) / "tmux.conf"
        self.config.write_text(CONFIG)
        self.env = child_env(TERM="xterm-256color")
        base = ["tmux", "-L", self.socket, "-f", str(self.config)]
        subprocess.run(
            [*base, "new-session", "-d", "-s", "bench", "-x", str(WIDTH), "-y", str(HEIGHT)]
            + ["sleep", "1000000"],
            env=self.env,
            check=True,
        )
        self.control = subprocess.Popen(
            [*base, "-u", "-C", "new-session", "-s", "control", "sleep", "1000000"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=self.env,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )
        # tmux 3.3 leaves its socket file behind when the server is killed: removed in close.
        (self.socket_path,) = self.command("display-message -p '#{socket_path}'")

    def command(self, line: str) -> list[str]:
        """Run one tmux command; its output lines (an error raises)."""
        assert self.control.stdin is not None and self.control.stdout is not None
        self.control.stdin.write(line + "\n")
        self.control.stdin.flush()
        number, output = None, []
        while True:
            got = self.control.stdout.readline()
            if not got:
                raise RuntimeError("the tmux control client ended")
            parts = got.split(" ", 3)
            if number is None:  # notifications, and blocks of tmux's own (flags 0)
                if parts[0] == "%begin" and len(parts) > 3 and parts[3].strip() == "1":
                    number = parts[2]
                continue
            if parts[0] in ("%end", "%error") and len(parts) > 2 and parts[2] == number:
                if parts[0] == "%error":
                    raise RuntimeError(f"tmux {line!r}: {' '.join(output)}")
                return output
            output.append(got.rstrip("\n"))

    def start(self, *argv: str) -> Pane:
        """Start ``argv`` in a new 140x40 window of the running session."""
        command = " ".join(shlex.quote(arg) for arg in [*PREFIX, *argv])
        started = time.perf_counter()
        (line,) = self.command(
            f"new-window -d -t bench: -P -F '#{{pane_id}} #{{pane_pid}}' {command}"
        )
        pane_id, pid = line.split()
        return Pane(self, pane_id, int(pid), started)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # the server goes, and the client with it
            self.command("kill-server")
        if self.control.stdin is not None:
            self.control.stdin.close()
        try:
            self.control.wait(5)
        except subprocess.TimeoutExpired:
            self.control.kill()
        self._folder.cleanup()
        if Path(self.socket_path).name == self.socket:
            Path(self.socket_path).unlink(missing_ok=True)

    def __enter__(self) -> Tmux:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
