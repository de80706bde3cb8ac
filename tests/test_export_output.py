"""Where ``reader export --output`` writes: a file, or a folder of files; a path
named like a file is never made a folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from export_fixture import ARTICLE_IDS, CAFE, HARBOUR, build_library

from reader.core.library import LIBRARY_ENV, Library


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return build_library(tmp_path_factory.mktemp("output") / "library")


def reader(library: Library, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env["XDG_DATA_HOME"] = str(cwd / "xdg")
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), "export", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("fmt", "query", "output"),
    [
        ("html", f"article:{HARBOUR} OR article:{CAFE}", "x.html"),
        ("html", "", "pages.htm"),
        ("brat", f"article:{CAFE}", "notes.ann"),
    ],
)
def test_a_file_name_for_several_files_is_a_one_line_error(
    library: Library, tmp_path: Path, fmt: str, query: str, output: str
) -> None:
    done = reader(library, tmp_path, "--format", fmt, "--output", output, *query.split())
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("reader: ") and output in line and "folder" in line
    assert not (tmp_path / output).exists()


def test_html_of_one_article_to_a_file_is_its_page(library: Library, tmp_path: Path) -> None:
    done = reader(library, tmp_path, "--format", "html", "--output", "x.html", "--article", CAFE)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "x.html").is_file()
    assert (tmp_path / "x.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("output", ["pages", "pages.v2/"])
def test_a_folder_name_gets_a_page_per_article(
    library: Library, tmp_path: Path, output: str
) -> None:
    done = reader(library, tmp_path, "--format", "html", "--output", output)
    assert done.returncode == 0, done.stderr
    pages = sorted(p.name for p in (tmp_path / output).iterdir())
    assert pages == sorted(f"{a}.html" for a in ARTICLE_IDS)


def test_an_existing_folder_named_like_a_file_is_a_folder(library: Library, tmp_path: Path) -> None:
    (tmp_path / "x.html").mkdir()
    done = reader(library, tmp_path, "--format", "html", "--output", "x.html")
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "x.html").iterdir())) == len(ARTICLE_IDS)
