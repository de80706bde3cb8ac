"""Text from files people and other tools edit (stores, article texts, notes
exported by someone else) is data: never markup, and never an escape sequence
on the terminal, whichever command or widget shows it (issue 10, findings 1-2).

Each library here is made by reader, then edited by hand as a git merge or an
editor would (a file renamed over the old one): a title, tags, a note and an
annotation holding Rich/Textual markup and terminal escapes (OSC 0 sets the
window title, OSC 52 writes the clipboard, CSI colours), and the article's text
holding escapes too. The CLI runs as a process; the app under Pilot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hand_edits import replace_by_hand
from textual.pilot import Pilot
from textual.widgets import Static

from reader.core.anchoring import new_annotation
from reader.core.entities import EntityService
from reader.core.library import LIBRARY_ENV, Library
from reader.core.models import ArticleDraft
from reader.tui.app import ReaderApp
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.library import LibraryScreen

TEXT = (
    "The minister resigned on Friday after the vote.\n\n"
    "Opposition leaders welcomed the decision and called for elections."
)
QUOTE = "The minister resigned"
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
CSI_RED = "\x1b[31m"
C1_CSI = "\x9b31m"  # the 8-bit CSI
TITLE = f"Minister [bold red]quits[/] {OSC_TITLE}over vote"
ARTICLE_TAGS = ["[/]", f"{CSI_RED}red", "[@click=app.quit]quit[/]"]
ARTICLE_NOTE = f"Watch this {OSC_CLIPBOARD}[/bold] closely"
NOTE_TAGS = [f"tag{C1_CSI}", "[b]bold[/b]"]
NOTE = f"[@click=app.quit]click[/] {OSC_TITLE}here"
# What each shows once cleaned: the markup literally, the escapes gone.
SHOWN_TITLE = "Minister [bold red]quits[/] over vote"
SHOWN_TAGS = ["[/]", "red", "[@click=app.quit]quit[/]"]
ESCAPES = ("\x1b", "\x9b", "\x07")


def hostile_library(tmp_path: Path) -> tuple[Library, str]:
    """One article, with an annotation, whose files were then edited by hand."""
    library = Library(tmp_path / "lib").ensure()
    (result,) = library.add_many([ArticleDraft(text=TEXT, title="Plain", date="2024-05-03")])
    article_id = result.article_id
    library.store(article_id).save_annotation(
        new_annotation(TEXT, 0, len(QUOTE), ("plain",), "plain")
    )
    library.list_articles()  # an index, as in use

    path = library.store(article_id).path
    data = json.loads(path.read_bytes())
    record = data["meta"]["1"]["article"]
    record.update(title=TITLE, tags=ARTICLE_TAGS, note=ARTICLE_NOTE)
    (annotation,) = data["annotations"].values()
    annotation.update(tags=NOTE_TAGS, note=NOTE)
    replace_by_hand(path, json.dumps(data).encode())
    text = Path(library.text_path(article_id))
    replace_by_hand(text, text.read_bytes().replace(b"Friday", f"Friday{OSC_TITLE}".encode()))
    return library, article_id


def run(library: Library, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), *args],
        capture_output=True,
        env=env,
        timeout=60,
    )


def no_escapes(output: bytes) -> bool:
    return b"\x1b" not in output and b"\x07" not in output and b"\xc2\x9b" not in output


def test_the_command_line_prints_hand_edited_text_without_escapes(tmp_path: Path) -> None:
    library, article_id = hostile_library(tmp_path)
    for args in (
        ["list"],
        ["list", "--json"],
        ["list", "tag:red"],
        ["notes"],
        ["notes", "--json"],
        ["doctor"],
        ["export", "--format", "md"],
        ["export", "--format", "csv"],
        ["export", "--format", "w3c"],
    ):
        done = run(library, *args)
        assert no_escapes(done.stdout), (args, done.stdout)
        assert no_escapes(done.stderr), (args, done.stderr)
        assert b"Traceback" not in done.stderr, (args, done.stderr)
    listed = run(library, "list").stdout.decode()
    assert listed.split("\t")[0] == article_id
    assert listed.rstrip("\n").split("\t")[4] == SHOWN_TITLE
    (record,) = [json.loads(line) for line in run(library, "list", "--json").stdout.splitlines()]
    assert record["title"] == SHOWN_TITLE and record["tags"] == SHOWN_TAGS
    notes = run(library, "notes").stdout.decode().splitlines()
    assert notes[0].split("\t")[3] == " ".join(f"#{t}" for t in SHOWN_TAGS)
    assert notes[1].split("\t")[3:] == [
        "#tag #[b]bold[/b]",
        QUOTE,
        "[@click=app.quit]click[/] here",
    ]


def test_a_hand_edited_text_is_shown_without_its_escapes(tmp_path: Path) -> None:
    library, article_id = hostile_library(tmp_path)
    article, annotations = Library(library.root).load(article_id)
    assert "Friday after" in article.text and not any(e in article.text for e in ESCAPES)
    (annotation,) = annotations
    assert annotation.state == "anchored" and annotation.exact == QUOTE
    assert annotation.note == "[@click=app.quit]click[/] here"


def test_import_notes_stores_no_escapes(tmp_path: Path) -> None:
    """Notes exported by someone else: cleaned on the way in (the store's bytes)."""
    library = Library(tmp_path / "lib").ensure()
    (result,) = library.add_many([ArticleDraft(text=TEXT, title="Plain", date="2024-05-03")])
    exported = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "items": [
            {
                "type": "Annotation",
                "id": "urn:uuid:6f0c3a52-1111-4c4c-9c9c-000000000001",
                "created": f"2024-05-03T10:00:00Z{OSC_TITLE}",
                "body": [
                    {"type": "TextualBody", "purpose": "tagging", "value": f"tag{OSC_CLIPBOARD}"},
                    {"type": "TextualBody", "purpose": "commenting", "value": f"a{CSI_RED} note"},
                ],
                "target": {
                    "reader:article": result.article_id,
                    "selector": [{"type": "TextQuoteSelector", "exact": QUOTE}],
                },
            }
        ],
    }
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(exported))
    done = run(library, "import-notes", str(path))
    assert done.returncode == 0, done.stderr
    stored = library.store(result.article_id).path.read_text()
    assert not any(f"\\u{ord(e):04x}" in stored.lower() or e in stored for e in ESCAPES), stored
    (annotation,) = Library(library.root).load(result.article_id)[1]
    assert annotation.tags == ("tag",) and annotation.note == "a note"


# --- the app ---------------------------------------------------------------------------------


def new_app(library: Library) -> ReaderApp:
    return ReaderApp(Library(library.root), EntityService(packages=("no_such_model_pkg",)))


def painted(app: ReaderApp) -> str:
    """The whole screen's text as the app paints it (after its line filters), as
    Textual's own screenshot renders it: every widget, toast and dialog on it."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True, record=True
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=False)


async def listed(app: ReaderApp, pilot: Pilot) -> LibraryScreen:
    """The library screen once it lists the library (a generous deadline)."""
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    for _ in range(400):
        if (
            screen.shown_generation
            and screen.article_list.ids
            and screen.article_list.highlighted is not None
            and not any(w.is_running for w in app.workers)
        ):
            return screen
        await pilot.pause(0.05)
    raise AssertionError("the library was never listed")


async def open_first(app: ReaderApp, pilot: Pilot) -> ArticleScreen:
    """enter on the highlighted (first) article, and its screen once it is shown."""
    await pilot.press("enter")
    for _ in range(400):
        if isinstance(app.screen, ArticleScreen):
            break
        await pilot.pause(0.05)
    article = app.screen
    assert isinstance(article, ArticleScreen)
    await article.workers.wait_for_complete()
    await pilot.pause(0.2)
    return article


async def test_the_app_shows_markup_literally_and_no_escapes(tmp_path: Path) -> None:
    library, article_id = hostile_library(tmp_path)
    app = new_app(library)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        screen = await listed(app, pilot)
        row = screen.article_list.line_text(screen.article_list.row(screen.article_list.ids[0]))
        assert SHOWN_TITLE[:40] in row and not any(e in row for e in ESCAPES), row

        # A toast quoting stored text: shown as written, the app still running.
        app.notify(f"Undone: tag of “{ARTICLE_NOTE}”")
        app.notify(f"Unreadable store {TITLE}", title=f"[@click=app.quit]{OSC_TITLE}")
        await pilot.pause(0.2)
        assert app.is_running
        shown = painted(app)
        assert "Undone: tag of “Watch this [/bold] closely”" in shown, shown
        assert "[@click=app.quit]" in shown and SHOWN_TITLE[:40] in shown, shown
        assert not any(e in shown for e in ESCAPES), repr(shown)

        article = await open_first(app, pilot)
        title = str(article.query_one("#article-title", Static).render())
        assert SHOWN_TITLE in title, title
        shown = painted(app)
        assert "Friday after the vote" in shown and "[/]" in shown, shown
        assert "[@click=app.quit]click[/]" in shown, shown  # the annotation in the panel
        assert not any(e in shown for e in ESCAPES), repr(shown)

        # T: the dialog quotes the title (markup and all) and shows the article's tags.
        await pilot.press("T")
        await pilot.pause(0.3)
        shown = painted(app)
        assert SHOWN_TITLE[:30] in shown, shown
        assert not any(e in shown for e in ESCAPES), repr(shown)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ArticleScreen)

        # The Notes screen: every note, its tags and quote, as written.
        await pilot.press("q")
        await pilot.pause(0.3)
        await pilot.press("n")
        for _ in range(100):
            await pilot.pause(0.05)
            if "[@click=app.quit]click[/]" in painted(app):
                break
        shown = painted(app)
        assert "[@click=app.quit]click[/]" in shown and "[b]bold[/b]" in shown, shown
        assert not any(e in shown for e in ESCAPES), repr(shown)
        assert app.is_running


# --- front matter that would expand without bound (finding 3) -------------------------------


def test_a_yaml_alias_bomb_is_refused_and_the_batch_goes_on(tmp_path: Path) -> None:
    """A kilobyte of aliases to aliases in front matter (nine levels of nine: 9^9
    strings once expanded) is one refused file; the good files beside it are added."""
    library = Library(tmp_path / "lib").ensure()
    folder = tmp_path / "in"
    folder.mkdir()
    levels = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for n in range(1, 10):
        name, previous = chr(97 + n), chr(96 + n)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    bomb = "---\n" + "\n".join(levels) + "\ntitle: *j\n---\n\nThe body of the bomb.\n"
    assert len(bomb) < 1200
    (folder / "bomb.md").write_text(bomb)
    for n in range(3):
        (folder / f"good-{n}.md").write_text(
            f"---\ntitle: Good article {n}\ndate: 2024-01-0{n + 1}\n---\n\nA plain text {n}.\n"
        )
    done = run(library, "add", str(folder))
    assert done.returncode == 1, done
    errors = [line for line in done.stderr.decode().splitlines() if "bomb.md" in line]
    assert len(errors) == 1 and "alias" in errors[0], done.stderr
    assert sorted(i.title for i in Library(library.root).list_articles()) == [
        f"Good article {n}" for n in range(3)
    ]


# --- lone surrogates (finding 4) ---------------------------------------------------------------


def test_lone_surrogates_never_sink_a_batch(tmp_path: Path) -> None:
    """A YAML escape making a lone surrogate in one file's title and author: every
    file of the folder is added, the surrogates dropped, and nothing fails; and a
    tag and a note given as Latin-1 bytes (as a Latin-1 shell passes them) are
    saved without the bytes that are not UTF-8."""
    library = Library(tmp_path / "lib").ensure()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "odd.md").write_text(
        '---\ntitle: "Half \\ud800 a pair"\nauthor: "\\udcff"\n---\n\nThe body.\n'
    )
    for n in range(10):
        (folder / f"good-{n}.txt").write_text(f"Good article {n}\n\nA plain text number {n}.\n")
    done = run(library, "add", str(folder))
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    infos = Library(library.root).list_articles()
    titles = sorted(i.title for i in infos)
    assert titles == sorted([*(f"Good article {n}" for n in range(10)), "Half a pair"]), titles

    article_id = next(i.id for i in infos if i.title == "Good article 0")
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    done = subprocess.run(
        [
            *(os.fsencode(a) for a in (sys.executable, "-m", "reader", "--library")),
            os.fsencode(library.root),
            b"annotate",
            article_id.encode(),
            b"--quote",
            b"plain text",
            b"--tag",
            b"caf\xe9",
            b"--note",
            b"d\xe9j\xe0 vu",
        ],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (annotation,) = Library(library.root).load(article_id)[1]
    assert annotation.tags == ("caf",) and annotation.note == "dj vu", annotation


# --- CSV cells a spreadsheet would run (finding 10) -------------------------------------------


def test_csv_cells_that_look_like_formulas_are_neutralised_and_read_back(tmp_path: Path) -> None:
    """A title, author and note from an imported page can start with = + - @: the
    CSV export puts an apostrophe first (text, to a spreadsheet), and import-notes
    reads the note back as it was."""
    text = "-5% growth was reported. The rest of the text follows here."
    library = Library(tmp_path / "lib").ensure()
    (result,) = library.add_many(
        [
            ArticleDraft(
                text=text,
                title='=HYPERLINK("http://evil.example","click")',
                author="@SUM(1+1)*cmd|' /C calc'!A0",
                date="2024-05-03",
            )
        ]
    )
    quote = "-5% growth"
    library.store(result.article_id).save_annotation(
        new_annotation(text, 0, len(quote), (), "+1 to this")
    )
    done = run(library, "export", "--format", "csv")
    assert done.returncode == 0, done.stderr
    import csv
    import io

    header, row = list(csv.reader(io.StringIO(done.stdout.decode("utf-8-sig"))))
    cells = dict(zip(header, row, strict=True))
    assert cells["Highlight"] == "'-5% growth"
    assert cells["Title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert cells["Author"].startswith("'@SUM")
    assert cells["Note"] == "'+1 to this"
    assert not any(c.startswith(("=", "+", "-", "@")) for c in row), row

    # Read back into another library holding the same article: the note as written.
    other = Library(tmp_path / "other").ensure()
    (again,) = other.add_many([ArticleDraft(text=text, title="Same text", date="2024-05-03")])
    exported = tmp_path / "notes.csv"
    exported.write_bytes(done.stdout)
    done = run(other, "import-notes", str(exported))
    assert done.returncode == 0, done.stderr
    (annotation,) = Library(other.root).load(again.article_id)[1]
    assert annotation.exact == quote and annotation.note == "+1 to this"
    assert annotation.state == "anchored"


# --- content claiming another article's identity (finding 12) ---------------------------------


FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Wire</title>
<item><title>Rewritten</title><link>{link}</link>
<description>Someone else's text, claiming the article's address.</description></item>
</channel></rss>
"""


def test_a_feed_link_or_markdown_url_never_replaces_another_articles_text(
    tmp_path: Path,
) -> None:
    """Only the same file or fetched URL updates an article. A feed entry whose
    <link>, or a Markdown file whose url:, is an existing article's source is a
    new article; the existing one keeps its text and its note, anchored."""
    library = Library(tmp_path / "lib").ensure()
    original = tmp_path / "original.txt"
    original.write_text(f"Original title\n\n{TEXT}\n")
    assert run(library, "add", str(original)).returncode == 0
    (info,) = Library(library.root).list_articles()
    library.store(info.id).save_annotation(new_annotation(TEXT, 0, len(QUOTE), (), "mine"))
    (web,) = library.add_many(
        [ArticleDraft(text="A page from the web.", title="Web", source="https://news.example/a")]
    )

    (tmp_path / "claim.md").write_text(
        f"---\ntitle: Claim\nurl: {info.source}\n---\n\nA different text entirely.\n"
    )
    (tmp_path / "wire.xml").write_text(FEED.format(link="https://news.example/a"))
    for name in ("claim.md", "wire.xml"):
        done = run(library, "add", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
        assert b"added" in done.stdout and b"updated" not in done.stdout, done.stdout

    after = Library(library.root)
    assert len(after.list_articles()) == 4
    article, annotations = after.load(info.id)
    assert TEXT in article.text
    assert [(a.note, a.state) for a in annotations] == [("mine", "anchored")]
    assert after.read_text(web.article_id) == "A page from the web."

    # The same file, edited: still an update of its article (its note kept).
    original.write_text(f"Original title\n\n{TEXT}\n\nA paragraph added later.\n")
    done = run(library, "add", str(original))
    assert b"updated" in done.stdout, done.stdout
    article, annotations = Library(library.root).load(info.id)
    assert "added later" in article.text and annotations[0].state == "anchored"


# --- symbolic links (finding 13) -----------------------------------------------------------------


def test_symbolic_links_are_not_followed(tmp_path: Path) -> None:
    """A folder imported is what it holds: a link in it to a file or a folder
    outside is left alone. An article's text that is a link (to /etc/passwd, by
    a hand or a merge) is shown empty and reported, never its target."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwords.txt").write_text("root:x:0:0:root:/root:/bin/bash\n\nmore secrets\n")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "real.txt").write_text("A real article\n\nIts plain text, about the harbour.\n")
    (folder / "linked.txt").symlink_to(secret / "passwords.txt")
    (folder / "outside").symlink_to(secret, target_is_directory=True)
    library = Library(tmp_path / "lib").ensure()
    done = run(library, "add", str(folder))
    assert done.returncode == 0, done.stderr
    assert [i.title for i in Library(library.root).list_articles()] == ["A real article"]

    (info,) = Library(library.root).list_articles()
    text = Path(library.text_path(info.id))
    text.unlink()
    text.symlink_to(secret / "passwords.txt")
    reread = Library(library.root)
    article, _ = reread.load(info.id)
    assert article.text == "" and any("symbolic link" in p for p in reread.problems)
    for args in (["list", "root"], ["export", "--format", "md"]):
        assert b"root:x" not in run(library, *args).stdout


# --- malformed caches, corrections, duplicate ids, as a merge leaves them (finding 6) ------


def merged_library(tmp_path: Path) -> tuple[Library, str]:
    """One article whose store a git merge left with an entity cache of the wrong
    shape, corrections of the wrong types, and one annotation id twice."""
    library = Library(tmp_path / "lib").ensure()
    (result,) = library.add_many([ArticleDraft(text=TEXT, title="Merged", date="2024-05-03")])
    article_id = result.article_id
    store = library.store(article_id)
    store.save_annotation(new_annotation(TEXT, 0, len(QUOTE), ("ours",), "ours"))
    library.list_articles()
    data = json.loads(store.path.read_bytes())
    (ours,) = data["annotations"].values()
    theirs = json.loads(json.dumps(ours))
    theirs.update(note="theirs", tags=["theirs"], modified="2999-01-01T00:00:00Z")
    data["annotations"]["2"] = theirs
    data["annotations"]["3"] = {"id": "broken", "target": "nowhere"}
    data["entities"] = {
        "1": {
            "key": "whatever",
            "text_sha256": "x",
            "entities": [["a", 5, "PERSON", "x"], [3, 1, "ORG", "y"], [0, 3, None, "The"], 7],
        }
    }
    data["corrections"] = {
        "1": {"id": 5, "action": "label", "text": "minister"},
        "2": {"id": "c2", "action": "explode", "text": "minister", "label": "PERSON"},
        "3": {"id": "c3", "action": "label", "text": ["minister"], "label": "PERSON"},
    }
    replace_by_hand(store.path, json.dumps(data).encode())
    return library, article_id


def test_a_merged_store_is_read_skipping_what_is_malformed(tmp_path: Path) -> None:
    library, article_id = merged_library(tmp_path)
    for args in (
        ["list"],
        ["list", "entity:minister"],
        ["notes"],
        ["doctor"],
        ["entities", "--jsonl", article_id],
        ["annotate", article_id, "--quote", "the vote", "--note", "a third"],
        ["export", "--format", "w3c"],
    ):
        done = run(library, *args)
        assert b"Traceback" not in done.stderr, (args, done.stderr)
        assert done.returncode in (0, 1), (args, done)
    notes = run(library, "notes").stdout.decode().splitlines()
    assert sorted(line.split("\t")[5] for line in notes) == ["a third", "theirs"], notes
    doctor = run(library, "doctor").stderr.decode() + run(library, "doctor").stdout.decode()
    assert "stored twice" in doctor and "malformed" in doctor, doctor
    # Nothing was lost from the file: both sides of the merge are still there.
    stored = library.store(article_id).path.read_text()
    assert '"ours"' in stored and '"theirs"' in stored


async def test_the_app_opens_a_merged_store(tmp_path: Path) -> None:
    library, article_id = merged_library(tmp_path)
    app = new_app(library)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await listed(app, pilot)
        article = await open_first(app, pilot)
        assert [a.note for a in article.annotations.items] == ["theirs"]
        assert app.is_running


# --- notes files that broke import-notes (finding 11) -------------------------------------------


def test_import_notes_survives_hostile_files_and_keeps_the_good_records(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib").ensure()
    (result,) = library.add_many([ArticleDraft(text=TEXT, title="Plain", date="2024-05-03")])
    article_id = result.article_id

    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    done = run(library, "import-notes", str(nested))
    assert done.returncode != 0 and b"Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.decode().splitlines()) == 1, done.stderr

    def item(n: int, start: object) -> dict:
        return {
            "type": "Annotation",
            "id": f"urn:uuid:6f0c3a52-1111-4c4c-9c9c-00000000000{n}",
            "body": [{"type": "TextualBody", "purpose": "commenting", "value": f"note {n}"}],
            "target": {
                "reader:article": article_id,
                "selector": [
                    {"type": "TextQuoteSelector", "exact": QUOTE},
                    {"type": "TextPositionSelector", "start": start, "end": 21},
                ],
            },
        }

    collection = tmp_path / "w3c.json"
    items = [item(1, 0), item(2, "HUGE"), item(3, 0)]  # 1e999: a float JSON allows, no int
    collection.write_text(
        json.dumps({"type": "AnnotationCollection", "items": items}).replace('"HUGE"', "1e999")
    )
    done = run(library, "import-notes", str(collection))
    assert b"Traceback" not in done.stderr, done.stderr
    notes = sorted(a.note for a in Library(library.root).load(article_id)[1])
    assert notes == ["note 1", "note 3"], notes

    long_note = "x" * 200_000
    rows = [
        "Highlight,Title,Author,URL,Note,Location",
        f'"Opposition leaders",Plain,,,"{long_note}",',
        '"called for elections",Plain,,,"a small one",²',
        f'"the decision",Plain,,,"a digit flood",{"9" * 5000}',
    ]
    readwise = tmp_path / "readwise.csv"
    readwise.write_text("\r\n".join(rows) + "\r\n")
    done = run(library, "import-notes", str(readwise))
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    placed = {a.exact: a for a in Library(library.root).load(article_id)[1]}
    assert placed["Opposition leaders"].note == long_note
    assert placed["called for elections"].state == "anchored"
    assert placed["the decision"].note == "a digit flood"


def test_import_notes_of_thousands_into_one_article_keeps_every_one(tmp_path: Path) -> None:
    """3,000 notes on one article: every one imported, each its own (they are
    written together, one write of the store, not one write each)."""
    library = Library(tmp_path / "lib").ensure()
    (result,) = library.add_many([ArticleDraft(text=TEXT, title="Plain", date="2024-05-03")])
    rows = ["Highlight,Title,Author,URL,Note,Location"]
    rows += [f'"{QUOTE}",Plain,,,"note number {n}",0' for n in range(3000)]
    readwise = tmp_path / "many.csv"
    readwise.write_text("\r\n".join(rows) + "\r\n")
    done = run(library, "import-notes", str(readwise))
    assert done.returncode == 0, done.stderr
    annotations = Library(library.root).load(result.article_id)[1]
    assert len(annotations) == 3000
    assert {a.note for a in annotations} == {f"note number {n}" for n in range(3000)}


def test_import_notes_of_thousands_no_article_takes_keeps_each_once(tmp_path: Path) -> None:
    """3,000 notes for articles the library does not have (and 500 of them twice):
    each kept once in _unplaced.json, written together at the end; imported again,
    every one is a duplicate."""
    library = Library(tmp_path / "lib").ensure()
    library.add_many([ArticleDraft(text=TEXT, title="Plain", date="2024-05-03")])
    rows = ["Highlight,Title,Author,URL,Note,Location"]
    rows += [f'"quote {n} from elsewhere",Elsewhere {n},,,"note {n}",0' for n in range(3000)]
    rows += rows[1:501]
    readwise = tmp_path / "elsewhere.csv"
    readwise.write_text("\r\n".join(rows) + "\r\n")
    done = run(library, "import-notes", str(readwise))
    assert done.returncode == 0, done.stderr
    assert b"3000 unplaced" in done.stderr and b"500 duplicate" in done.stderr, done.stderr[-300:]
    kept = json.loads((library.annotations_dir / "_unplaced.json").read_bytes())["unplaced"]
    assert len(kept) == 3000
    assert {r["readwise"]["Note"] for r in kept.values()} == {f"note {n}" for n in range(3000)}
    again = run(library, "import-notes", str(readwise))
    assert again.returncode == 0 and b"3500 duplicate" in again.stderr, again.stderr[-300:]


async def test_no_widget_can_draw_an_escape_sequence(tmp_path: Path) -> None:
    """The last guard: whatever a widget is given (here text that no store or
    import cleaned), the lines the app draws hold no control character."""
    from rich.text import Text

    library, _ = hostile_library(tmp_path)
    app = new_app(library)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await listed(app, pilot)
        hostile = Static(Text(f"left{OSC_TITLE}{CSI_RED}right{OSC_CLIPBOARD}end"))
        await screen.mount(hostile, before=screen.article_list)
        await pilot.pause(0.2)
        shown = painted(app)
        # (Rich drops the BELs that end the OSCs: the last then runs to the end, as
        # a terminal would take it, and "end" goes with it.)
        assert "leftright" in shown and "pwned" not in shown and "ZXZp" not in shown, shown
        assert not any(e in shown for e in ESCAPES), repr(shown)
