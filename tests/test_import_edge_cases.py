"""Importer edge cases found by QA: impossible front matter values, an empty path,
Western text taken for another code page, byte order marks, brand names taken for
glued words, dates guessed from a page's text, and terminal escapes in HTML."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.core.importers import ImportFailed
from reader.core.importers.inputs import count_inputs, read_inputs
from reader.core.importers.parsing import parse_bytes, unexpected
from reader.core.importers.plaintext import mend_glued_words
from reader.core.library import LIBRARY_ENV
from reader.core.text import normalise

BODY = (
    "The council met on Monday to discuss the budget for the coming year and agreed to "
    "nothing at all, as usual, said a spokesman for the mayor."
)


def one(data: bytes, name: str, **kwargs) -> tuple:
    drafts, notes = parse_bytes(data, name, name, **kwargs)
    assert len(drafts) == 1, drafts
    return drafts[0], notes


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(tmp_path / "lib"), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


# --- 1. front matter yaml cannot construct; nothing crashes a batch ---------------------------


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("date: 2023-02-29", ""),  # no such day: dropped, not made up
        ("date: 2024-01-01 25:00:00", "2024-01-01"),  # no such hour: the day is kept
        ('n: !!int "abc"\ndate: 2022-05-06', "2022-05-06"),
        ("date: 2021-07-08", "2021-07-08"),
    ],
    ids=["feb-29", "hour-25", "bad-int", "good"],
)
def test_front_matter_with_impossible_values_still_imports(line, date):
    data = f"---\ntitle: A title\nauthor: Ann Lee\n{line}\n---\n\n{BODY}\n".encode()
    draft, _ = one(data, "a.md")
    assert (draft.title, draft.author, draft.date) == ("A title", "Ann Lee", date)
    assert draft.text == BODY


def test_front_matter_that_is_not_yaml_still_fails_in_one_line():
    with pytest.raises(ImportFailed) as caught:
        parse_bytes(b"---\ntitle: [unclosed\n---\n\nBody.\n", "a.md", "a.md")
    assert "front matter is not valid YAML" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_inputs_that_crashed_a_parser_are_each_one_result_in_a_folder_batch(tmp_path):
    """Each of these raised past the importers (ValueError, AssertionError,
    RecursionError) and lost the whole batch."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a_bad_date.md").write_text(f"---\ntitle: Bad\ndate: 2023-02-29\n---\n\n{BODY}\n")
    (folder / "b_feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Odd</title><description>&lt;html&gt;</description></item>"
        f"<item><title>Fine</title><description>{BODY}</description></item>"
        "</channel></rss>"
    )
    (folder / "c_page.html").write_text(
        "<html><head><title>Deep</title><script type='application/ld+json'>"
        + "[" * 100_000
        + f"</script></head><body><article><p>{BODY}</p></article></body></html>"
    )
    (folder / "d_good.txt").write_text(BODY + "\n")
    results = list(read_inputs([str(folder)]))
    assert [Path(r.source).name for r in results] == [
        "a_bad_date.md",
        "b_feed.xml",
        "c_page.html",
        "d_good.txt",
    ]
    assert [r.error for r in results] == ["", "", "", ""]
    assert [[d.text for d in r.drafts] for r in results] == [[BODY]] * 4


def test_an_unexpected_error_is_reported_in_one_line_with_its_type():
    error = RuntimeError("line one\nline two \x1b[31mred\x1b[0m")
    message = unexpected("x.md", error)
    assert message.startswith(
        "x.md: not imported: an error in reader itself (RuntimeError: line one line two red; "
        "the details are in "
    )
    assert "\n" not in message and "\x1b" not in message


def test_bad_front_matter_in_a_folder_does_not_stop_the_cli_batch(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "bad.md").write_text(f"---\ntitle: Bad\ndate: 2023-02-29\n---\n\n{BODY}\n")
    (folder / "good.txt").write_text("Another article, about the harbour wall and its repair.\n")
    done = run_cli(tmp_path, "add", "--dry-run", "--json", str(folder))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["title"], r["date"]) for r in records] == [
        ("Bad", ""),
        ("Another article, about the harbour wall and its repair", ""),
    ]


# --- 2. an empty path ----------------------------------------------------------------------


def test_an_empty_path_is_an_error_not_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "article.txt").write_text(BODY + "\n")
    monkeypatch.chdir(tmp_path)
    results = list(read_inputs(["", str(tmp_path / "article.txt")]))
    assert [(r.error, len(r.drafts)) for r in results] == [("empty path", 0), ("", 1)]
    assert count_inputs(["", str(tmp_path / "article.txt")]) == 2


def test_cli_add_of_an_empty_path_fails_and_imports_nothing(tmp_path):
    (tmp_path / "article.txt").write_text(BODY + "\n")
    done = run_cli(tmp_path, "add", "--dry-run", "--json", "")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "reader: empty path" in done.stderr.splitlines()


# --- 3. Western text is cp1252; other scripts are still detected ------------------------------


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (
            "Café owners in Zürich said José Müller, président of the association, was pleased.\n",
            "cp1252",
        ),
        (
            "Le maître a déjà payé à la fête; l'élève était très ému, à Genève.\n",
            "cp1252",
        ),
        ("Die Grüße aus München waren herzlich, sagte Frau Köhler in Straßburg.\n", "cp1252"),
        ("El señor Muñoz llegó tarde a la reunión en España.\n", "cp1252"),
        (
            "Жители города собрались на площади, чтобы обсудить новый бюджет и планы на "
            "следующий год.\n",
            "cp1251",
        ),
        ("Москва заявила о новых санкциях.\n", "cp1251"),
        ("Οι κάτοικοι της πόλης συγκεντρώθηκαν στην πλατεία.\n", "cp1253"),
    ],
    ids=["cafe-zurich", "french", "german", "spanish", "russian", "russian-short", "greek"],
)
def test_legacy_code_pages_are_decoded_right(text, encoding):
    draft, notes = one(text.encode(encoding), "old.txt")
    assert draft.text == text.strip()
    assert notes == [f"old.txt: not UTF-8; decoded as {encoding}"]


def test_the_qa_example_bytes_are_western():
    data = (
        b"Caf\xe9 owners in Z\xfcrich said Jos\xe9 M\xfcller, pr\xe9sident of the "
        b"association, was pleased.\n"
    )
    draft, notes = one(data, "cafe.txt")
    assert draft.text.startswith("Café owners in Zürich said José Müller, président")
    assert notes == ["cafe.txt: not UTF-8; decoded as cp1252"]


# --- 4. byte order marks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf_16_le", b"\xff\xfe"),
        ("utf_16_be", b"\xfe\xff"),
        ("utf_32_le", b"\xff\xfe\x00\x00"),
        ("utf_32_be", b"\x00\x00\xfe\xff"),
    ],
)
def test_utf16_and_utf32_with_a_bom_are_text(tmp_path, encoding, bom):
    text = "Café owners in Zürich met the mayor, who said “no” to the plan.\n\nΩ and Ж too."
    data = bom + text.encode(encoding)
    draft, notes = one(data, "wide.txt")
    assert draft.text == text
    assert notes == [f"wide.txt: not UTF-8; decoded as {encoding} (byte order mark)"]
    # A folder member too: not skipped as binary.
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "wide.txt").write_bytes(data)
    (result,) = read_inputs([str(folder)])
    assert (result.error, result.skipped) == ("", "")
    assert [d.text for d in result.drafts] == [text]


def test_a_utf16_html_page_is_parsed_as_html():
    page = f"<html><head><title>Wide page</title></head><body><article><p>{BODY}</p></article>"
    draft, _ = one(b"\xff\xfe" + (page + "</body></html>").encode("utf_16_le"), "p.html")
    assert (draft.format, draft.title, draft.text) == ("html", "Wide page", BODY)


def test_a_utf8_bom_is_dropped_even_against_a_declared_charset():
    data = "\ufeffCafé au lait, said the man from Zürich.".encode()
    draft, notes = one(data, "page.txt", declared_charset="iso-8859-1")
    assert draft.text == "Café au lait, said the man from Zürich."
    assert notes == []


def test_a_broken_utf16_file_fails_in_one_line():
    with pytest.raises(ImportFailed) as caught:
        parse_bytes(b"\xff\xfe" + "Some text".encode("utf_16_le") + b"\x00\xd8", "w.txt", "w.txt")
    assert str(caught.value).startswith("w.txt: not valid utf_16_le")


# --- 5. glued words and brand names --------------------------------------------------------


def test_brand_names_are_not_split_but_glued_words_are():
    raw = (
        "Passengers flew easyJet, JetBlue and airBaltic, bought an iPhone on eBay and a "
        "jetBlue ticket. Officials sounded belligerentRussia says. He left right now.Russia "
        "cites the treaty."
    )
    text, mended = mend_glued_words(raw)
    assert mended == [("belligerent", "Russia"), ("now.", "Russia")]
    for name in ("easyJet", "JetBlue", "airBaltic", "iPhone", "eBay", "jetBlue"):
        assert f" {name} " in text or f" {name}," in text or f" {name}." in text, name
    assert "belligerent\nRussia says" in text and "now.\nRussia cites" in text


def test_a_mixed_case_name_the_text_repeats_is_a_name():
    text, mended = mend_glued_words("We booked easyHostel rooms. Later easyHostel called back.")
    assert mended == []
    assert text.count("easyHostel") == 2


# --- 6. HTML dates only from what the page declares ------------------------------------------


def _page(head: str = "", body_extra: str = "") -> bytes:
    return (
        f"<html><head><title>A page</title>{head}</head><body><article><p>{BODY}</p>"
        f"{body_extra}</article><footer>&copy; 2023 Example News</footer></body></html>"
    ).encode()


def test_a_page_without_date_metadata_gets_no_date():
    draft, _ = one(_page(body_extra="<p>They plan to meet again in 2025.</p>"), "p.html")
    assert draft.date == ""


@pytest.mark.parametrize(
    ("head", "body_extra", "date"),
    [
        (
            "<meta property='article:published_time' content='2022-06-07T10:00:00Z'>",
            "",
            "2022-06-07",
        ),
        (
            "<script type='application/ld+json'>"
            '{"@type": "NewsArticle", "datePublished": "2021-09-10T08:00:00Z"}</script>',
            "",
            "2021-09-10",
        ),
        ("", "<p>By Ann, <time datetime='2020-02-03'>3 February</time></p>", "2020-02-03"),
    ],
    ids=["meta", "json-ld", "time"],
)
def test_a_page_with_a_declared_date_keeps_it(head, body_extra, date):
    draft, _ = one(_page(head, body_extra), "p.html")
    assert draft.date == date


# --- 7. terminal escapes in HTML -------------------------------------------------------------


def test_escape_sequences_in_html_go_whole_and_markup_text_stays():
    page = (
        b"<html><head><title>\x1b[31mEvil\x1b[0m [bold]title[/bold]</title>"
        b"<meta name='author' content='\x1b[1mAnn\x1b[0m Lee'></head><body><article>"
        b"<p>The council met to discuss the \x1b[5mblinking\x1b[0m budget and a "
        b"\x1b]8;;http://x\x07linked text\x1b]8;;\x07 for the coming year, and agreed to "
        b"nothing at all, as usual, said a \x1bNew York spokesman for the mayor.</p>"
        b"</article></body></html>"
    )
    draft, _ = one(page, "p.html")
    assert draft.title == "Evil [bold]title[/bold]"
    assert draft.author == "Ann Lee"
    assert "the blinking budget and a linked text for the coming year" in draft.text
    assert "a New York spokesman" in draft.text
    for fragment in ("[31m", "[0m", "[5m", "[1m", "]8;;", "http://x", "\x1b"):
        assert fragment not in draft.text + draft.title + draft.author, fragment


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1bNew York", "New York"),
        ("said \x1bMary", "said Mary"),
        ("\x1bI think", "I think"),
        ("up\x1bM\x1b[K there", "up there"),
        ("\x1b(B\x1b[m plain", "plain"),
        ("\x1b7saved\x1b8", "saved"),
        ("x\x1bP1$r\x1b\\y", "xy"),
    ],
)
def test_a_stray_escape_before_a_word_keeps_the_word(raw, clean):
    assert normalise(raw) == clean
