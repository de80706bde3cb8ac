"""The html export in a real browser: Debian's chromium, headless, renders the page
of an article (a screenshot) and gives back its DOM, which has the title, the
entity marks with their OntoNotes labels and the annotation marks.

Chromium is a requirement of this test (``.ci/run`` installs it): without it the
test fails, it is not skipped.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from export_fixture import ARTICLES, CAFE, CREATOR, HARBOUR, build_library

from reader.core.entities import EntityService
from reader.core.export import Options, export, gather
from reader.core.labels import LABEL_GROUPS

ONTONOTES = {label for labels in LABEL_GROUPS.values() for label in labels}
TIMEOUT = 60


def chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
    )
    if found is None:
        pytest.fail(
            "chromium is not installed (Debian: apt-get install chromium); "
            "the html export test needs it"
        )
    return found


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(command, capture_output=True, timeout=TIMEOUT, env=env, cwd=tmp_path)


class _Dom(HTMLParser):
    """The h1's text, the entity marks' titles, the annotation marks, scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.h1: list[str] = []
        self.in_h1 = False
        self.entity_titles: list[str] = []
        self.note_spans = 0
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        self.tags.append(tag)
        if tag == "h1":
            self.in_h1 = True
        if tag == "mark" and "ent" in classes and found.get("title"):
            self.entity_titles.append(found["title"] or "")
        if tag == "span" and "note" in classes:
            self.note_spans += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self.in_h1 = False

    def handle_data(self, data: str) -> None:
        if self.in_h1:
            self.h1.append(data)


def _page(tmp_path: Path, article_id: str) -> Path:
    library = build_library(tmp_path / "library")
    items = gather(
        library,
        f"article:{article_id}",
        entities=True,
        service=EntityService(rules=library.rule_store()),
    )
    page = tmp_path / f"{article_id}.html"
    page.write_text(export("html", items, Options(creator=CREATOR), files=False), encoding="utf-8")
    return page


@pytest.mark.parametrize("article_id", [HARBOUR, CAFE])
def test_chromium_renders_the_page(tmp_path: Path, article_id: str) -> None:
    page = _page(tmp_path, article_id)
    shot = tmp_path / "shot.png"
    done = run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri())
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    assert shot.is_file(), done.stderr.decode(errors="replace")[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (1200, 1600)
    assert len(data) > 20_000  # text and coloured marks, not a blank page


@pytest.mark.parametrize("article_id", [HARBOUR, CAFE])
def test_chromium_dom_has_title_entities_and_notes(tmp_path: Path, article_id: str) -> None:
    page = _page(tmp_path, article_id)
    done = run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = _Dom()
    dom.feed(done.stdout.decode("utf-8"))
    (meta,) = [m for m in ARTICLES if m.id == article_id]
    assert "".join(dom.h1).strip() == meta.title
    assert dom.entity_titles and set(dom.entity_titles) <= ONTONOTES
    assert dom.note_spans >= 1
    assert "script" not in dom.tags
