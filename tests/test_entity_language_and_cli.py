"""Entities of articles in other languages, and the entity commands of the CLI.

* A French article gets no entities, with a reason that names French, through
  ``EntityService.entities_for`` and in the app's legend.
* ``reader entities --jsonl``: offsets index the file as read (``--raw``), the
  importer's normalised text (without it), or ``articles/<id>.txt`` (an id).
* ``reader find-entities``: caches every article's entities, a second run has nothing to
  do, and two worker processes cache the same entities as one.
* ``reader list 'label:…'`` and ``reader list 'entity:"…"'`` filter on them.

The commands run for real in subprocesses (each loads the model once).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from test_app_annotating import settle

from reader.core.entities import EntityService
from reader.core.entity_batch import articles_needing_entities
from reader.core.importers.inputs import import_path
from reader.core.language import LanguageUnsupported
from reader.core.library import LIBRARY_ENV, Library
from reader.core.models import ArticleDraft

FRENCH = """Le président Emmanuel Macron s'est rendu à Marseille lundi pour rencontrer \
les maires de la région. Il a promis une aide rapide aux familles touchées par les \
inondations.

Selon la préfecture, plus de deux cents personnes ont été évacuées pendant la nuit. Les \
pompiers sont intervenus dans plusieurs communes du département.

« Nous serons aux côtés de chacun », a déclaré le chef de l'État devant la mairie de \
Marseille, avant de repartir pour Paris."""

ARDERN = (
    "Prime Minister Jacinda Ardern visited Wellington on Monday to meet farmers.\n\n"
    "Ardern said the government would help families hit by the floods.\n\n"
    "On Tuesday, Ardern flew to Auckland."
)
ANKARA = (
    "Turkish troops moved toward Saraqeb on Thursday, officials in Ankara said.\n\n"
    "The Syrian Observatory for Human Rights said 12 civilians died."
)
OPEC = (
    "Oil prices rose 3 percent on Monday as OPEC agreed to cut output.\n\n"
    "The Brent benchmark reached $60 a barrel in London."
)


def run(
    tmp_path: Path, library: Path, *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")  # never the real user's library
    return subprocess.run(
        [sys.executable, "-m", "reader", "--library", str(library), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=timeout,
    )


def make_library(root: Path, texts: dict[str, str]) -> dict[str, str]:
    """A library of the given title -> text; returns title -> article id."""
    library = Library(root).ensure()
    results = library.add_many(
        ArticleDraft(text=text, title=title, date="2020-03-01") for title, text in texts.items()
    )
    assert all(r.status == "added" for r in results)
    return {r.title: r.article_id for r in results}


def jsonl(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


# --- articles in other languages --------------------------------------------------------------


def test_a_french_article_gets_no_entities_and_the_reason_names_french(tmp_path):
    ids = make_library(tmp_path / "lib", {"Macron": FRENCH})
    library = Library(tmp_path / "lib")
    article, _ = library.load(ids["Macron"])
    service = EntityService(rules=library.rule_store())
    with pytest.raises(LanguageUnsupported) as raised:
        service.entities_for(article, library.store(article.id))
    assert "French" in str(raised.value)
    assert "\n" not in str(raised.value)
    # Nothing was cached, and the model was never needed to say so.
    assert service._recogniser is None
    assert (
        library.store(article.id).cached_entities(service.cache_key(), article.info.text_sha256)
        is None
    )


async def test_the_app_says_a_french_article_has_no_entities(tmp_path):
    from reader.tui.app import ReaderApp
    from reader.tui.screens.article import ArticleScreen
    from reader.tui.widgets.article_view import ArticleView
    from reader.tui.widgets.panels import Legend

    make_library(tmp_path / "lib", {"Macron": FRENCH})
    app = ReaderApp(Library(tmp_path / "lib"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(ArticleView).entities == []
        legend = str(app.screen.query_one(Legend).render())
        status = legend.split("no entities:", 1)[1]
        assert "French" in status
        assert "\n" not in status.strip()
        assert "French" in app.screen.entity_status


# --- reader entities --jsonl -------------------------------------------------------------------

# A header line, CRLF line ends, a combining accent (NFC changes it) and spaces at
# line ends (normalisation drops them): raw and normalised offsets differ.
RAW = (
    "date 2020-03-01 Posted on by Jane Doe\r\n"
    "\r\n"
    "President Recep Tayyip Erdogan met Vladimir Putin in Mosco\u0301w?  \r\n"
    "No: they met in Sochi on Thursday, the Kremlin said.   \r\n"
    "\r\n"
    "\r\n"
    "Turkish troops moved toward Saraqeb, officials in Ankara said. Erdogan\u2019s "
    "spokesman İbrahim Kalın agreed.\r\n"
)


@pytest.fixture(scope="module")
def raw_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("raw") / "erdogan.txt"
    path.write_bytes(RAW.encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def entities_run(tmp_path_factory, raw_file):
    """``reader entities`` twice: --raw on the file, then the file and an article id."""
    tmp = tmp_path_factory.mktemp("entities")
    library = tmp / "lib"
    ids = make_library(library, {"Ardern": ARDERN})
    raw = run(tmp, library, "entities", "--jsonl", "--raw", str(raw_file))
    parsed = run(tmp, library, "entities", "--jsonl", str(raw_file), ids["Ardern"])
    return library, ids["Ardern"], raw, parsed


def test_raw_offsets_index_the_file_exactly_as_read(entities_run, raw_file):
    _, _, raw, _ = entities_run
    assert raw.returncode == 0, raw.stderr
    (record,) = jsonl(raw.stdout)
    assert record["source"] == str(raw_file)
    file_text = raw_file.read_bytes().decode("utf-8")
    assert "\r\n" in file_text and unicodedata.normalize("NFC", file_text) != file_text
    found = record["entities"]
    assert {e["text"] for e in found} >= {"Recep Tayyip Erdogan", "Vladimir Putin", "Ankara"}
    for e in found:
        assert file_text[e["start"] : e["end"]] == e["text"], e
        assert "\n" not in e["text"] and "\r" not in e["text"]


def test_without_raw_offsets_index_the_normalised_text(entities_run, raw_file):
    _, _, raw, parsed = entities_run
    assert parsed.returncode == 0, parsed.stderr
    record = jsonl(parsed.stdout)[0]
    assert record["source"] == str(raw_file)
    (draft,) = import_path(raw_file)
    assert draft.text.startswith("President Recep Tayyip Erdogan")  # the header is parsed
    for e in record["entities"]:
        assert draft.text[e["start"] : e["end"]] == e["text"], e
    # The same names, at different offsets in the two texts.
    raw_ankara = next(e for e in jsonl(raw.stdout)[0]["entities"] if e["text"] == "Ankara")
    ankara = next(e for e in record["entities"] if e["text"] == "Ankara")
    assert raw_ankara["start"] != ankara["start"]


def test_for_an_article_id_offsets_index_its_stored_text(entities_run):
    library, article_id, _, parsed = entities_run
    record = jsonl(parsed.stdout)[1]
    assert record["source"] == article_id
    stored = (library / "articles" / f"{article_id}.txt").read_bytes().decode("utf-8")
    assert record["entities"]
    for e in record["entities"]:
        assert stored[e["start"] : e["end"]] == e["text"], e
    assert {
        "start": stored.index("Wellington"),
        "end": stored.index("Wellington") + 10,
        "label": "GPE",
        "text": "Wellington",
    } in record["entities"]


def test_entities_of_a_french_article_id_do_not_stop_the_batch(tmp_path):
    """BUG: ``reader entities`` catches LanguageUnsupported as ModelUnavailable and
    exits at the first French article, so the English article after it is never
    printed. (Each bad input should get one line on stderr and the batch go on, as
    for unreadable files.)"""
    library = tmp_path / "lib"
    ids = make_library(library, {"Macron": FRENCH, "Ardern": ARDERN})
    result = run(tmp_path, library, "entities", "--jsonl", ids["Macron"], ids["Ardern"])
    assert "French" in result.stderr
    sources = [r["source"] for r in jsonl(result.stdout)]
    assert ids["Ardern"] in sources
    assert result.returncode == 1


# --- reader find-entities -------------------------------------------------------------------------


PEOPLE = [
    "Jacinda Ardern",
    "Grant Robertson",
    "Angela Merkel",
    "Emmanuel Macron",
    "Justin Trudeau",
    "Narendra Modi",
    "Cyril Ramaphosa",
    "Scott Morrison",
]
CITIES = ["Wellington", "Auckland", "Berlin", "Paris", "Ottawa", "Delhi", "Pretoria", "Sydney"]


def many_articles(n: int) -> dict[str, str]:
    """``n`` short English news articles (more than one batch of 32)."""
    texts = {}
    for i in range(n):
        person, city = PEOPLE[i % len(PEOPLE)], CITIES[(i * 3) % len(CITIES)]
        surname = person.split()[-1]
        texts[f"Report {i}"] = (
            f"{person} visited {city} on Monday, day {i + 2} of the talks.\n\n"
            f"{surname} said the United Nations would send {i + 10} tonnes of aid. "
            f"Officials in {city} welcomed the news.\n\n"
            f"The World Bank said growth in {city} would slow in {2000 + i % 20}."
        )
    texts |= {"Ardern": ARDERN, "Ankara": ANKARA, "Opec": OPEC}
    return texts


def cached(library: Library, service: EntityService) -> dict[str, list]:
    key = service.cache_key()
    out = {}
    for article_id in library.article_ids():
        article, _ = library.load(article_id)
        out[article_id] = library.store(article_id).cached_entities(key, article.info.text_sha256)
    return out


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """Two identical libraries, indexed with one worker and with two."""
    tmp = tmp_path_factory.mktemp("index")
    one, two = tmp / "one", tmp / "two"
    ids = make_library(one, many_articles(40))
    shutil.copytree(one, two)
    first = run(tmp, one, "find-entities")
    again = run(tmp, one, "find-entities")
    parallel = run(tmp, two, "find-entities", "--workers", "2")
    return tmp, one, two, ids, first, again, parallel


def test_index_caches_every_article(indexed):
    _, one, _, ids, first, _, _ = indexed
    assert first.returncode == 0, first.stderr
    assert f"{len(ids)} indexed" in first.stderr
    library = Library(one)
    service = EntityService(rules=library.rule_store())
    assert articles_needing_entities(library, service) == []
    entries = cached(library, service)
    assert all(found for found in entries.values())
    ardern = entries[ids["Ardern"]]
    assert [(e.text, e.label) for e in ardern if e.text == "Ardern"] == [("Ardern", "PERSON")] * 2


def test_a_second_index_run_has_nothing_to_do(indexed):
    _, _, _, _, _, again, _ = indexed
    assert again.returncode == 0, again.stderr
    assert "every article has its entities" in again.stderr
    assert "indexed" not in again.stderr


def test_two_workers_cache_the_same_entities_as_one(indexed):
    _, one, two, ids, _, _, parallel = indexed
    assert parallel.returncode == 0, parallel.stderr
    assert f"{len(ids)} indexed" in parallel.stderr
    first, second = Library(one), Library(two)
    service = EntityService(rules=first.rule_store())
    assert cached(first, service) == cached(second, service)
    for article_id in ids.values():
        a = json.loads((one / "annotations" / f"{article_id}.json").read_text())["entities"]
        b = json.loads((two / "annotations" / f"{article_id}.json").read_text())["entities"]
        assert a == b


def test_index_then_app_reads_the_cache(indexed):
    _, one, _, ids, _, _, _ = indexed
    library = Library(one)
    article, _ = library.load(ids["Ankara"])
    service = EntityService(rules=library.rule_store())
    found, from_cache = service.entities_for(article, library.store(article.id))
    assert from_cache is True
    assert service._recogniser is None  # the model was not loaded
    assert ("Ankara", "GPE") in [(e.text, e.label) for e in found]


def test_index_skips_a_french_article_and_says_so(tmp_path):
    library = tmp_path / "lib"
    make_library(library, {"Macron": FRENCH, "Ardern": ARDERN})
    result = run(tmp_path, library, "find-entities")
    assert result.returncode == 0, result.stderr
    assert "1 indexed" in result.stderr and "1 skipped-language" in result.stderr


# --- reader list with entity filters ------------------------------------------------------------


def listed(tmp: Path, library: Path, query: str) -> set[str]:
    result = run(tmp, library, "list", query, timeout=60)
    # 1: nothing matched (and said so), as grep's.
    assert result.returncode == (0 if result.stdout else 1), result.stderr
    return {line.split("\t")[0] for line in result.stdout.splitlines()}


def test_list_filters_by_label(indexed):
    tmp, one, _, ids, _, _, _ = indexed
    people = listed(tmp, one, "label:PERSON")
    assert ids["Ardern"] in people
    assert ids["Ankara"] not in people and ids["Opec"] not in people
    assert listed(tmp, one, "label:person") == people
    places = listed(tmp, one, "label:place")
    assert {ids["Ardern"], ids["Ankara"], ids["Opec"]} <= places
    assert listed(tmp, one, "label:MONEY") == {ids["Opec"]}


def test_list_filters_by_entity_name(indexed):
    tmp, one, _, ids, _, _, _ = indexed
    assert listed(tmp, one, 'entity:"Ankara"') == {ids["Ankara"]}
    assert listed(tmp, one, 'entity:"ankara"') == {ids["Ankara"]}
    assert listed(tmp, one, 'entity:"Jacinda Ardern"') >= {ids["Ardern"]}
    assert ids["Ankara"] not in listed(tmp, one, 'entity:"Jacinda Ardern"')
    assert listed(tmp, one, 'entity:"Nowhere Atall"') == set()
    # Both terms must match.
    assert listed(tmp, one, 'entity:"Ankara" label:PERSON') == set()


def test_entities_of_a_french_file_are_refused_as_in_the_app(tmp_path):
    """BUG: for a file (not an article id) ``reader entities`` runs the English model
    on any language: French text gets entities such as "dans" (NORP) and "Emmanuel
    Macron s'est" (PERSON), where the app and ``reader find-entities`` say the article is in
    French and show none."""
    path = tmp_path / "macron.txt"
    path.write_text(FRENCH, encoding="utf-8")
    result = run(tmp_path, tmp_path / "lib", "entities", "--jsonl", str(path))
    records = jsonl(result.stdout)
    assert all(record["entities"] == [] for record in records), records
    assert "French" in result.stderr


def test_notes_and_export_filter_by_entity_and_label(indexed):
    """``entity:`` and ``label:`` pick articles by their entities in ``reader notes``
    and ``reader export`` as they do in ``reader list`` (they were ignored there,
    so every note came out)."""
    tmp, one, _, ids, _, _, _ = indexed
    library_dir = tmp / "with-notes"
    shutil.copytree(one, library_dir)
    library = Library(library_dir)
    for name in ("Ardern", "Ankara", "Opec"):
        text = library.load(ids[name])[0].text
        done = run(tmp, library_dir, "annotate", ids[name], "--quote", text[:12], "--tag", name)
        assert done.returncode == 0, done.stderr

    def noted(*args: str) -> set[str]:
        result = run(tmp, library_dir, "notes", "--json", *args)
        assert result.returncode == (0 if result.stdout else 1), result.stderr
        return {json.loads(line)["article"] for line in result.stdout.splitlines()}

    assert noted() == {ids["Ardern"], ids["Ankara"], ids["Opec"]}
    assert noted('entity:"Ankara"') == {ids["Ankara"]}
    assert noted("label:MONEY") == {ids["Opec"]}
    assert noted('entity:"Ankara"', "label:PERSON") == set()
    exported = run(tmp, library_dir, "export", "--format", "csv", 'entity:"Ankara"')
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [row["Note"] for row in rows] == [".Ankara"]


def test_entities_of_a_feed_give_a_line_per_entry(tmp_path):
    feed = Path(__file__).parent / "fixtures" / "import" / "feed_atom.xml"
    result = run(tmp_path, tmp_path / "lib", "entities", "--jsonl", str(feed))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in records] == [
        "https://science.example.net/seagrass-carbon",
        "https://science.example.net/spring-tide",
    ]
    assert all(r["entities"] for r in records)


def test_a_word_of_the_filter_finds_the_articles_naming_an_entity(indexed):
    """A plain word matches the names of an article's entities too, not only its
    title, author, source and tags: "saraqeb" finds the article about Saraqeb."""
    tmp, one, _, ids, _, _, _ = indexed
    assert listed(tmp, one, "saraqeb") == {ids["Ankara"]}
    assert listed(tmp, one, "jacinda") >= {ids["Ardern"]}
    assert ids["Opec"] not in listed(tmp, one, "jacinda")


def test_entity_filter_ignores_a_leading_the(tmp_path):
    """spaCy keeps "the" in "the United Nations": entity:"United Nations" finds it."""
    from reader.core.query import name_key

    for query in ("United Nations", "the united nations", "The  United\nNations"):
        assert name_key(query) == name_key("the United Nations"), query
    assert name_key("Ankara") == name_key("ankara")
    assert name_key("Nations") != name_key("the United Nations")
