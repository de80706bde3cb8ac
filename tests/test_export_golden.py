"""Golden files: every export format of the fixed library (tests/export_fixture.py),
byte for byte, made by the library functions and by the ``reader export`` command.

The expected outputs are in ``tests/golden/``: ``notes.md`` (md, one stream),
``md/`` (md, one file per article), ``notes.w3c.jsonld``, ``readwise.csv`` and
``readwise-export.csv`` (the two CSV layouts), ``notes.jsonl``, ``brat/`` (a
``.txt`` and an ``.ann`` per article) and ``html/`` (a page per article).

To rewrite them after a deliberate change of an export::

    REGEN_GOLDEN=1 uv run pytest tests/test_export_golden.py

then read the diff (``git diff tests/golden``) before committing it: each file
must still be right for the tool it is for. Besides the byte comparison, the
tests below check what those tools need of the golden files themselves (YAML
front matter and block ids for Obsidian, the W3C JSON-LD structure, RFC 4180
CSV with Readwise's headers, brat standoff lines, a self-contained HTML page),
so a regenerated golden that breaks one of them fails.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from export_fixture import (
    ARTICLE_IDS,
    ARTICLE_NOTES,
    ARTICLE_TAGS,
    ARTICLES,
    CAFE,
    CREATOR,
    HARBOUR,
    build_library,
)
from markdown_it import MarkdownIt

from reader.core.entities import EntityService
from reader.core.export import FORMATS, Options, export, gather, needs_entities
from reader.core.labels import LABEL_GROUPS
from reader.core.library import LIBRARY_ENV, Library

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("REGEN_GOLDEN") == "1"

# name -> (format, files, csv layout, golden file or folder)
CASES: dict[str, tuple[str, bool, str, str]] = {
    "md-stream": ("md", False, "readwise", "notes.md"),
    "md-files": ("md", True, "readwise", "md"),
    "w3c": ("w3c", False, "readwise", "notes.w3c.jsonld"),
    "csv-readwise": ("csv", False, "readwise", "readwise.csv"),
    "csv-readwise-export": ("csv", False, "readwise-export", "readwise-export.csv"),
    "jsonl": ("jsonl", False, "readwise", "notes.jsonl"),
    "brat": ("brat", True, "readwise", "brat"),
    "html": ("html", True, "readwise", "html"),
}

ONTONOTES = {label for labels in LABEL_GROUPS.values() for label in labels}
READWISE_IMPORT = "Highlight,Title,Author,URL,Note,Location,Date"
READWISE_EXPORT = (
    "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,"
    "Location Type,Location,Highlighted at,Document tags"
)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return build_library(tmp_path_factory.mktemp("golden") / "library")


def options(library: Library, fmt: str, layout: str = "readwise") -> Options:
    """What ``reader export --creator "Test Reader"`` uses."""
    rules = tuple(library.rule_store().corrections()) if fmt == "w3c" else ()
    return Options(creator=CREATOR, csv_layout=layout, rules=rules)


def render(library: Library, case: str, query: str = "") -> dict[str, bytes]:
    """The export of a case as golden-relative path -> bytes."""
    fmt, files, layout, where = CASES[case]
    service = EntityService(rules=library.rule_store()) if needs_entities(fmt) else None
    items = gather(library, query, entities=needs_entities(fmt), service=service)
    result = export(fmt, items, options(library, fmt, layout), files=files)
    if isinstance(result, dict):
        return {f"{where}/{name}": text.encode("utf-8") for name, text in result.items()}
    return {where: result.encode("utf-8")}


def golden(case: str) -> dict[str, bytes]:
    """The golden files of a case, as :func:`render` gives them."""
    where = CASES[case][3]
    path = GOLDEN / where
    if path.is_dir():
        return {f"{where}/{p.name}": p.read_bytes() for p in sorted(path.iterdir())}
    return {where: path.read_bytes()} if path.exists() else {}


def write_golden(case: str, made: dict[str, bytes]) -> None:
    where = CASES[case][3]
    path = GOLDEN / where
    if CASES[case][1]:
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.iterdir():
            stale.unlink()
    for name, data in made.items():
        (GOLDEN / name).write_bytes(data)


def assert_same(made: dict[str, bytes], case: str) -> None:
    expected = golden(case)
    assert expected, f"no golden file for {case}: run with REGEN_GOLDEN=1"
    assert sorted(made) == sorted(expected)
    for name in expected:
        # Compared as text first for a readable diff, then as bytes (line ends).
        assert made[name].decode("utf-8") == expected[name].decode("utf-8"), name
        assert made[name] == expected[name], name


# --- the library functions ---------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_export_matches_golden(library: Library, case: str) -> None:
    made = render(library, case)
    if REGEN:
        write_golden(case, made)
    assert_same(made, case)


def test_html_stream_of_one_article_is_its_page(library: Library) -> None:
    (page,) = render(library, "html", f"article:{CAFE}").values()
    fmt, _, _, _ = CASES["html"]
    service = EntityService(rules=library.rule_store())
    items = gather(library, f"article:{CAFE}", entities=True, service=service)
    stream = export(fmt, items, options(library, fmt), files=False)
    assert stream.encode("utf-8") == page == (GOLDEN / "html" / f"{CAFE}.html").read_bytes()


def test_every_format_has_a_golden_case() -> None:
    assert {CASES[c][0] for c in CASES} == set(FORMATS)


# --- the command ------------------------------------------------------------------------


def run_reader(library: Library, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), *args],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("case", list(CASES))
def test_cli_export_matches_golden(library: Library, tmp_path: Path, case: str) -> None:
    fmt, files, layout, where = CASES[case]
    args = ["export", "--format", fmt, "--creator", CREATOR, "--csv-layout", layout]
    if files:
        out = tmp_path / "out"
        result = run_reader(library, tmp_path, *args, "--output", f"{out}/")
        assert result.returncode == 0, result.stderr.decode()
        assert result.stdout == b""
        made = {f"{where}/{p.name}": p.read_bytes() for p in sorted(out.iterdir())}
    else:
        result = run_reader(library, tmp_path, *args)
        assert result.returncode == 0, result.stderr.decode()
        made = {where: result.stdout}
    assert_same(made, case)


# --- what each target tool needs, checked on the golden files themselves ---------------


def _front_matter(text: str) -> tuple[dict, str]:
    assert text.startswith("---\n")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


OBSIDIAN_TAG = re.compile(r"^[\w/-]*[^\W\d][\w/-]*$")  # no spaces or punctuation; not all digits
BLOCK_ID = re.compile(r"^\^[A-Za-z0-9-]+$")


def test_markdown_files_are_obsidian_notes() -> None:
    for meta in ARTICLES:
        text = (GOLDEN / "md" / f"{meta.id}.md").read_text(encoding="utf-8")
        front, body = _front_matter(text)
        assert front["title"] == meta.title
        assert front.get("author", "") == meta.author
        assert front.get("source", "") == meta.source
        assert str(front["date"]) == meta.date
        assert tuple(front.get("tags", ())) == tuple(
            "-".join(t.split()) for t in ARTICLE_TAGS.get(meta.id, ())
        )
        for tag in front.get("tags", ()):
            assert OBSIDIAN_TAG.match(tag), f"not an Obsidian tag: {tag!r}"
        # Reader's part between its marker lines: HTML comments, which Markdown does not show.
        start = "<!-- reader: start (this part is rewritten by reader export) -->"
        end = "<!-- reader: end -->"
        assert body.startswith(f"\n{start}\n\n# {meta.title}\n")
        assert body.endswith(f"\n\n{end}\n")
        html = MarkdownIt("commonmark").render(body)
        assert html.startswith(f"{start}\n<h1>") and html.endswith(f">\n{end}\n")
        if meta.id in ARTICLE_NOTES:
            assert ARTICLE_NOTES[meta.id] in body


def test_markdown_quotes_have_block_ids_and_tags() -> None:
    """A quote's block id follows it after a blank line; tags are #single-words."""
    for name in ("notes.md", *(f"md/{m.id}.md" for m in ARTICLES)):
        lines = (GOLDEN / name).read_text(encoding="utf-8").splitlines()
        ids = [i for i, line in enumerate(lines) if line.startswith("^")]
        assert ids, name
        for i in ids:
            assert BLOCK_ID.match(lines[i]), lines[i]
            assert lines[i - 1] == "" and lines[i - 2].startswith(">"), (name, i)
        for line in lines:
            if line.startswith("#") and not line.startswith(("# ", "## ", "### ")):
                for tag in line.split():
                    assert OBSIDIAN_TAG.match(tag[1:]), f"{name}: not an Obsidian tag: {tag}"


def test_w3c_is_an_annotation_collection() -> None:
    data = json.loads((GOLDEN / "notes.w3c.jsonld").read_text(encoding="utf-8"))
    assert data["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    page = data["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    items = page["items"]
    assert data["total"] == len(items) == 15  # 1 article note, 12 spans, 1 correction, 1 rule
    purposes = set()
    for item in items:
        assert item["type"] == "Annotation"
        assert item["id"].startswith(("urn:uuid:", "urn:reader:"))
        assert item["motivation"] in {"commenting", "tagging", "highlighting", "classifying"}
        assert item["creator"] == {"type": "Person", "nickname": CREATOR}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["created"])
        for body in item.get("body", []):  # a bare highlight has no body
            assert body["type"] == "TextualBody" and isinstance(body["value"], str)
            purposes.add(body["purpose"])
        target = item["target"]
        assert target["type"] == "SpecificResource" and target["source"]
        selectors = target.get("selector")
        if isinstance(selectors, list):
            assert [s["type"] for s in selectors] == ["TextQuoteSelector", "TextPositionSelector"]
            assert 0 <= selectors[1]["start"] < selectors[1]["end"]
    assert purposes == {"tagging", "commenting", "classifying"}
    sources = {i["target"]["source"] for i in items}
    assert "https://news.example.com/2024/03/harbour-pier?ref=rss&lang=en" in sources
    assert f"urn:reader:article:{CAFE}" in sources  # a file is no web resource


def _csv(name: str) -> tuple[bytes, list[list[str]]]:
    raw = (GOLDEN / name).read_bytes()
    text = raw.decode("utf-8-sig")
    return raw, list(csv.reader(io.StringIO(text, newline=""), strict=True))


@pytest.mark.parametrize(
    ("name", "header", "columns"),
    [("readwise.csv", READWISE_IMPORT, 7), ("readwise-export.csv", READWISE_EXPORT, 11)],
)
def test_csv_is_rfc4180_with_readwise_columns(name: str, header: str, columns: int) -> None:
    raw, rows = _csv(name)
    assert raw.startswith(b"\xef\xbb\xbf" + header.encode() + b"\r\n")  # UTF-8's BOM, for Excel
    assert raw.endswith(b"\r\n")
    assert rows[0] == header.split(",")
    assert all(len(row) == columns for row in rows)
    assert len(rows) == 1 + 12
    quoted = [row for row in rows if row[0] == 'called the plan "rushed"']
    assert quoted and b'"called the plan ""rushed"""' in raw
    assert any("\n" in row[0] for row in rows)  # a highlight across a line break
    titles = {m.title for m in ARTICLES}
    assert {row[1] for row in rows[1:]} <= titles


def test_brat_standoff() -> None:
    for meta in ARTICLES:
        text = (GOLDEN / "brat" / f"{meta.id}.txt").read_text(encoding="utf-8")
        assert text == meta.text
        lines = (GOLDEN / "brat" / f"{meta.id}.ann").read_text(encoding="utf-8").splitlines()
        ids = set()
        for line in lines:
            if line.startswith("T"):
                tid, middle, shown = line.split("\t")
                kind, _, where = middle.partition(" ")
                assert re.fullmatch(r"[A-Za-z0-9_-]+", kind), line
                pieces = [tuple(map(int, p.split())) for p in where.split(";")]
                for start, end in pieces:
                    assert 0 <= start < end <= len(text)
                    assert "\n" not in text[start:end], line
                assert shown == " ".join(text[s:e] for s, e in pieces), line
                ids.add(tid)
            else:
                number, middle, note = line.split("\t")
                kind, target = middle.split(" ")
                assert re.fullmatch(r"#\d+", number) and kind == "AnnotatorNotes", line
                assert target in ids and note and "\n" not in note
    harbour = (GOLDEN / "brat" / f"{HARBOUR}.ann").read_text(encoding="utf-8")
    assert re.search(r"^T\d+\tpeople \d+ \d+;\d+ \d+\t", harbour, re.M)  # split at the line break
    assert re.search(r"^#\d+\tAnnotatorNotes T\d+\t", harbour, re.M)
    # annotation.conf declares exactly the types the .ann files use, and overlaps.
    used = {
        line.split("\t")[1].split(" ")[0]
        for ann in (GOLDEN / "brat").glob("*.ann")
        for line in ann.read_text(encoding="utf-8").splitlines()
        if line.startswith("T")
    }
    sections = re.split(
        r"^\[(\w+)\]$", (GOLDEN / "brat" / "annotation.conf").read_text(), flags=re.M
    )
    conf = dict(zip(sections[1::2], sections[2::2], strict=True))
    assert list(conf) == ["entities", "relations", "events", "attributes"]
    assert set(conf["entities"].split()) == used
    assert conf["relations"].strip().startswith("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if dict(attrs).get("id"):
            self.ids.add(dict(attrs)["id"])


def test_html_pages_are_self_contained() -> None:
    for meta in ARTICLES:
        source = (GOLDEN / "html" / f"{meta.id}.html").read_text(encoding="utf-8")
        page = _Page()
        page.feed(source)
        names = [tag for tag, _ in page.tags]
        assert "script" not in names and "<script" not in source.lower()
        assert not {"link", "img", "iframe", "object", "embed"} & set(names)
        assert "url(" not in source and "@import" not in source
        for tag, attrs in page.tags:
            assert not any(name.startswith("on") for name in attrs), tag
            for name in ("src", "href"):
                if name in attrs:
                    value = attrs[name] or ""
                    assert value.startswith("#") and value[1:] in page.ids, (tag, value)
            if tag == "mark":
                assert attrs["title"] in ONTONOTES
        assert f"<h1>{meta.title}</h1>".replace('"', "&quot;").replace("'", "&#x27;") in source


def test_html_note_references_that_meet_are_told_apart() -> None:
    """Two annotations ending at the same place: their references must not read as
    one number (notes 1 and 2 shown as a superscript "12")."""
    source = (GOLDEN / "html" / f"{HARBOUR}.html").read_text(encoding="utf-8")
    assert '<a href="#note-1">1</a></sup><sup class="ref"><a href="#note-2">' not in source


def test_article_ids_are_the_fixture_order(library: Library) -> None:
    assert tuple(library.article_ids()) == ARTICLE_IDS


def test_the_html_page_declares_the_article_language(tmp_path: Path) -> None:
    """Browsers and screen readers hyphenate and speak by lang: a French article's
    page says fr, not the en of every other page."""
    from reader.core.anchoring import new_annotation
    from reader.core.export import Options, export, gather
    from reader.core.library import Library
    from reader.core.models import ArticleDraft

    library = Library(tmp_path / "lib").ensure()
    text = (
        "Le gouvernement a annoncé mardi un nouveau plan pour les transports publics. "
        "Les syndicats ont salué une avancée, mais demandent des moyens supplémentaires "
        "pour les lignes de banlieue, où les retards se multiplient depuis l'hiver dernier."
    )
    article_id = library.add(ArticleDraft(text=text, title="Transports")).article_id
    library.store(article_id).save_annotation(new_annotation(text, 0, 15, ("politique",)))
    page = export("html", gather(library), Options(), files=False)
    assert '<html lang="fr">' in page
    # The real export path, which asks for entities: a French article has none
    # (no English guesses), and is exported all the same, in every format.
    from reader.core.export.run import run_export

    out = tmp_path / "out"
    out.mkdir()
    for fmt, where in (("html", "html/"), ("brat", "brat/"), ("jsonl", "notes.jsonl")):
        result = run_export(library, fmt, output=f"{out}/{where}")
        assert result.written, fmt
    (page_file,) = (out / "html").glob("*.html")
    assert '<html lang="fr">' in page_file.read_text(encoding="utf-8")
    assert '<mark class="ent' not in page_file.read_text(encoding="utf-8")
