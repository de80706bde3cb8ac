"""``reader add`` run for real in a subprocess: dry runs in JSON, batches with bad
inputs, the size limit, and URLs served by an HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from local_server import serving

from reader.core.library import LIBRARY_ENV

FIXTURES = Path(__file__).parent / "fixtures" / "import"
KEYS = {"status", "id", "title", "author", "date", "source", "format", "text"}


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k != LIBRARY_ENV and not k.lower().endswith("_proxy")  # 127.0.0.1 directly
    }
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")  # never the real user's library
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(tmp_path / "lib"), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def written(tmp_path: Path) -> list[Path]:
    """Every file under the library folder."""
    root = tmp_path / "lib"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def added_ids(stdout: str) -> list[str]:
    ids = []
    for line in stdout.splitlines():
        status, article_id, _title = line.split("\t")
        assert status == "added", line
        ids.append(article_id)
    return ids


def meta(tmp_path: Path, article_id: str) -> dict:
    """The article record in annotations/<id>.json, read with plain json."""
    store = json.loads((tmp_path / "lib" / "annotations" / f"{article_id}.json").read_text())
    (record,) = store["meta"].values()
    return record["article"]


GOOD = [
    "front_matter.md",
    "no_front_matter.md",
    "news_page.html",
    "js_shell.html",
    "feed_rss.xml",
    "feed_atom.xml",
    "controls.txt",
]
ARTICLES = 1 + 1 + 1 + 1 + 5 + 2 + 1


# --- dry runs --------------------------------------------------------------------------------


def test_dry_run_json_prints_one_object_per_article_and_writes_nothing(tmp_path):
    result = run(tmp_path, "add", "--dry-run", "--json", *(str(FIXTURES / n) for n in GOOD))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == ARTICLES
    for record in records:
        assert set(record) == KEYS
        assert all(isinstance(value, str) for value in record.values())
        assert record["text"].strip() and record["title"].strip()
    assert result.stderr.splitlines() == [f"reader: would import: {ARTICLES} added"]
    assert written(tmp_path) == []
    assert not (tmp_path / "lib" / "articles").exists() or not any(
        (tmp_path / "lib" / "articles").iterdir()
    )
    by_title = {r["title"]: r for r in records}
    page = by_title["City Library Opens Its Doors Around the Clock"]
    assert page == {
        "status": "added",
        "id": page["id"],
        "title": "City Library Opens Its Doors Around the Clock",
        "author": "Jonas Whitfield",
        "date": "2024-02-14",
        "source": str((FIXTURES / "news_page.html").resolve()),
        "format": "html",
        "text": page["text"],
    }
    assert "NavMenu" not in page["text"] and "CommentOne" not in page["text"]
    assert by_title["Harbour Town Votes to Rebuild Its Flooded Sea Wall"]["source"] == (
        "https://news.example.org/2023/11/05/harbour-sea-wall"
    )
    formats = sorted(r["format"] for r in records)
    assert formats.count("feed-summary") == 5 and formats.count("feed") == 2


def test_dry_run_text_is_what_a_real_import_stores(tmp_path):
    inputs = [str(FIXTURES / n) for n in GOOD]
    dry = run(tmp_path, "add", "--dry-run", "--json", *inputs)
    assert dry.returncode == 0, dry.stderr
    records = [json.loads(line) for line in dry.stdout.splitlines()]
    real = run(tmp_path, "add", *inputs)
    assert real.returncode == 0, real.stderr
    ids = added_ids(real.stdout)
    assert len(ids) == len(records)
    assert [r["id"] for r in records] == ids  # the dry run names the ids they get
    articles = tmp_path / "lib" / "articles"
    for record, article_id in zip(records, ids, strict=True):
        stored = (articles / f"{article_id}.txt").read_bytes().decode("utf-8")
        assert stored == record["text"], article_id
        info = meta(tmp_path, article_id)
        for key in ("title", "author", "date", "source", "format"):
            assert info[key] == record[key], (article_id, key)


def test_dry_run_without_json_prints_a_line_per_article(tmp_path):
    result = run(tmp_path, "add", "--dry-run", str(FIXTURES / "feed_atom.xml"))
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "would add\tfeed\tSeagrass Meadows Store More Carbon Than Thought",
        "would add\tfeed-summary\tTide Gauges Record Highest Spring Tide in Decades",
    ]
    assert written(tmp_path) == []


def test_dry_run_tells_duplicates_and_updates_from_new_articles(tmp_path):
    """A dry run against a library says what a real run would do with each article."""
    feed = str(FIXTURES / "feed_atom.xml")
    assert run(tmp_path, "add", feed).returncode == 0
    again = run(tmp_path, "add", "--dry-run", feed)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        "would skip\tfeed\tSeagrass Meadows Store More Carbon Than Thought",
        "would skip\tfeed-summary\tTide Gauges Record Highest Spring Tide in Decades",
    ]
    assert again.stderr.splitlines()[-1] == "reader: would import: 2 duplicate"
    page = tmp_path / "page.md"
    page.write_text("# Ferry timetable\n\nThe ferry leaves at nine.\n", encoding="utf-8")
    assert run(tmp_path, "add", str(page)).returncode == 0
    page.write_text("# Ferry timetable\n\nThe ferry now leaves at ten.\n", encoding="utf-8")
    changed = run(tmp_path, "add", "--dry-run", "--json", str(page))
    (record,) = [json.loads(line) for line in changed.stdout.splitlines()]
    assert (record["status"], record["title"]) == ("updated", "Ferry timetable")
    assert record["id"] in {p.stem for p in (tmp_path / "lib" / "articles").glob("*.txt")}
    assert "ten" not in (tmp_path / "lib" / "articles" / f"{record['id']}.txt").read_text()


def test_json_on_a_real_import_prints_a_record_per_article(tmp_path):
    result = run(tmp_path, "add", "--json", str(FIXTURES / "feed_atom.xml"))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["status"], r["title"]) for r in records] == [
        ("added", "Seagrass Meadows Store More Carbon Than Thought"),
        ("added", "Tide Gauges Record Highest Spring Tide in Decades"),
    ]
    stored = {p.stem for p in (tmp_path / "lib" / "articles").glob("*.txt")}
    assert {r["id"] for r in records} == stored


# --- batches ---------------------------------------------------------------------------------


def test_a_batch_with_bad_inputs_reports_each_and_exits_1(tmp_path):
    missing = tmp_path / "missing.txt"
    bad = [missing, FIXTURES / "empty.txt", FIXTURES / "image.png", FIXTURES / "malformed_feed.xml"]
    good = [FIXTURES / "front_matter.md", FIXTURES / "news_page.html"]
    inputs = [str(bad[0]), str(good[0]), str(bad[1]), str(bad[2]), str(good[1]), str(bad[3])]
    result = run(tmp_path, "add", *inputs)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "reader: imported: 2 added, 4 failed"
    errors = lines[:-1]
    assert len(errors) == len(bad)
    for line, path in zip(errors, bad, strict=True):
        assert line.startswith(f"reader: {path}: "), line
    assert errors[0].endswith("no such file")
    assert errors[1].endswith("empty")
    assert errors[2].endswith("binary file, not text")
    assert "malformed feed" in errors[3]
    assert len(added_ids(result.stdout)) == 2
    assert len(list((tmp_path / "lib" / "articles").glob("*.txt"))) == 2


def test_all_good_inputs_exit_0_and_again_are_duplicates(tmp_path):
    inputs = [str(FIXTURES / "front_matter.md"), str(FIXTURES / "feed_atom.xml")]
    first = run(tmp_path, "add", *inputs)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines() == ["reader: imported: 3 added"]
    again = run(tmp_path, "add", *inputs)
    assert again.returncode == 0
    assert again.stderr.splitlines() == ["reader: imported: 3 duplicate"]
    assert [line.split("\t")[0] for line in again.stdout.splitlines()] == ["duplicate"] * 3


def test_a_folder_with_non_articles_exits_0(tmp_path):
    result = run(tmp_path, "add", str(FIXTURES / "folder"))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["reader: imported: 4 added, 3 skipped"]
    assert len(added_ids(result.stdout)) == 4


def test_max_mb_refuses_a_bigger_file(tmp_path):
    page = FIXTURES / "news_page.html"
    assert page.stat().st_size > 0.001 * 1024 * 1024
    small = FIXTURES / "no_front_matter.md"
    assert small.stat().st_size < 1048
    result = run(tmp_path, "add", "--max-mb", "0.001", str(page), str(small))
    assert result.returncode == 1
    error, summary = result.stderr.splitlines()
    assert error == (
        f"reader: {page}: file is {page.stat().st_size:,} bytes, over the 1,048-byte limit"
    )
    assert summary == "reader: imported: 1 added, 1 failed"


def test_max_mb_below_the_minimum_is_a_usage_error(tmp_path):
    result = run(tmp_path, "add", "--max-mb", "0", str(FIXTURES / "feed_atom.xml"))
    assert result.returncode == 2
    assert "--max-mb" in result.stderr
    assert written(tmp_path) == []


# --- URLs ------------------------------------------------------------------------------------

ROUTES = {
    "/news/library-open-all-night": ("text/html; charset=utf-8", "news_page.html"),
    "/feeds/gazette.xml": ("application/rss+xml", "feed_rss.xml"),
    "/saved": ("text/plain", "news_page.html"),  # a page served as plain text
}


class Handler(BaseHTTPRequestHandler):
    timeout = 5

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):
        if self.path not in ROUTES:
            self.send_error(404)
            return
        content_type, name = ROUTES[self.path]
        body = (FIXTURES / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving(Handler) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


def test_url_import_keeps_the_url_as_source(tmp_path, base):
    page, feed = f"{base}/news/library-open-all-night", f"{base}/feeds/gazette.xml"
    result = run(tmp_path, "add", page, feed)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["reader: imported: 6 added"]
    ids = added_ids(result.stdout)
    assert len(ids) == 6
    page_meta = meta(tmp_path, ids[0])
    assert page_meta["source"] == page
    assert page_meta["title"] == "City Library Opens Its Doors Around the Clock"
    assert (page_meta["format"], page_meta["author"]) == ("html", "Jonas Whitfield")
    # Feed entries keep their own links as sources.
    assert [meta(tmp_path, i)["source"] for i in ids[1:]] == [
        "https://gazette.example.com/bridge-reopens",
        "https://gazette.example.com/orchard-harvest",
        "https://gazette.example.com/cycle-lanes",
        "https://gazette.example.com/school-choir",
        "https://gazette.example.com/untitled-item",
    ]
    listing = run(tmp_path, "list")
    assert listing.returncode == 0
    assert {line.split("\t")[0] for line in listing.stdout.splitlines()} == set(ids)
    text = (tmp_path / "lib" / "articles" / f"{ids[0]}.txt").read_text(encoding="utf-8")
    assert "NavMenu" not in text and "CommentOne" not in text

    # The same URL again: a duplicate of the same article.
    again = run(tmp_path, "add", page)
    assert again.returncode == 0
    assert again.stdout.split("\t")[:2] == ["duplicate", ids[0]]


def test_url_dry_run_json(tmp_path, base):
    url = f"{base}/saved"
    result = run(tmp_path, "add", "--dry-run", "--json", url)
    assert result.returncode == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(record) == KEYS
    assert (record["source"], record["format"]) == (url, "html")  # told by content
    assert written(tmp_path) == []


def test_url_failures_are_one_line_each(tmp_path, base):
    missing = f"{base}/no-such-page"
    result = run(tmp_path, "add", missing, f"{base}/feeds/gazette.xml")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"reader: {missing}: HTTP 404 Not Found",
        "reader: imported: 5 added, 1 failed",
    ]


def test_a_text_readded_after_updates_took_its_ids_is_added_not_a_traceback(tmp_path):
    """The same text comes back from a third file after two files that held it were
    updated: its 8- and 16-digit ids are taken, and the 64-digit one is too long for
    an article id (Library.store raises KeyError, which `reader add` does not catch)."""
    lead = "The harbour council met on Monday to talk about the sea wall once again"
    first_text = f"{lead}. Nothing was decided.\n"

    def add(name: str, text: str) -> subprocess.CompletedProcess[str]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return run(tmp_path, "add", str(path))

    assert add("a.txt", first_text).stdout.startswith("added\t")
    assert add("a.txt", f"{lead}. Something was decided.\n").stdout.startswith("updated\t")
    assert add("b.txt", first_text).stdout.startswith("added\t")
    assert add("b.txt", f"{lead}. Everything was decided.\n").stdout.startswith("updated\t")
    result = add("c.txt", first_text)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added\t")


def test_add_dash_reads_standard_input(tmp_path):
    """``curl … | reader add -``: the format is found from the content."""
    page = (
        "<html><head><title>Bridge reopens</title></head><body><article>"
        "<h1>Bridge reopens</h1><p>The old bridge over the river reopened on Monday after "
        "two years of repairs, the council said. Traffic was light in the morning.</p>"
        "<p>Shops on both banks said they hoped trade would pick up.</p></article></body></html>"
    )
    command = [sys.executable, "-m", "reader", "--library", str(tmp_path / "lib"), "add", "-"]
    done = subprocess.run(command, input=page, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    status, article_id, title = line.split("\t")
    assert (status, title) == ("added", "Bridge reopens")
    assert meta(tmp_path, article_id)["format"] == "html"
    text = (tmp_path / "lib" / "articles" / f"{article_id}.txt").read_text(encoding="utf-8")
    assert text.startswith("The old bridge") and "<p>" not in text
    again = subprocess.run(command, input=page, capture_output=True, text=True, timeout=120)
    assert again.stdout.split("\t")[:2] == ["duplicate", article_id]
    empty = subprocess.run(command, input="", capture_output=True, text=True, timeout=120)
    assert empty.returncode == 1 and "standard input" in empty.stderr
