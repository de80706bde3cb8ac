"""Markdown exported into a folder is also where the reader writes (an Obsidian
vault): a re-export rewrites reader's part of each file and keeps the rest,
byte for byte; a file without reader's markers is left as it is, and said."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from export_fixture import ARTICLE_IDS, CAFE, HARBOUR, HARBOUR_TEXT, build_library

from reader.core.anchoring import new_annotation
from reader.core.export import ExportError
from reader.core.export.run import run_export
from reader.core.library import LIBRARY_ENV, Library

START = "<!-- reader: start"
END = "<!-- reader: end -->"
MINE = "\n## My thoughts\n\nThe pier matters more than the [[Budget]].\n"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return build_library(tmp_path / "library")


def export_md(library: Library, folder: Path) -> None:
    run_export(library, "md", output=f"{folder}/")


def annotate(library: Library, quote: str, note: str = "") -> None:
    start = HARBOUR_TEXT.index(quote)
    annotation = new_annotation(HARBOUR_TEXT, start, start + len(quote), ("new",), note)
    library.store(HARBOUR).save_annotation(annotation)


def split(data: bytes) -> tuple[bytes, bytes, bytes]:
    """Before reader's part, reader's part (its marker lines included), after it."""
    start = data.index(START.encode())
    end = data.index(END.encode()) + len(END)
    end = data.index(b"\n", end) + 1
    return data[:start], data[start:end], data[end:]


def test_a_re_export_keeps_what_the_user_added(library: Library, tmp_path: Path) -> None:
    """A property in the front matter and a section at the end, written in
    Obsidian, survive a re-export that brings a new highlight."""
    out = tmp_path / "vault"
    export_md(library, out)
    path = out / f"{HARBOUR}.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("\n---\n", "\nstatus: reading\n---\n", 1) + MINE
    path.write_text(text, encoding="utf-8")
    annotate(library, "The project will cost £4.2 million")
    export_md(library, out)
    again = path.read_text(encoding="utf-8")
    assert again.endswith(MINE)
    assert "> The project will cost £4.2 million" in again
    _, front, _ = again.split("---\n", 2)
    properties = yaml.safe_load(front)
    assert properties["status"] == "reading"
    assert properties["title"] == 'Harbour Council votes to rebuild the "old pier"'


def test_only_readers_part_changes_byte_for_byte(library: Library, tmp_path: Path) -> None:
    out = tmp_path / "vault"
    export_md(library, out)
    path = out / f"{HARBOUR}.md"
    before, part, after = split(path.read_bytes())
    assert before.startswith(b"---\n") and b"\n---\n" in before  # front matter first
    assert part.endswith(END.encode() + b"\n") and after == b""
    # The user writes above reader's part, and below it (no newline at the end).
    user_before = before + "A line of mine, über alles.\n\n".encode()
    user_after = b"\nMore of mine.\n\n%% a comment %%"
    path.write_bytes(user_before + part + user_after)
    annotate(library, "A second vote", note="Watch for it.")
    export_md(library, out)
    new_before, new_part, new_after = split(path.read_bytes())
    assert (new_before, new_after) == (user_before, user_after)
    assert new_part != part and b"Watch for it." in new_part


def test_the_properties_reader_writes_are_its_own_and_others_are_kept(
    library: Library, tmp_path: Path
) -> None:
    """title, author, source, date and tags are reader's (rewritten); any other
    property stays as written, in its place, in Obsidian's list form too."""
    out = tmp_path / "vault"
    export_md(library, out)
    path = out / f"{HARBOUR}.md"
    text = path.read_text(encoding="utf-8")
    _, front, rest = text.split("---\n", 2)
    lines = front.splitlines(keepends=True)
    mine = "aliases:\n  - Pier vote\n  - Harbour pier\n"
    edited = [
        "title: My own title\n" if line.startswith("title:") else line
        for line in lines
        if not line.startswith("tags:")
    ]
    edited.insert(1, mine)
    edited.append("tags:\n  - harbour\n  - mine\n")
    path.write_text("---\n" + "".join(edited) + "---\n" + rest, encoding="utf-8")
    export_md(library, out)
    _, front, again = path.read_text(encoding="utf-8").split("---\n", 2)
    assert mine in front
    properties = yaml.safe_load(front)
    assert properties["title"] == 'Harbour Council votes to rebuild the "old pier"'
    assert properties["tags"] == ["harbour", "follow-up"]
    assert properties["aliases"] == ["Pier vote", "Harbour pier"]
    assert again == rest


def test_a_file_without_markers_is_left_as_it_is(library: Library, tmp_path: Path) -> None:
    """Written by hand, or by a reader before the markers: kept, and the export
    says so (one line) after writing the other files."""
    out = tmp_path / "vault"
    out.mkdir()
    mine = out / f"{HARBOUR}.md"
    mine.write_bytes(b"---\ntitle: Mine\n---\n\n# My notes on the pier\n\nNothing yet.\n")
    kept = mine.read_bytes()
    with pytest.raises(ExportError) as error:
        export_md(library, out)
    assert mine.read_bytes() == kept
    message = str(error.value)
    assert "\n" not in message and f"{HARBOUR}.md" in message and "markers" in message
    others = [out / f"{a}.md" for a in ARTICLE_IDS if a != HARBOUR]
    assert all(START in p.read_text(encoding="utf-8") for p in others)


@pytest.mark.parametrize(
    "broken",
    [
        f"{START} -->\n# A\n",  # no end
        f"{END}\nx\n{START} -->\n",  # out of order
        f"{START} -->\n{START} -->\n{END}\n",  # two starts
    ],
    ids=["no-end", "end-first", "two-starts"],
)
def test_a_file_with_broken_markers_is_left_as_it_is(
    library: Library, tmp_path: Path, broken: str
) -> None:
    out = tmp_path / "vault"
    out.mkdir()
    mine = out / f"{HARBOUR}.md"
    mine.write_text(broken, encoding="utf-8")
    with pytest.raises(ExportError, match=HARBOUR):
        export_md(library, out)
    assert mine.read_text(encoding="utf-8") == broken


def test_markers_added_by_hand_adopt_a_file(library: Library, tmp_path: Path) -> None:
    """The way to let reader write into a file it did not make: the two marker
    lines where its part goes. Reader's front matter goes on top."""
    out = tmp_path / "vault"
    out.mkdir()
    mine = out / f"{CAFE}.md"
    mine.write_text(f"Before.\n\n{START} -->\n{END}\n\nAfter.\n", encoding="utf-8")
    export_md(library, out)
    text = mine.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: ")
    assert "\n---\nBefore.\n\n<!-- reader: start" in text
    assert text.endswith(f"{END}\n\nAfter.\n")
    assert "> Zoë Müller opened Café Août in Zürich" in text


def test_a_windows_file_keeps_its_line_ends(library: Library, tmp_path: Path) -> None:
    out = tmp_path / "vault"
    export_md(library, out)
    path = out / f"{HARBOUR}.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n") + b"\r\nMine.\r\n")
    annotate(library, "A second vote")
    export_md(library, out)
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.endswith(END.encode() + b"\r\n\r\nMine.\r\n")
    assert yaml.safe_load(data.decode().split("---\r\n")[1])["date"] == "2024-03-05"


def test_a_note_with_a_marker_line_does_not_break_the_next_export(
    library: Library, tmp_path: Path
) -> None:
    """A note is Markdown as written: one holding a marker line must not end
    reader's part early (the next export would leave half of it behind)."""
    out = tmp_path / "vault"
    annotate(library, "Funding and delays", note=f"Odd note\n{END}\n{START} -->\nend")
    export_md(library, out)
    path = out / f"{HARBOUR}.md"
    path.write_bytes(path.read_bytes() + MINE.encode())
    export_md(library, out)
    text = path.read_text(encoding="utf-8")
    assert text.endswith(MINE)
    assert text.count("> Funding and delays") == 1
    assert text.count(f"\n{END}") == 1 and text.count(f"\n {END}") == 1


def test_an_empty_file_is_written(library: Library, tmp_path: Path) -> None:
    """Nothing to keep in it (made with touch, say): it gets reader's file."""
    out = tmp_path / "vault"
    out.mkdir()
    (out / f"{HARBOUR}.md").write_bytes(b"\n")
    export_md(library, out)
    assert START in (out / f"{HARBOUR}.md").read_text(encoding="utf-8")


def test_a_file_that_is_not_utf8_is_left_as_it_is(library: Library, tmp_path: Path) -> None:
    out = tmp_path / "vault"
    out.mkdir()
    mine = out / f"{HARBOUR}.md"
    mine.write_bytes(b"caf\xe9\n" + f"{START} -->\n{END}\n".encode())
    with pytest.raises(ExportError, match="UTF-8"):
        export_md(library, out)
    assert mine.read_bytes().startswith(b"caf\xe9\n")


def test_the_command_says_which_file_it_left_and_fails(library: Library, tmp_path: Path) -> None:
    out = tmp_path / "vault"
    out.mkdir()
    (out / f"{HARBOUR}.md").write_text("My own file.\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root)]
        + ["export", "--format", "md", "--output", f"{out}/"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("reader: ") and f"{HARBOUR}.md" in line
    assert (out / f"{HARBOUR}.md").read_text(encoding="utf-8") == "My own file.\n"
    assert (out / f"{CAFE}.md").is_file()
