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
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmux_screen import (
    Tmux,
    panel_column,
    parse_row,
    plain,
    text_of,
    tmux_server,
)

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "articles" / "000_7151e915db61d1a9.txt"
READER = Path(sys.executable).parent / "reader"

ENTITY_TIMEOUT = 60.0  # a cold start imports spaCy and loads the model

TITLE = "Turkish drone strikes"
PARAGRAPH_5 = "Earlier on Saturday, Turkey’s President Recep Tayyip Erdogan"
QUOTE = "Recep Tayyip Erdogan"
TAG = "leader"
NOTE = "Threatened reprisals"


# --- reading the screen ------------------------------------------------------------

BACKGROUND = re.compile(r"\x1b\[[0-9;]*48;")


def status_line(screen: str) -> str:
    """The article screen's status row: the one above the footer."""
    lines = screen.rstrip("\n").split("\n")
    return lines[-2] if len(lines) >= 2 else ""


def cursor_word(escaped_screen: str) -> str:
    """The text from the article cursor (the reverse-video letter) to the end of its row."""
    rows = escaped_screen.rstrip("\n").split("\n")
    limit = panel_column(plain(escaped_screen)) - 2  # left of the scrollbar
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


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    with tmux_server(tmp_path) as server:
        yield server


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
    tmux.type("gg")
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
    tmux.keys(TAG, "Enter")  # in one write, as over SSH or from a text expander
    panel = tmux.wait_for(
        lambda s: "Tags (comma-separated)" not in s and f"#{TAG}" in s,
        f"#{TAG} in the side panel",
    )
    assert f"“{QUOTE}”" in panel

    # The cursor is inside the new annotation: a notes it.
    tmux.type("a")
    tmux.wait_for(lambda s: "ctrl+s save" in s and f"“{QUOTE}”" in s, "the note dialog")
    # The note and ctrl+s in one write (issue 12: the text typed before the
    # save key was lost while "Saved" showed).
    tmux.keys(NOTE, "C-s")
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
        if QUOTE in plain(row)
        for cell in parse_row(row)[plain(row).find(QUOTE) :][: len(QUOTE)]
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


def test_ctrl_g_edits_the_note_in_the_users_editor(tmp_path: Path) -> None:
    """Issue 12: ctrl+g in the note editor hands the note to $EDITOR (the app
    suspended, as git does) and takes back what the editor saved."""
    library = tmp_path / "lib"
    added = reader_cli("--library", str(library), "add", str(SEED))
    assert added.returncode == 0, added.stderr
    article_id = added.stdout.split("\t")[1]
    editor = tmp_path / "editor"  # an editor that adds a line and saves
    editor.write_text('#!/bin/sh\nprintf "\\nfrom the editor\\n" >> "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    with tmux_server(tmp_path, app_env=(f"EDITOR={editor}", "VISUAL=")) as tmux:
        open_seed(tmux, library)
        tmux.type("a")  # a note on the word under the cursor
        tmux.wait_for(lambda s: "ctrl+s save" in s, "the note dialog")
        tmux.keys("typed here", "C-g")
        tmux.wait_for("from the editor", "the editor's line back in the dialog")
        tmux.keys("C-s")
        tmux.wait_for(lambda s: "ctrl+s save" not in s, "the dialog closed")
        tmux.type("q")
        tmux.wait_for(in_library, "the library")
        tmux.type("q")
        assert tmux.wait_exit() == 0
    store = json.loads((library / "annotations" / f"{article_id}.json").read_text("utf-8"))
    notes = [a["note"] for a in store["annotations"].values()]
    assert notes == ["typed here\nfrom the editor"], notes


def text_rows(screen: str) -> list[str]:
    """The article's text column, row by row (left of the side panel)."""
    column = panel_column(screen)
    return [line[:column].strip() for line in screen.splitlines()[2:-2]]


def in_library(screen: str) -> bool:
    """The library screen (the article's header shows its title too)."""
    return TITLE in screen and "1 article · newest first" in screen


def first_row(screen: str) -> str:
    return next((row for row in text_rows(screen) if row), "")


def test_keys_in_one_write_and_the_page_read_come_back(tmp_path: Path) -> None:
    """Issue 12: "]e" sent in one write moves to the next entity; paging down,
    leaving and reopening (and restarting the app) shows the page that was read."""
    library = tmp_path / "lib"
    added = reader_cli("--library", str(library), "add", str(SEED))
    assert added.returncode == 0, added.stderr
    with tmux_server(tmp_path) as tmux:
        open_seed(tmux, library)
        tmux.wait_for(
            lambda s: entity_coloured(s, "Syrian"),
            "the entity colours",
            escapes=True,
            timeout=ENTITY_TIMEOUT,
        )
        tmux.type("gg")
        tmux.keys("]e")  # one write, two keys
        tmux.wait_for(
            lambda s: " — " in status_line(s) and "(" in status_line(s),
            "the cursor on an entity (the status line names it)",
        )
        first = first_row(tmux.capture())
        tmux.keys("C-d")  # half a page on: the view and the cursor
        top = first_row(tmux.wait_for(lambda s: first_row(s) != first, "the view scrolled"))
        tmux.type("q")
        tmux.wait_for(in_library, "the library")
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "% read" in s and first_row(s) == top, "the page read, again")
        tmux.type("q")
        tmux.wait_for(in_library, "the library")
        tmux.type("q")
        assert tmux.wait_exit() == 0
        tmux.close_session()
        tmux.start(str(READER), "--library", str(library))
        tmux.wait_for(in_library, "the library, after a restart")
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "% read" in s and first_row(s) == top, "the page read, restarted")
