"""The query language (reader.core.query) on a real library index: each term,
phrases, prefixes, exclusions, OR, folded case and diacritics, Chinese, Japanese
and Korean text, sorting, and the terms that cannot match."""

from __future__ import annotations

import pytest

from reader.core.anchoring import new_annotation
from reader.core.fulltext import match_spans
from reader.core.library import Library
from reader.core.models import ArticleDraft, Entity
from reader.core.query import highlight_expression, parse_query, query_problems

ARTICLES = {
    "ankara": ArticleDraft(
        text="Recep Tayyip Erdoğan met officials in Ankara about the M4 highway and Idlib.",
        title="Talks in Ankara",
        author="Ayşe Demir",
        date="2020-02-01",
        source="https://wire.example/ankara",
    ),
    "gdansk": ArticleDraft(
        text="The harbour authority in Gdańsk said the ferry strike would end. Highways reopened.",
        title="Ferry strike ends",
        author="Jan Kowalski",
        date="2021-05-03",
        source="https://news.example/ferry",
    ),
    "beirut": ArticleDraft(
        text="Hezbollah said the highway to Beirut was open again, and the M4 was not.",
        title="Roads reopen",
        author="Jan Kowalski",
        date="2019-11-20",
        source="https://wire.example/beirut",
        tags=("Lebanon",),
    ),
    "beijing": ArticleDraft(
        text="北京市政府周一宣布新的交通计划。",
        title="北京交通计划",
        date="2022-01-01",
    ),
    "tokyo": ArticleDraft(
        text="東京都は新しい鉄道計画を発表した。",
        title="東京の鉄道",
        date="2022-02-01",
    ),
    "seoul": ArticleDraft(
        text="서울시는 새로운 교통 정책을 발표했다. 서울에서 시민들이 환영했다.",
        title="서울 교통",
        date="2022-03-01",
    ),
}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Library, dict[str, str]]:
    library = Library(tmp_path_factory.mktemp("query") / "lib").ensure()
    results = library.add_many(list(ARTICLES.values()))
    names = {name: result.article_id for name, result in zip(ARTICLES, results, strict=True)}
    ankara = names["ankara"]
    text = ARTICLES["ankara"].text
    start = text.index("Idlib")
    store = library.store(ankara)
    store.save_annotation(new_annotation(text, start, start + 5, ("syria",), "ceasefire talks"))
    name = "Recep Tayyip Erdoğan"
    info = library.catalog.info(ankara)
    store.cache_entities("k", info.text_sha256, [Entity(0, len(name), "PERSON", name)])
    return library, names


def found(indexed: tuple[Library, dict[str, str]], query: str, sort: str = "date") -> list[str]:
    library, names = indexed
    by_id = {article_id: name for name, article_id in names.items()}
    catalog = library.catalog
    rowids = catalog.article_ids(parse_query(query), sort)
    rows = catalog.rows(rowids)
    return [by_id[rows[rowid].id] for rowid in rowids]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("highway", ["ankara", "beirut"]),  # a word of the text, any case
        ("HIGHWAY", ["ankara", "beirut"]),
        ('"M4 highway"', ["ankara"]),  # a phrase, words in order
        ('"highway m4"', []),
        ("highway*", ["gdansk", "ankara", "beirut"]),  # a prefix: highways too
        ("m4 highway", ["ankara", "beirut"]),  # every word, anywhere
        ("highway -hezbollah", ["ankara"]),  # excluded
        ("-highway*", ["seoul", "tokyo", "beijing"]),
        ("ferry OR hezbollah", ["gdansk", "beirut"]),
        ("ferry OR hezbollah highway", ["beirut"]),  # OR binds its two terms only
        ("erdogan", ["ankara"]),  # diacritics folded: Erdoğan
        ("gdansk", ["gdansk"]),
        ("ankara", ["ankara"]),  # the title, and the text
        ("demir", ["ankara"]),  # the author
        ("ceasefire", ["ankara"]),  # an annotation's note
        ("syria", ["ankara"]),  # an annotation's tag
        ("交通", ["beijing"]),  # inside a run of Chinese characters
        ("交通计划", ["beijing"]),
        ("鉄道", ["tokyo"]),  # Japanese
        ("서울", ["seoul"]),  # Korean, glued to its particle in 서울에서
        ("교통", ["seoul"]),
        ("tag:lebanon", ["beirut"]),  # the article's own tag
        ("tag:#Syria", ["ankara"]),  # a tag of its annotation, any case, # or not
        ("-tag:lebanon highway", ["ankara"]),
        ("source:wire.example", ["ankara", "beirut"]),
        ("author:kowalski", ["gdansk", "beirut"]),
        ("author:ayse", ["ankara"]),
        ("has:note", ["ankara"]),
        ("has:tag", ["ankara", "beirut"]),
        ('entity:"recep tayyip erdogan"', ["ankara"]),
        ("entity:Erdogan", ["ankara"]),  # one word of the name (issue 11)
        ('entity:"Erdogan" OR entity:ankara', ["ankara"]),
        ("entity:erdo", []),  # a word, not a part of one
        ("label:person", ["ankara"]),
        ("since:2021", ["seoul", "tokyo", "beijing", "gdansk"]),
        ("until:2020-02", ["ankara", "beirut"]),
        ("since:2020 until:2021-12-31", ["gdansk", "ankara"]),
        ("state:anchored", ["ankara"]),
        ("nothing-like-this", []),
    ],
)
def test_each_term(indexed, query: str, expected: list[str]) -> None:
    assert found(indexed, query) == expected


def test_sorting(indexed) -> None:
    assert found(indexed, "", "date") == ["seoul", "tokyo", "beijing", "gdansk", "ankara", "beirut"]
    assert found(indexed, "", "title")[:3] == ["gdansk", "beirut", "ankara"]
    assert found(indexed, "", "notes")[0] == "ankara"
    library, names = indexed
    words = {name: library.catalog.info(names[name]).word_count for name in names}
    by_words = found(indexed, "", "words")
    assert [words[n] for n in by_words] == sorted(words.values(), reverse=True)
    added = found(indexed, "", "added")
    assert sorted(added) == sorted(ARTICLES)
    assert found(indexed, "highway", "title") == ["beirut", "ankara"]


def test_notes_search_by_words_state_and_dates(indexed) -> None:
    library, names = indexed
    catalog = library.catalog

    def noted(query: str) -> list[tuple[str, bool]]:
        return [(i.id, a is None) for i, a in catalog.notes(parse_query(query))]

    ankara, beirut = names["ankara"], names["beirut"]
    assert noted("") == [(beirut, True), (ankara, False)]  # the article's own note first
    assert noted("ceasefire") == [(ankara, False)]
    assert noted("lebanon") == [(beirut, True)]
    assert noted("state:orphan") == []
    (annotation,) = [a for _, a in catalog.notes(parse_query("idlib"))]
    day = annotation.created[:10]
    assert noted(f"until:{day}") == [(beirut, True), (ankara, False)]
    assert noted("until:2000") == []
    assert noted(f"since:{day} -tag:syria") == []


def test_typing_makes_the_last_word_a_prefix_from_four_letters() -> None:
    assert parse_query("erdo", typing=True).clauses[0][0].prefix
    assert not parse_query("erd", typing=True).clauses[0][0].prefix
    assert not parse_query("erdo ", typing=True).clauses[0][0].prefix
    assert not parse_query("erdo").clauses[0][0].prefix
    assert not parse_query('"erdo"', typing=True).clauses[0][0].prefix


@pytest.mark.parametrize(
    "query, problem",
    [
        ("since:garbage", "since:garbage is not a date"),
        ("until:2020-13", "until:2020-13 is not a date"),
        ("label:nonsense", "label:nonsense is not a label"),
        ("state:lost", "state:lost is not a state"),
        ("has:wings", "has:wings is not something to have"),
    ],
)
def test_terms_that_cannot_match_are_named(query: str, problem: str) -> None:
    (found_problem,) = query_problems(parse_query(query))
    assert found_problem.startswith(problem)


def test_words_that_are_not_fields_stay_words() -> None:
    query = parse_query("https://example.org 10:30 -")
    assert [t.field for t in query.terms()] == ["", ""]


def test_matches_are_found_in_a_text_as_the_index_finds_them() -> None:
    text = "Erdoğan met Erdogan's critics; the M4 highway and highways. 北京宣布新的交通计划。"
    spans = match_spans(text, highlight_expression(parse_query('erdogan "m4 highway" 交通')))
    assert [text[s:e] for s, e in spans] == ["Erdoğan", "Erdogan", "M4 highway", "交通"]
    prefixed = match_spans(text, highlight_expression(parse_query("highway*")))
    assert [text[s:e] for s, e in prefixed] == ["highway", "highways"]
    assert match_spans(text, highlight_expression(parse_query("-erdogan"))) == []
