"""Property tests of the importers on hostile input: random bytes, text full of
terminal controls and Rich markup, and valid fixtures cut at a random point.

Whatever comes in, the only exception is ImportFailed (with a one-line reason),
and no draft's text or title keeps a control or format character (Unicode
categories Cc and Cf) other than the newline: in particular no ESC, so nothing
imported can drive the terminal.
"""

from __future__ import annotations

import json
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.importers import ImportBug, ImportFailed
from reader.core.importers.inputs import read_inputs
from reader.core.importers.parsing import parse_bytes
from reader.core.models import ArticleDraft

FIXTURES = Path(__file__).parent / "fixtures" / "import"
NAMES = ("article.txt", "article.md", "page.html", "feed.xml")

FUZZ = settings(
    max_examples=60,
    deadline=None,  # trafilatura's first call loads a lot
    database=None,  # nothing written into the repository
    derandomize=True,  # the same examples on every run: failures are not flaky
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)

# Pieces a hostile or careless source really contains.
ESCAPES = [
    "\x1b[31m",
    "\x1b[0m",
    "\x1b[2J",
    "\x1b[?1049h",
    "\x1b]0;title\x07",
    "\x1b]8;;http://x\x1b\\",
    "\x1bP1$r\x1b\\",
    "\x1b(0",
    "\x1bc",
    "\x1b",
    "\x9b31m",
    "\x9d0;t\x9c",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\r",
    "\r\n",
    "\t",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
]
BIDI = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
]
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\u2061",
    "\u2064",
    "\u00ad",
    "\ufeff",
    "\ufff9",
    "\U000e0001",
    "\U000e0041",
    "\u180e",
    "\u0600",
    "\u206a",
]
MARKUP = [
    "[bold red]x[/]",
    "[/]",
    "[link=https://evil.example]click[/link]",
    "[red]",
    "[@click=quit]",
    ":smile:",
    "\\[not markup]",
]
STRUCTURE = [
    "\n",
    "\n\n",
    "# ",
    "## ",
    "---\n",
    "- ",
    "date 2020-01-01 Posted on by ",
    "<p>",
    "</p>",
    "<title>",
    "<h1>",
    "&#27;",
    "&#x202e;",
    "&#8238;",
]
WORDS = [
    "The",
    "council",
    "met",
    "on",
    "Monday.",
    "right",
    "now.Russia",
    "belligerentRussia",
    "iPhone",
    "McDonald",
    "café",
    "naïve",
    "Ωμέγα",
    "日本語",
    "🔥",
    " ",
    " ",
    " ",
]

# NUL makes any input "binary" (refused whole): the random-bytes tests cover it, and
# here it would hide everything else.
ANY_CHARACTER = st.characters(codec="utf-8", exclude_characters="\x00")


def _with_words(piece: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A piece, then a word: text that stays text (not "binary": >10% control bytes)."""
    return st.tuples(piece, st.sampled_from(WORDS), st.just(" ")).map("".join)


hostile_text = st.lists(
    _with_words(
        st.one_of(
            st.sampled_from(ESCAPES),
            st.sampled_from(BIDI),
            st.sampled_from(INVISIBLE),
            st.sampled_from(MARKUP),
            st.sampled_from(STRUCTURE),
            ANY_CHARACTER,
            st.text(ANY_CHARACTER, max_size=12),
        )
    ),
    max_size=40,
).map("".join)

terminal_text = st.lists(
    _with_words(
        st.one_of(
            st.sampled_from(ESCAPES),
            st.sampled_from(BIDI[:9]),
            st.sampled_from(MARKUP),
            st.sampled_from(STRUCTURE),
            st.characters(categories=["Cc"], exclude_characters="\x00"),
        )
    ),
    min_size=1,
    max_size=30,
).map("".join)


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


CUTTABLE = {
    name: _fixture(name)
    for name in (
        "news_page.html",
        "js_shell.html",
        "feed_rss.xml",
        "feed_atom.xml",
        "front_matter.md",
        "no_front_matter.md",
        "seed_format.txt",
    )
}


@st.composite
def truncated(draw: st.DrawFn) -> tuple[bytes, str]:
    """A valid fixture cut at a random point, under its own name or another."""
    name = draw(st.sampled_from(sorted(CUTTABLE)))
    data = CUTTABLE[name]
    cut = draw(st.integers(min_value=0, max_value=len(data)))
    as_name = draw(st.sampled_from((name, *NAMES)))
    return data[:cut], as_name


# --- the properties --------------------------------------------------------------------------


# Newlines, and the zero-width (non-)joiners Persian, Indic scripts and emoji need.
ALLOWED = {"\n", "\u200c", "\u200d"}


def bad_characters(value: str) -> list[str]:
    return [
        f"U+{ord(c):04X} ({unicodedata.category(c)})"
        for c in value
        if c not in ALLOWED and unicodedata.category(c) in {"Cc", "Cf"}
    ]


def check_draft(draft: ArticleDraft) -> None:
    assert isinstance(draft, ArticleDraft)
    assert draft.text.strip(), "a draft without text"
    for field in ("text", "title"):
        value = getattr(draft, field)
        assert "\x1b" not in value, f"ESC survives in the {field}: {value!r}"
        assert bad_characters(value) == [], f"{field} keeps {bad_characters(value)}: {value!r}"


def check_message(message: str) -> None:
    assert message, "an empty reason"
    assert len(message.splitlines()) == 1, f"reason over several lines: {message!r}"
    assert "\x1b" not in message, f"ESC in the reason: {message!r}"


def check_parse(data: bytes, name: str) -> None:
    """parse_bytes: drafts that pass check_draft, or ImportFailed; nothing else."""
    try:
        drafts, notes = parse_bytes(data, name, name)
    except ImportBug as error:  # reader's own error, not the input's: a bug to fix
        raise AssertionError(f"a bug in reader, not bad input: {error}") from error
    except ImportFailed as error:
        check_message(str(error))
        return
    assert drafts, "no drafts and no ImportFailed"
    for draft in drafts:
        check_draft(draft)
    for note in notes:
        check_message(note)


def check_read_inputs(data: bytes, name: str) -> None:
    """read_inputs on the bytes written to a file, named alone and inside a folder."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "inbox"
        folder.mkdir()
        path = folder / name
        path.write_bytes(data)
        for inputs in ([str(path)], [str(folder)]):
            results = list(read_inputs(inputs))
            assert len(results) == 1, results
            (result,) = results
            assert not result.bug, f"a bug in reader, not bad input: {result.error}"
            if result.error:
                assert not result.drafts
                check_message(result.error)
            elif result.skipped:
                assert not result.drafts and inputs == [str(folder)]
            else:
                assert result.drafts
            for draft in result.drafts:
                check_draft(draft)
            for note in result.notes:
                check_message(note)


# --- the tests -------------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=2048), name=st.sampled_from(NAMES))
def test_random_bytes(data: bytes, name: str) -> None:
    check_parse(data, name)


@FUZZ
@given(
    data=st.binary(max_size=512).map(lambda b: b.replace(b"\x00", b"")),
    prefix=st.sampled_from([b"", b"<html><body><p>", b"<rss><channel><item><title>", b"---\n"]),
    name=st.sampled_from(NAMES),
)
def test_random_bytes_behind_a_format_prefix(data: bytes, prefix: bytes, name: str) -> None:
    check_parse(prefix + data, name)


@FUZZ
@given(text=hostile_text, name=st.sampled_from(NAMES))
def test_hostile_unicode_text(text: str, name: str) -> None:
    check_parse(text.encode("utf-8"), name)


def _html(t: str) -> str:
    return (
        f"<html><head><title>{t}</title><meta name='author' content='{t}'></head><body>"
        f"<article><h1>{t}</h1><p>{t} The council met on Monday to discuss the budget for the "
        "coming year and agreed to nothing at all, as usual, said a spokesman.</p></article>"
        "</body></html>"
    )


def _rss(t: str) -> str:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{t}</title><item>'
        f"<title>{t}</title><author>{t}</author><description>{t} text</description>"
        "</item></channel></rss>"
    )


WRAPPERS = {
    "bare": lambda t: t,
    "html": _html,
    "rss": _rss,
    # JSON strings are YAML double-quoted strings: "\u001b" is an ESC again.
    "markdown": lambda t: f"---\ntitle: {json.dumps(t)}\n---\n\n{t} body\n",
    "markdown-heading": lambda t: f"# {t}\n\n{t} body\n",
    "seed-header": lambda t: f" date 2020-01-01 Posted on by {t}\n\n{t} body text.\n",
}


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
@settings(FUZZ, max_examples=25)
@given(text=terminal_text, name=st.sampled_from(NAMES))
def test_terminal_controls_never_survive(wrapper: str, text: str, name: str) -> None:
    """C0/C1 controls, ESC sequences and bidi overrides, put where each format keeps
    its text and title: the terminal-safety core."""
    check_parse(WRAPPERS[wrapper](text).encode("utf-8"), name)


@FUZZ
@given(text=hostile_text, wrapper=st.sampled_from(sorted(WRAPPERS)), name=st.sampled_from(NAMES))
def test_hostile_text_in_every_format(text: str, wrapper: str, name: str) -> None:
    check_parse(WRAPPERS[wrapper](text).encode("utf-8"), name)


@FUZZ
@given(case=truncated())
def test_truncated_fixtures(case: tuple[bytes, str]) -> None:
    check_parse(*case)


@settings(FUZZ, max_examples=30)
@given(data=st.one_of(truncated(), st.tuples(hostile_text.map(str.encode), st.sampled_from(NAMES))))
def test_read_inputs_on_files(data: tuple[bytes, str]) -> None:
    check_read_inputs(*data)


@settings(FUZZ, max_examples=20)
@given(data=st.binary(max_size=1024), name=st.sampled_from((*NAMES, "NOEXT", "x.css", "x.js")))
def test_read_inputs_on_random_byte_files(data: bytes, name: str) -> None:
    check_read_inputs(data, name)


# --- reader's own errors are told from bad input (issue 13) ----------------------------------


def test_an_error_in_reader_is_a_bug_not_bad_input(tmp_path: Path, monkeypatch) -> None:
    """An importer's own crash used to read as "cannot import" like a bad file,
    so the fuzz tests above could not catch it: it is an ImportBug now, said as
    reader's error, with its traceback in the log, and the batch goes on."""
    import reader.core.importers.plaintext as plaintext
    from reader.core.importing import ImportRun
    from reader.core.library import Library

    log = tmp_path / "reader.log"
    monkeypatch.setenv("READER_LOG", str(log))

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("injected: an importer's bug")

    monkeypatch.setattr(plaintext, "parse_plaintext", broken)
    try:
        parse_bytes(b"A title\n\nSome text of an article.\n", "a.txt", "a.txt")
    except ImportBug as error:
        assert "an error in reader itself" in str(error) and str(log) in str(error)
    else:
        raise AssertionError("no ImportBug")
    (tmp_path / "a.txt").write_text("A title\n\nSome text of an article.\n")
    (tmp_path / "b.md").write_text("# Another\n\nMarkdown text of an article.\n")
    results = list(read_inputs([str(tmp_path / "a.txt"), str(tmp_path / "b.md")]))
    assert [r.bug for r in results] == [True, False]
    assert results[1].drafts  # the batch went on
    run = ImportRun(Library(tmp_path / "lib").ensure())
    for result in results:
        run.take(result)
    run.flush()
    assert (run.bugs, run.counts["failed"], run.counts["added"]) == (1, 1, 1)
    logged = log.read_text()
    assert (
        "Traceback (most recent call last):" in logged and "injected: an importer's bug" in logged
    )


def test_a_command_that_fails_in_reader_says_so_in_one_line_and_exits_70(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    library = tmp_path / "lib"
    (library / "articles").mkdir(parents=True)
    log = tmp_path / "reader.log"
    script = (
        "import reader.core.catalog_queries as q\n"
        "def broken(*args, **kwargs): raise ZeroDivisionError('injected')\n"
        "q.CatalogQueries.listing_bytes = broken\n"
        "from reader.cli import main\n"
        f"main(['--library', {str(library)!r}, 'list'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        env={**os.environ, "READER_LOG": str(log)}, check=False,
    )  # fmt: skip
    assert result.returncode == 70, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("reader: an error in reader itself (ZeroDivisionError: injected)")
    assert str(log) in line
    assert "ZeroDivisionError: injected" in log.read_text()
