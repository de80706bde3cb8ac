"""The ``reader`` command, run for real in a subprocess: data on stdout,
diagnostics on stderr, and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hand_edits import replace_by_hand

from reader.core.anchoring import new_annotation
from reader.core.library import LIBRARY_ENV, Library

SEED_TITLE_START = "Turkish drone strikes"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")  # never the real user's library
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(tmp_path / "lib"), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )


@pytest.fixture
def added(tmp_path, seed_path) -> str:
    """The seed added through the CLI; returns its id."""
    result = run(tmp_path, "add", str(seed_path))
    assert result.returncode == 0, result.stderr
    status, article_id, title = result.stdout.rstrip("\n").split("\t")
    assert status == "added"
    return article_id


def test_add_prints_status_id_and_title(tmp_path, seed_path):
    result = run(tmp_path, "add", str(seed_path))
    assert result.returncode == 0
    # stderr: the glued words the importer split, then the summary.
    assert result.stderr.splitlines() == [
        f"reader: {seed_path}: split 2 glued word(s): now.|Russia, belligerent|Russia",
        "reader: imported: 1 added",
    ]
    (line,) = result.stdout.splitlines()
    status, article_id, title = line.split("\t")
    assert status == "added"
    assert article_id.startswith("2020-03-01-")
    assert title.startswith(SEED_TITLE_START)
    assert (tmp_path / "lib" / "articles" / f"{article_id}.txt").is_file()


def test_add_twice_reports_a_duplicate(tmp_path, seed_path, added):
    result = run(tmp_path, "add", str(seed_path))
    assert result.returncode == 0
    assert result.stderr.splitlines()[-1] == "reader: imported: 1 duplicate"
    assert result.stdout.split("\t")[:2] == ["duplicate", added]


def test_add_missing_file_exits_1_with_one_line_naming_it(tmp_path):
    missing = tmp_path / "nowhere.txt"
    result = run(tmp_path, "add", str(missing))
    assert result.returncode == 1
    assert result.stdout == ""
    line, summary = result.stderr.splitlines()
    assert line == f"reader: {missing}: no such file"
    assert summary == "reader: imported: 1 failed"
    assert "Traceback" not in result.stderr


def test_add_keeps_going_after_a_bad_file(tmp_path, seed_path):
    result = run(tmp_path, "add", str(tmp_path / "nowhere.txt"), str(seed_path))
    assert result.returncode == 1
    assert result.stdout.startswith("added\t")
    errors = [line for line in result.stderr.splitlines() if "nowhere.txt" in line]
    assert errors == [f"reader: {tmp_path / 'nowhere.txt'}: no such file"]
    assert result.stderr.splitlines()[-1] == "reader: imported: 1 added, 1 failed"


def test_list_prints_one_tab_separated_line_per_article(tmp_path, added):
    result = run(tmp_path, "list")
    assert result.returncode == 0 and result.stderr == ""
    (line,) = result.stdout.splitlines()
    article_id, date, words, notes, title = line.split("\t")
    assert (article_id, date, notes) == (added, "2020-03-01", "0")
    assert int(words) > 500
    assert title.startswith(SEED_TITLE_START)


def test_list_of_an_empty_library_prints_nothing(tmp_path):
    (tmp_path / "lib").mkdir()
    result = run(tmp_path, "list")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize("command", [["list"], ["notes"], ["doctor"], ["export", "--format", "md"]])
def test_a_library_that_is_not_there_is_a_usage_error_and_is_not_made(tmp_path, command):
    """A mistyped --library used to list nothing and exit 0, having made the
    folders of a new, empty library there."""
    result = run(tmp_path, *command)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert f"there is no library at {tmp_path / 'lib'}" in line
    assert not (tmp_path / "lib").exists()
    # Named by $READER_LIBRARY too.
    env = {**os.environ, LIBRARY_ENV: str(tmp_path / "elsewhere")}
    result = subprocess.run(
        [sys.executable, "-m", "reader", *command], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "there is no library at" in result.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_add_makes_the_library_it_is_given(tmp_path, seed_path):
    assert run(tmp_path, "add", str(seed_path)).returncode == 0
    assert (tmp_path / "lib" / "articles").is_dir()


def test_a_query_that_matches_nothing_says_so_and_exits_1(tmp_path, added):
    for command in (["list"], ["list", "--json"], ["notes"], ["notes", "--json"]):
        result = run(tmp_path, *command, "nothing-like-this-anywhere")
        assert result.returncode == 1, (command, result.stderr)
        assert result.stdout == ""
        assert result.stderr.strip() in (
            "reader: no article matches the query",
            "reader: no note matches the query",
        ), command
    out = tmp_path / "kept.md"
    out.write_text("an earlier export")
    exported = run(tmp_path, "export", "--format", "md", "--output", str(out), "nothing-like-this")
    assert exported.returncode == 1 and exported.stdout == ""
    assert exported.stderr == "reader: no note matches the query: nothing exported\n"
    assert out.read_text() == "an earlier export"
    assert run(tmp_path, "list", "drone").returncode == 0
    listed = run(tmp_path, "list", "--json")
    assert listed.returncode == 0 and '"read":false' in listed.stdout


def test_list_reports_a_corrupt_store_on_stderr_only(tmp_path, added):
    store = tmp_path / "lib" / "annotations" / f"{added}.json"
    replace_by_hand(store, b"\xff garbage")
    result = run(tmp_path, "list")
    assert result.returncode == 0
    assert result.stdout.split("\t")[0] == added
    (line,) = result.stderr.splitlines()
    assert line.startswith("reader: ") and store.name in line


def _annotate(tmp_path: Path, article_id: str) -> None:
    library = Library(tmp_path / "lib")
    article, _ = library.load(article_id)
    start = article.text.index("Recep Tayyip Erdogan")
    annotation = new_annotation(
        article.text, start, start + 20, tags=("leader",), note="Turkey's president"
    )
    library.store(article_id).save_annotation(annotation)


def test_export_md_to_stdout(tmp_path, added):
    empty = run(tmp_path, "export", "--format", "md")
    assert (empty.returncode, empty.stdout, empty.stderr) == (0, "# Notes\n", "")
    _annotate(tmp_path, added)
    result = run(tmp_path, "export", "--format", "md")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "# Notes"
    assert "> Recep Tayyip Erdogan" in lines and "#leader" in lines
    assert "Turkey's president" in lines


def test_export_output_writes_the_file_and_says_so_on_stderr(tmp_path, added):
    _annotate(tmp_path, added)
    out = tmp_path / "notes.md"
    result = run(tmp_path, "export", "--output", str(out))
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"reader: wrote {out}"]
    stdout_export = run(tmp_path, "export").stdout
    assert out.read_text(encoding="utf-8") == stdout_export
    assert "> Recep Tayyip Erdogan" in stdout_export
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_only_one_article(tmp_path, added):
    _annotate(tmp_path, added)
    result = run(tmp_path, "export", "--article", added)
    assert result.returncode == 0
    assert f"- Article: {added}" in result.stdout.splitlines()


def test_export_of_an_unknown_article_is_a_usage_error(tmp_path, added):
    result = run(tmp_path, "export", "--article", "nope")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "no such article: nope" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_to_a_missing_folder_fails_with_one_line(tmp_path, added):
    """cli.py promises: bad input gives one line on stderr and a non-zero exit."""
    target = tmp_path / "no-such-folder" / "notes.md"
    result = run(tmp_path, "export", "--output", str(target))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no-such-folder" in result.stderr


def test_library_that_is_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "lib").write_text("not a folder")
    result = run(tmp_path, "list")
    assert result.returncode == 2
    assert result.stdout == ""
    assert str(tmp_path / "lib") in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command", [[], ["add"], ["list"], ["export"]], ids=["main", "add", "list", "export"]
)
def test_help_of_each_command_exits_0(tmp_path, command):
    result = run(tmp_path, *command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage:")
    assert result.stderr == ""
    assert not (tmp_path / "lib").exists()  # help creates no library


def test_find_entities_is_listed_and_its_old_name_index_still_runs_unlisted(tmp_path):
    listed = run(tmp_path, "--help").stdout
    assert "find-entities" in listed and " index " not in listed
    old = run(tmp_path, "index", "--help")
    assert old.returncode == 0, old.stderr
    assert "Find the entities of every article that lacks them" in old.stdout


def test_annotate_splits_tags_on_commas_and_keeps_newlines_plain(tmp_path, added):
    """Commas separate tags, as in the app's tag input (a tag holding a comma would
    split in every export that lists tags with commas), and a note typed in a
    shell or pasted from a Windows file keeps its lines without carriage returns.
    Tags that differ only in case are one tag, as first written."""
    result = run(
        tmp_path,
        "annotate",
        added,
        "--quote",
        "Recep Tayyip Erdogan",
        "--tag",
        "leader, Turkey",
        "--tag",
        "  civil   war ",
        "--tag",
        "leader",
        "--tag",
        "LEADER",
        "--note",
        "first line\r\nsecond\rthird",
    )
    assert result.returncode == 0, result.stderr
    (annotation,) = Library(tmp_path / "lib").load(added)[1]
    assert annotation.id == result.stdout.strip()
    assert annotation.tags == ("leader", "Turkey", "civil-war")  # typed: spaces a -
    assert annotation.note == "first line\nsecond\nthird"


def test_errors_are_one_line_with_a_non_zero_exit(tmp_path, added):
    """click's usage errors and the system's (a full disk on stdout) in one line each."""
    for args, code, start in (
        (["list", "--bogus"], 2, "reader: No such option '--bogus'"),
        (["annotate", "nope", "--quote", "x"], 2, "reader: no such article: nope"),
        (["export", "--format", "docx"], 2, "reader: Invalid value for '--format'"),
        # A query term that cannot match anything is an error, not an empty answer.
        (["list", "since:garbage"], 2, "reader: since:garbage is not a date"),
        (["notes", "label:nonsense"], 2, "reader: label:nonsense is not a label"),
        (["notes", "state:lost"], 2, "reader: state:lost is not a state"),
        (["export", "--since", "2024-13-45"], 2, "reader: since:2024-13-45 is not a date"),
    ):
        result = run(tmp_path, *args)
        assert result.returncode == code, args
        (line,) = result.stderr.splitlines()
        assert line.startswith(start), line
    with open("/dev/full", "w") as full:  # every write fails with ENOSPC
        result = subprocess.run(
            [sys.executable, "-m", "reader", "--library", str(tmp_path / "lib"), "list"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "reader: cannot write the output: No space left on device"
    ]


def test_export_to_a_fifo_writes_into_it_and_leaves_it_a_fifo(tmp_path, added):
    import stat
    import threading

    _annotate(tmp_path, added)
    fifo = tmp_path / "notes.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader_thread = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader_thread.start()
    result = run(tmp_path, "export", "--format", "md", "--output", str(fifo))
    reader_thread.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert b"> Recep Tayyip Erdogan" in received[0]


def test_annotate_says_when_the_quote_occurs_more_than_once(tmp_path, added):
    text = Library(tmp_path / "lib").load(added)[0].text
    times = text.count("Turkey")
    assert times > 2
    result = run(tmp_path, "annotate", added, "--quote", "Turkey", "--occurrence", "2")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"reader: the quote occurs {times} times; annotated occurrence 2 "
        "(choose another with --occurrence)"
    ]
    (annotation,) = Library(tmp_path / "lib").load(added)[1]
    assert annotation.start == text.index("Turkey", text.index("Turkey") + 1)
    empty = run(tmp_path, "annotate", added, "--quote", "")
    assert empty.returncode == 2
    assert empty.stderr.startswith("reader: the quote is empty")
    missing = run(tmp_path, "annotate", added, "--quote", "Lausanne")
    assert (missing.returncode, missing.stderr) == (1, f"reader: the quote is not in {added}\n")
    too_few = run(tmp_path, "annotate", added, "--quote", "Turkey", "--occurrence", "99")
    assert too_few.stderr == f"reader: the quote occurs fewer than 99 times in {added}\n"


def test_annotate_finds_a_quote_typed_in_another_unicode_form(tmp_path):
    """The text is NFC; a quote typed with a combining accent (NFD) is the same text."""
    page = tmp_path / "cafe.txt"
    page.write_text("Café owners\n\nThe café reopened on Monday.\n", encoding="utf-8")
    added = run(tmp_path, "add", str(page)).stdout.split("\t")[1]
    result = run(tmp_path, "annotate", added, "--quote", "cafe\u0301 reopened")
    assert result.returncode == 0, result.stderr
    (annotation,) = Library(tmp_path / "lib").load(added)[1]
    assert annotation.exact == "café reopened"
