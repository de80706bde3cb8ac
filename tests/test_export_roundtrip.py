"""Notes out and back in: ``export`` (W3C, Readwise CSV) then ``import_notes`` into an
empty copy of the library (the same articles and metadata, none of the reader's
notes), on the fixed library of tests/export_fixture.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from export_fixture import (
    ANNOTATIONS,
    ARTICLE_IDS,
    CAFE,
    CREATOR,
    HARBOUR,
    HARBOUR_TEXT,
    LIBRARY_HOURS,
    ORPHAN,
    build_library,
    find,
)

from reader.core.anchoring import new_annotation
from reader.core.export import Options, export, gather
from reader.core.library import LIBRARY_ENV, Library
from reader.core.models import ArticleDraft
from reader.core.notes_import import UNPLACED_ID, import_notes
from reader.core.store import ArticleStore
from reader.core.text import sha256


def w3c(library: Library) -> str:
    options = Options(creator=CREATOR, rules=tuple(library.rule_store().corrections()))
    return export("w3c", gather(library), options, files=False)


def readwise(library: Library, layout: str) -> str:
    return export("csv", gather(library), Options(creator=CREATOR, csv_layout=layout), files=False)


def store_bytes(library: Library) -> dict[str, bytes]:
    """The library's store files (not the index, a cache)."""
    return {
        p.name: p.read_bytes()
        for p in sorted(library.annotations_dir.glob("*.json"))
        if not p.name.startswith(".")
    }


def store_contents(library: Library) -> dict[str, object]:
    """The store files' contents, without the schema number a read may add to a store
    that was written without one (see the test of the rule store below)."""
    out: dict[str, object] = {}
    for name, data in store_bytes(library).items():
        parsed = orjson.loads(data)
        meta = parsed.get("meta", {}).get("1", {})
        meta.pop("schema", None)
        if not meta:
            parsed.pop("meta", None)
        out[name] = parsed
    return out


def notes_of(library: Library) -> dict[str, list]:
    return {article_id: library.load(article_id)[1] for article_id in library.article_ids()}


@pytest.fixture
def full(tmp_path: Path) -> Library:
    return build_library(tmp_path / "full")


@pytest.fixture
def bare(tmp_path: Path) -> Library:
    return build_library(tmp_path / "bare", annotated=False)


def test_bare_copy_exports_nothing(bare: Library) -> None:
    data = json.loads(w3c(bare))
    assert data["total"] == 0 and data["first"]["items"] == []


def test_w3c_export_import_export_is_identical(
    full: Library, bare: Library, tmp_path: Path
) -> None:
    first = w3c(full)
    path = tmp_path / "notes.jsonld"
    path.write_text(first, encoding="utf-8")
    report = import_notes(bare, path)
    assert report.counts["imported"] == 12  # every span annotation, the orphan too
    assert report.counts["orphan"] == 1
    assert report.counts["articles"] == 1 and report.counts["corrections"] == 1
    assert report.counts["rules"] == 1
    assert not report.counts["unplaced"] and not report.counts["duplicate"]
    assert w3c(bare) == first
    assert bare.load(HARBOUR)[0].info.tags == full.load(HARBOUR)[0].info.tags
    assert bare.load(HARBOUR)[0].info.note == full.load(HARBOUR)[0].info.note


def test_the_orphans_stored_position_survives_the_round_trip(
    full: Library, bare: Library, tmp_path: Path
) -> None:
    """The orphan was made on a text where its quote was at 104..168 (64 code points,
    the hash of that text goes with it). The store keeps that position; the W3C
    export should too, so that the lossless format loses nothing of it."""

    def stored(library: Library) -> dict:
        data = orjson.loads(library.store(LIBRARY_HOURS).path.read_bytes())
        (record,) = [r for r in data["annotations"].values() if r["id"] == ORPHAN.id]
        return {s["type"]: s for s in record["target"]["selector"]}["TextPositionSelector"]

    path = tmp_path / "notes.jsonld"
    path.write_text(w3c(full), encoding="utf-8")
    import_notes(bare, path)
    assert stored(full)["end"] - stored(full)["start"] == len(ORPHAN.quote)
    assert stored(bare) == stored(full)


def test_importing_twice_reports_duplicates_and_changes_nothing(
    full: Library, bare: Library, tmp_path: Path
) -> None:
    path = tmp_path / "notes.jsonld"
    path.write_text(w3c(full), encoding="utf-8")
    import_notes(bare, path)
    before = store_contents(bare)
    again = import_notes(bare, path)
    assert again.counts["duplicate"] == 15  # 12 spans, the article note, a correction, a rule
    assert {k for k, n in again.counts.items() if n} == {"duplicate"}
    assert again.lines == []
    assert store_contents(bare) == before
    assert not (bare.annotations_dir / f"{UNPLACED_ID}.json").exists()


def test_a_new_rule_store_is_not_rewritten_by_reading_it(bare: Library) -> None:
    """The first library-wide rule creates ``_rules.json``; reading the rules must not
    write it again (a read that writes fails on a read-only library, and makes an
    import of duplicates change a file). Its first write lacks the schema number,
    so the next read "migrates" it from version 0 and rewrites it."""
    from export_fixture import RULE

    bare.rule_store().save_correction(RULE)
    written = bare.rule_store().path.read_bytes()
    assert bare.rule_store().corrections() == [RULE]
    assert bare.rule_store().path.read_bytes() == written


def test_a_quote_no_longer_in_the_text_becomes_an_orphan_of_its_article(
    full: Library, bare: Library, tmp_path: Path
) -> None:
    path = tmp_path / "notes.jsonld"
    path.write_text(w3c(full), encoding="utf-8")
    gone = 'called the plan "rushed"'
    (bare.articles_dir / f"{HARBOUR}.txt").write_text(
        HARBOUR_TEXT.replace(gone, "approved it"), encoding="utf-8"
    )
    report = import_notes(bare, path)
    assert report.counts["orphan"] == 2  # this one, and the library-hours orphan
    assert any(HARBOUR in line and gone in line and "orphan" in line for line in report.lines)
    placed = {a.id: a for a in bare.load(HARBOUR)[1]}
    (spec,) = [s for s in ANNOTATIONS[HARBOUR] if s.quote == gone]
    assert placed[spec.id].state == "orphan"
    assert placed[spec.id].exact == gone and placed[spec.id].note == spec.note
    assert len(placed) == len(ANNOTATIONS[HARBOUR])  # nothing dropped


def test_an_annotation_for_an_unknown_article_is_kept_unplaced(
    bare: Library, tmp_path: Path
) -> None:
    record = {
        "id": "urn:uuid:0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
        "type": "Annotation",
        "motivation": "commenting",
        "created": "2024-06-01T10:00:00Z",
        "body": [{"type": "TextualBody", "purpose": "commenting", "value": "Keep me."}],
        "target": {
            "type": "SpecificResource",
            "source": "https://elsewhere.example/story",
            "reader:article": "2099-01-01-not-in-this-library",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": "A sentence from an article this library never had.",
                },
                {"type": "TextPositionSelector", "start": 10, "end": 61},
            ],
        },
    }
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "first": {"type": "AnnotationPage", "items": [record]},
    }
    path = tmp_path / "elsewhere.jsonld"
    path.write_text(json.dumps(collection), encoding="utf-8")
    report = import_notes(bare, path)
    assert report.counts["unplaced"] == 1
    assert any(
        "A sentence from an article" in line and f"{UNPLACED_ID}.json" in line
        for line in report.lines
    )
    unplaced = ArticleStore(bare.annotations_dir, UNPLACED_ID)
    assert unplaced.path == bare.annotations_dir / "_unplaced.json"
    assert unplaced.unplaced() == [record]
    assert all(not bare.load(a)[1] for a in bare.article_ids())
    again = import_notes(bare, path)
    assert again.counts["duplicate"] == 1 and not again.counts["unplaced"]
    assert unplaced.unplaced() == [record]


def test_an_annotation_naming_no_known_article_goes_where_its_quote_is(
    tmp_path: Path,
) -> None:
    """Its article unknown by id, source and title, a note goes to the one article
    whose text holds its quote (found through the library index's full text),
    punctuation and line breaks in the quote as in the text."""
    library = Library(tmp_path / "lib").ensure()
    texts = [
        f"Report {n}\n\nThe council met on Monday.\nIt voted on budget line {n}, again."
        for n in range(40)
    ]
    results = library.add_many(
        [ArticleDraft(text=t, title=f"Report {n}", date="2024-05-03") for n, t in enumerate(texts)]
    )
    quote = "It voted on budget line 17, again."
    record = {
        "type": "Annotation",
        "motivation": "commenting",
        "body": [{"type": "TextualBody", "purpose": "commenting", "value": "Found."}],
        "target": {
            "source": "https://moved.example/report",
            "reader:article": "2099-01-01-renamed",
            "selector": [{"type": "TextQuoteSelector", "exact": quote}],
        },
    }
    path = tmp_path / "moved.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    report = import_notes(Library(library.root), path)
    assert report.counts["imported"] == 1, report.lines
    placed = {r.article_id: Library(library.root).load(r.article_id)[1] for r in results}
    assert {a: [n.exact for n in notes] for a, notes in placed.items() if notes} == {
        results[17].article_id: [quote]
    }
    common = dict(
        record,
        target=dict(
            record["target"],
            selector=[{"type": "TextQuoteSelector", "exact": "The council met on Monday."}],
        ),
    )
    path.write_text(json.dumps([common]), encoding="utf-8")  # in every article: not placed
    assert import_notes(Library(library.root), path).counts["unplaced"] == 1


@pytest.mark.parametrize("layout", ["readwise", "readwise-export"])
def test_readwise_csv_reimport_places_highlights_with_their_tags(
    full: Library, bare: Library, tmp_path: Path, layout: str
) -> None:
    path = tmp_path / f"{layout}.csv"
    path.write_text(readwise(full, layout), encoding="utf-8", newline="")
    report = import_notes(bare, path)
    assert report.counts["imported"] == 12 and not report.counts["unplaced"]

    def summary(library: Library) -> set[tuple]:
        return {
            (article_id, a.exact, a.tags, a.note, a.state)
            for article_id, placed in notes_of(library).items()
            for a in placed
        }

    assert summary(bare) == summary(full)
    # Each made when it was made (the CSV's Date, to the second), not at the import.
    made = {
        (article_id, a.exact): a.created
        for article_id, placed in notes_of(full).items()
        for a in placed
    }
    for article_id, placed in notes_of(bare).items():
        for a in placed:
            assert a.created == made[article_id, a.exact], (article_id, a.exact)
    # Anchored highlights are where they were (the orphan has no place to be).
    for article_id, placed in notes_of(full).items():
        wanted = {(a.start, a.end) for a in placed if a.state == "anchored"}
        got = {(a.start, a.end) for a in bare.load(article_id)[1] if a.state == "anchored"}
        assert got == wanted, article_id
    again = import_notes(bare, path)
    assert again.counts["duplicate"] == 12 and not again.counts["imported"]


@pytest.mark.parametrize("layout", ["readwise", "readwise-export"])
def test_readwise_csv_reimport_uses_the_location_of_a_repeated_highlight(
    bare: Library, tmp_path: Path, layout: str
) -> None:
    """ "Müller" occurs twice in the café article; the export gives the offset of the
    one annotated (Location, of Location Type "offset"), and the import should put
    it back there, not on the first occurrence."""
    source = build_library(tmp_path / "source", annotated=False)
    article, _ = source.load(CAFE)
    start = find(article.text, "Müller", 2)
    source.store(CAFE).save_annotation(
        new_annotation(article.text, start, start + len("Müller"), ("name",), "")
    )
    path = tmp_path / f"{layout}.csv"
    path.write_text(readwise(source, layout), encoding="utf-8", newline="")
    import_notes(bare, path)
    (placed,) = bare.load(CAFE)[1]
    assert (placed.start, placed.end) == (start, start + len("Müller"))


# --- the commands -----------------------------------------------------------------------


def reader(library: Library, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library.root), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def test_cli_export_import_notes_export_round_trip(
    full: Library, bare: Library, tmp_path: Path
) -> None:
    path = tmp_path / "notes.jsonld"
    done = reader(
        full, tmp_path, "export", "--format", "w3c", "--creator", CREATOR, "--output", str(path)
    )
    assert done.returncode == 0, done.stderr
    done = reader(bare, tmp_path, "import-notes", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == (
        "reader: notes: 12 imported, 1 orphan, 1 corrections, 1 rules, 1 articles"
    )
    assert any("orphan" in line and LIBRARY_HOURS in line for line in done.stderr.splitlines())
    again = reader(bare, tmp_path, "export", "--format", "w3c", "--creator", CREATOR)
    assert again.returncode == 0, again.stderr
    assert again.stdout == path.read_text(encoding="utf-8")
    twice = reader(bare, tmp_path, "import-notes", str(path))
    assert twice.stderr.splitlines()[-1] == "reader: notes: 15 duplicate"


def test_fixture_article_ids(full: Library) -> None:
    assert tuple(full.article_ids()) == ARTICLE_IDS


def test_w3c_selectors_of_a_reimported_article_agree_with_its_new_text(tmp_path: Path) -> None:
    """Re-importing an article with edited text re-anchors its notes. Their W3C
    selectors must then all speak of the new text (position, quote context and
    hash together), and importing them into a library holding the old text must
    put them on the same words there, not on whatever sits at the new offsets."""
    quote = "posting a long comment ran code"
    old = f"Forum flaw\n\nResearchers showed that {quote} on the server.\n"
    new = f"Forum flaw\n\nResearchers then showed, in March, that {quote} on the server.\n"
    library = Library(tmp_path / "lib").ensure()
    source = "https://example.com/forum-flaw"
    article_id = library.add(ArticleDraft(text=old, title="Forum flaw", source=source)).article_id
    start = old.index(quote)
    library.store(article_id).save_annotation(
        new_annotation(old, start, start + len(quote), tags=("xss",), note="check")
    )
    updated = library.add(ArticleDraft(text=new, title="Forum flaw", source=source))
    assert (updated.status, updated.article_id) == ("updated", article_id)

    (record,) = json.loads(w3c(library))["first"]["items"]
    target = record["target"]
    selectors = {s["type"]: s for s in target["selector"]}
    start, end = (
        selectors["TextPositionSelector"]["start"],
        selectors["TextPositionSelector"]["end"],
    )
    text = library.load(article_id)[0].text
    assert text[start:end] == selectors["TextQuoteSelector"]["exact"] == quote
    assert selectors["TextQuoteSelector"]["prefix"] == text[max(0, start - 32) : start]
    assert selectors["TextQuoteSelector"]["suffix"] == text[end : end + 32]
    assert target["reader:textSha256"] == sha256(text)
    assert "reader:state" not in record

    path = tmp_path / "notes.jsonld"
    path.write_text(w3c(library), encoding="utf-8")
    elsewhere = Library(tmp_path / "old").ensure()
    elsewhere.add(ArticleDraft(text=old, title="Forum flaw", source=source))
    assert import_notes(elsewhere, path).counts["imported"] == 1
    (placed,) = elsewhere.load(article_id)[1]
    assert placed.state == "anchored"
    assert old[placed.start : placed.end] == quote and placed.start == old.index(quote)


def test_article_notes_import_into_a_library_of_bare_texts(full: Library, tmp_path: Path) -> None:
    """A library of article files with no stores at all (their metadata derived
    from the text): importing the whole-article tags and note must write a full
    record, not a store whose article record is tags and a note alone."""
    path = tmp_path / "notes.jsonld"
    path.write_text(w3c(full), encoding="utf-8")
    texts = Library(tmp_path / "texts").ensure()
    for article_id in ARTICLE_IDS:
        shutil.copy(full.articles_dir / f"{article_id}.txt", texts.articles_dir)
    before = {i.id: i for i in texts.list_articles()}
    report = import_notes(texts, path)
    assert report.counts["articles"] == 1
    after = Library(texts.root)
    infos = {i.id: i for i in after.list_articles()}
    assert after.problems == []
    assert infos[HARBOUR].tags == full.load(HARBOUR)[0].info.tags
    assert infos[HARBOUR].note == full.load(HARBOUR)[0].info.note
    assert infos[HARBOUR].title == before[HARBOUR].title
    data = json.loads(w3c(after))
    assert any(r["id"] == f"urn:reader:article-note:{HARBOUR}" for r in data["first"]["items"])


def test_a_note_imported_as_needs_review_stays_needs_review(tmp_path: Path) -> None:
    """A quote that occurs twice, imported with no position: placed on a best guess
    and reported "needs-review". Reading the store afterwards must say the same,
    not take the stored guess for an anchored note."""
    text = (
        "The floods hit Valencia on Tuesday night and the regional government met.\n\n"
        "On Friday Pedro Sánchez met the mayors.\n\nLater Pedro Sánchez left for Brussels.\n"
    )
    library = Library(tmp_path / "lib").ensure()
    article_id = library.add(ArticleDraft(text=text, title="Visit")).article_id
    record = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "pm"}],
        "target": {
            "source": f"urn:reader:article:{article_id}",
            "selector": {"type": "TextQuoteSelector", "exact": "Pedro Sánchez"},
        },
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    report = import_notes(library, path)
    assert report.counts["imported"] == 1 and report.counts["needs-review"] == 1, report.counts
    (placed,) = Library(library.root).load(article_id)[1]
    assert placed.state == "needs-review"
    assert text[placed.start : placed.end] == "Pedro Sánchez"


def test_malformed_annotations_are_skipped_reported_and_fail_the_command(
    full: Library, bare: Library, tmp_path: Path
) -> None:
    """A W3C file from elsewhere may hold anything: each malformed annotation is
    reported in one line (its escape sequences stripped) and skipped, the good ones
    are imported, the library stays readable, and the command exits 1."""
    good = json.loads(w3c(full))["first"]["items"][0]

    def spoiled(**changes: object) -> dict:
        record = json.loads(json.dumps(good))
        record["id"] = changes.pop("id", f"urn:uuid:{os.urandom(16).hex()}")
        for selector in record["target"]["selector"]:
            selector.update(changes.get(selector["type"], {}))
        return record

    records = [
        good,
        spoiled(TextPositionSelector={"start": "abc"}),
        spoiled(TextQuoteSelector={"exact": ["a", "list"]}),
        spoiled(id="urn:uuid:zzzz"),
        spoiled(TextQuoteSelector={"exact": "x\x1b[31mred\x07", "prefix": 5}),
        spoiled(TextQuoteSelector={"exact": ""}),  # nothing to find it by
    ]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps({"type": "AnnotationCollection", "items": records}), "utf-8")
    done = reader(bare, tmp_path, "import-notes", str(path))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[-1] == "reader: notes: 1 imported, 5 malformed"
    assert [line.split(" is malformed")[0] for line in lines[:-1]] == [
        f"reader: annotation {n} of mixed.json" for n in (2, 3, 4, 5, 6)
    ]
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert reader(bare, tmp_path, "list").returncode == 0
    assert sum(len(notes) for notes in notes_of(bare).values()) == 1


def test_notes_of_an_edited_file_article_become_orphans_of_it_not_unplaced(
    tmp_path: Path,
) -> None:
    """An article added from a file (no web address): its W3C records name it by
    id, and the id carries its text's hash. In a library holding the same article
    with an edited text, the notes belong to that article (an edited quote an
    orphan, or placed by the anchoring's fuzzy match), not to no article at all."""
    old = "Floods in Lausanne\n\nThe storm hurt shops in the old town and closed the station.\n"
    new = "Floods in Lausanne\n\nThe storm damaged shops in the old town and closed the station.\n"
    first = Library(tmp_path / "a").ensure()
    article_id = first.add(ArticleDraft(text=old, title="Floods in Lausanne")).article_id
    for quote in ("hurt shops in the old town", "closed the station"):
        start = old.index(quote)
        first.store(article_id).save_annotation(new_annotation(old, start, start + len(quote)))
    path = tmp_path / "notes.jsonld"
    path.write_text(w3c(first), encoding="utf-8")

    second = Library(tmp_path / "b").ensure()
    other_id = second.add(ArticleDraft(text=new, title="Floods in Lausanne")).article_id
    assert other_id != article_id
    report = import_notes(second, path)
    assert report.counts["imported"] == 2 and not report.counts["unplaced"], report.counts
    placed = {a.exact: a.state for a in second.load(other_id)[1]}
    assert len(placed) == 2 and placed["closed the station"] == "anchored"
    assert not (second.annotations_dir / f"{UNPLACED_ID}.json").exists()


def test_importing_notes_into_a_library_without_articles_is_refused(
    full: Library, tmp_path: Path
) -> None:
    """A mistyped --library: every note would go to _unplaced.json in a new folder."""
    path = tmp_path / "notes.jsonld"
    path.write_text(w3c(full), encoding="utf-8")
    nowhere = Library(tmp_path / "typo")
    done = reader(nowhere, tmp_path, "import-notes", str(path))
    assert done.returncode == 2  # no library there at all: a usage error, nothing made
    (line,) = done.stderr.splitlines()
    assert f"there is no library at {nowhere.root}" in line
    assert not nowhere.root.exists()
    nowhere.root.mkdir()  # a folder, without articles
    done = reader(nowhere, tmp_path, "import-notes", str(path))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"reader: the library at {nowhere.root} has no articles: add them first (reader add)"
    ]
    assert not (nowhere.root / "annotations" / f"{UNPLACED_ID}.json").exists()


def test_a_note_that_looks_like_readwise_tags_comes_back_a_note(tmp_path: Path) -> None:
    """Readwise reads a note's first line of ``.word`` tokens as tags; a note that
    starts ".NET .js" (and has no tags) must come back as that note."""
    text = "Frameworks\n\nThe team moved from .NET to a JavaScript stack last year.\n"
    source = Library(tmp_path / "a").ensure()
    article_id = source.add(ArticleDraft(text=text, title="Frameworks")).article_id
    start = text.index("moved")
    note = ".NET .js\nframeworks mentioned"
    source.store(article_id).save_annotation(
        new_annotation(text, start, start + len("moved from .NET"), (), note)
    )
    path = tmp_path / "notes.csv"
    path.write_text(readwise(source, "readwise"), encoding="utf-8", newline="")
    target = Library(tmp_path / "b").ensure()
    target.add(ArticleDraft(text=text, title="Frameworks"))
    assert import_notes(target, path).counts["imported"] == 1
    (placed,) = target.load(article_id)[1]
    assert (placed.tags, placed.note) == ((), note)


@pytest.mark.parametrize("layout", ["readwise", "readwise-export"])
def test_readwise_csv_flags_the_orphan_and_the_import_drops_the_flag(
    full: Library, layout: str
) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(readwise(full, layout).removeprefix("\ufeff"))))
    flagged = [r for r in rows if "reader-orphan" in (r.get("Tags") or r["Note"])]
    assert [r["Highlight"] for r in flagged] == [ORPHAN.quote]
    assert flagged[0]["Location"] == ""
    assert all(r["Location"] for r in rows if r not in flagged)


def test_w3c_of_a_note_anchored_on_an_edited_passage_quotes_the_passage_as_it_is(
    tmp_path: Path,
) -> None:
    """Edited inside ("Tuesday" made "Tuesday evening") and still anchored: the W3C
    record's quote, context, position and hash all speak of the current text."""
    old = (
        "Harbour vote\n\nThe council voted on Tuesday to approve a new flood barrier for "
        "the harbour, after years of delay and two bad winters.\n"
    )
    new = old.replace("Tuesday", "Tuesday evening")
    library = Library(tmp_path / "lib").ensure()
    source = "https://example.com/harbour-vote"
    article_id = library.add(ArticleDraft(text=old, title="Harbour vote", source=source)).article_id
    quote = "voted on Tuesday to approve a new flood barrier"
    start = old.index(quote)
    library.store(article_id).save_annotation(new_annotation(old, start, start + len(quote)))
    library.add(ArticleDraft(text=new, title="Harbour vote", source=source))
    (record,) = json.loads(w3c(library))["first"]["items"]
    selectors = {s["type"]: s for s in record["target"]["selector"]}
    start, end = (
        selectors["TextPositionSelector"]["start"],
        selectors["TextPositionSelector"]["end"],
    )
    assert "reader:state" not in record  # anchored
    assert selectors["TextQuoteSelector"]["exact"] == new[start:end]
    assert "Tuesday evening" in new[start:end]
    assert selectors["TextQuoteSelector"]["prefix"] == new[max(0, start - 32) : start]
    assert record["target"]["reader:textSha256"] == sha256(new)


def test_notes_of_an_article_with_no_latin_title_do_not_go_to_another(tmp_path: Path) -> None:
    """Two articles whose titles have no Latin letters both get ids "article-<hash>":
    that is no sign they are the same article."""
    japanese = "東京都議会\n\n小池百合子知事は火曜日、約三千億円の予算案を発表した。\n"
    arabic = "مجلس المدينة\n\nوافق مجلس المدينة يوم الثلاثاء على ميزانية جديدة للنقل العام.\n"
    first = Library(tmp_path / "a").ensure()
    article_id = first.add(ArticleDraft(text=japanese, title="東京都議会")).article_id
    assert article_id.startswith("article-")
    start = japanese.index("小池百合子知事")
    first.store(article_id).save_annotation(new_annotation(japanese, start, start + 7))
    path = tmp_path / "notes.jsonld"
    path.write_text(w3c(first), encoding="utf-8")
    second = Library(tmp_path / "b").ensure()
    other_id = second.add(ArticleDraft(text=arabic, title="مجلس المدينة")).article_id
    assert other_id.startswith("article-") and other_id != article_id
    report = import_notes(second, path)
    assert report.counts["unplaced"] == 1 and not report.counts["imported"], report.counts
    assert second.load(other_id)[1] == []


def test_a_readwise_csv_after_the_w3c_export_adds_no_second_copy_of_an_orphan(
    full: Library, bare: Library, tmp_path: Path
) -> None:
    w3c_path, csv_path = tmp_path / "notes.jsonld", tmp_path / "notes.csv"
    w3c_path.write_text(w3c(full), encoding="utf-8")
    csv_path.write_text(readwise(full, "readwise"), encoding="utf-8", newline="")
    import_notes(bare, w3c_path)
    before = notes_of(bare)
    again = import_notes(bare, csv_path)
    assert not again.counts["imported"], again.counts
    assert again.counts["duplicate"] == 12
    assert notes_of(bare) == before
