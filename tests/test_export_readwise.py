"""The Readwise CSV: the Date column of Readwise's import layout, and a UTF-8
byte order mark, without which Excel reads the file in the locale's code page
(Zürich as ZÃ¼rich); ``reader import-notes`` reads it back."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from export_fixture import ANNOTATIONS, CREATOR, ORPHAN, build_library

from reader.core.export import Options, export, gather
from reader.core.library import LIBRARY_ENV, Library

BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return build_library(tmp_path_factory.mktemp("readwise") / "library")


def exported(library: Library, layout: str = "readwise") -> bytes:
    items = gather(library)
    return export("csv", items, Options(CREATOR, csv_layout=layout), files=False).encode("utf-8")


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def reader(library: Library, cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env["XDG_DATA_HOME"] = str(cwd / "xdg")
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), *args],
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_the_import_layout_has_readwises_date_column(library: Library) -> None:
    """Readwise's CSV import columns: Highlight, Title, Author, URL, Note,
    Location, Date; Date is when the highlight was made, 'YYYY-MM-DD HH:MM:SS' (UTC)."""
    data = exported(library)
    header = data.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header == "Highlight,Title,Author,URL,Note,Location,Date"
    made = {s.quote: s.created for specs in ANNOTATIONS.values() for s in specs}
    made[ORPHAN.quote] = ORPHAN.created
    found = rows(data)
    assert len(found) == len(made) == 12
    for row in found:
        created = made[row["Highlight"].replace("\r\n", "\n")]
        assert row["Date"] == created.replace("T", " ").removesuffix("Z"), row


@pytest.mark.parametrize("layout", ["readwise", "readwise-export"])
def test_the_csv_starts_with_a_utf8_byte_order_mark(library: Library, layout: str) -> None:
    data = exported(library, layout)
    assert data.startswith(BOM + b"Highlight,")
    assert data.count(BOM) == 1
    assert any(row["Highlight"].startswith("Zoë Müller") for row in rows(data))


def test_the_command_writes_the_mark_and_import_notes_reads_the_file_back(
    library: Library, tmp_path: Path
) -> None:
    path = tmp_path / "notes.csv"
    done = reader(library, tmp_path, "export", "--format", "csv", "--output", str(path))
    assert done.returncode == 0, done.stderr
    assert path.read_bytes().startswith(BOM + b"Highlight,")
    assert reader(library, tmp_path, "export", "--format", "csv").stdout == path.read_bytes()
    bare = build_library(tmp_path / "bare", annotated=False)
    done = reader(bare, tmp_path, "import-notes", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().splitlines()[-1].startswith("reader: notes: 12 imported")
    quotes = {a.exact for article_id in bare.article_ids() for a in bare.load(article_id)[1]}
    assert "Zoë Müller opened Café Août in Zürich" in quotes


@pytest.mark.parametrize(
    ("created", "date"),
    [
        ("2024-03-06T09:15:00Z", "2024-03-06 09:15:00"),
        ("2024-03-06T09:15:00.250+02:00", "2024-03-06 07:15:00"),
        ("2024-03-06T09:15:00", "2024-03-06 09:15:00"),  # no zone: UTC, as reader writes
        ("2024-03-06", "2024-03-06 00:00:00"),
        ("", ""),
        ("yesterday", ""),  # an imported record's odd value: no date, not an error
    ],
)
def test_readwise_dates_are_utc(created: str, date: str) -> None:
    from reader.core.export.readwise import readwise_date

    assert readwise_date(created) == date


def test_an_annotation_without_a_time_has_an_empty_date(library: Library) -> None:
    items = gather(library, f'"{ORPHAN.quote}"')
    items[0].annotations = [replace(a, created="") for a in items[0].annotations]
    (row,) = rows(export("csv", items, Options(CREATOR), files=False).encode("utf-8"))
    assert row["Date"] == ""
