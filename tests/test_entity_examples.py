"""Issue 11's examples, each on a text written here, through the real model,
reader's rules and the real gazetteer (``SpacyRecogniser``), then linked as the
article screen links them (``link_entities``), and ``entity:`` on an indexed
library through the CLI.

What a reader saw before: "President Clinton", "Mr. Barak", "Hamas" and "ABC"
coloured as places (towns of those names exist), "the State Department" and
"the White Helmets" as places, "Ursula von der Leyen" split into a person and a
place, Edirne and Frontex not found, "Erdogan" and "Recep Tayyip Erdogan" two
people, and ``entity:Merkel`` finding nothing where ``entity:"Angela Merkel"``
finds the article.
"""

from __future__ import annotations

import pytest

from reader.core.entity_links import entity_query, link_entities
from reader.core.gazetteer import load_gazetteer
from reader.core.labels import label_group
from reader.core.recogniser import SpacyRecogniser
from tests.test_entity_language_and_cli import listed, make_library, run


@pytest.fixture(scope="module")
def recogniser() -> SpacyRecogniser:
    return SpacyRecogniser()


def groups(recogniser: SpacyRecogniser, text: str) -> dict[str, str]:
    """Each entity's text and display group (one per text: asserted)."""
    found: dict[str, str] = {}
    for entity in recogniser.recognise(text):
        assert text[entity.start : entity.end] == entity.text
        group = label_group(entity.label)
        assert found.setdefault(entity.text, group) == group, (entity.text, found, group)
    return found


@pytest.mark.parametrize(
    ("text", "name", "group"),
    [
        (
            "President Clinton met Mr. Barak at the White House on Tuesday. "
            "Clinton said the talks had gone well.",
            "Clinton",
            "person",
        ),
        (
            "President Clinton met Mr. Barak at the White House on Tuesday. "
            "Barak flew home the next day.",
            "Barak",
            "person",
        ),
        (
            "Hamas fired rockets overnight, and Israel answered with air strikes. "
            "Hamas said two of its fighters died.",
            "Hamas",
            "organisation",
        ),
        (
            "ABC reported the strikes on Monday. ABC said two people had died.",
            "ABC",
            "organisation",
        ),
    ],
    ids=["Clinton", "Barak", "Hamas", "ABC"],
)
def test_names_of_towns_somewhere_are_not_made_places(recogniser, text, name, group):
    """Towns called Clinton, Barak, Hamas and ABC exist: the gazetteer knows them,
    and still never overrides what the words around them say."""
    places = load_gazetteer().places
    assert name in places  # else this test shows nothing
    assert groups(recogniser, text)[name] == group


def test_the_state_department_is_an_organisation(recogniser):
    text = (
        "The State Department said the embassy would stay open. "
        "A State Department spokesman declined to comment."
    )
    found = groups(recogniser, text)
    state = {name: group for name, group in found.items() if "State Department" in name}
    assert state and set(state.values()) == {"organisation"}


def test_von_der_leyen_is_one_person(recogniser):
    text = "Ursula von der Leyen, the Commission president, spoke in Brussels on Friday."
    found = groups(recogniser, text)
    assert found["Ursula von der Leyen"] == "person"
    assert "Leyen" not in found and "Ursula von der" not in found


def test_the_white_helmets_are_an_organisation(recogniser):
    text = (
        "The White Helmets rescued three children from the rubble. Members of the "
        "White Helmets said the building collapsed after the strike."
    )
    found = groups(recogniser, text)
    helmets = {name: group for name, group in found.items() if "White Helmets" in name}
    assert helmets and set(helmets.values()) == {"organisation"}


def test_edirne_and_frontex_are_found(recogniser):
    text = (
        "Thousands of migrants gathered in Edirne near the Greek border on Sunday. "
        "Frontex said it would send more officers."
    )
    found = groups(recogniser, text)
    assert found["Edirne"] == "place"
    assert found["Frontex"] == "organisation"


def test_erdogan_and_recep_tayyip_erdogan_are_one_person(recogniser):
    text = (
        "Turkish President Recep Tayyip Erdogan spoke in Ankara on Monday. "
        "Erdogan said Turkey would not open its borders. Later, Erdogan met "
        "Vladimir Putin."
    )
    linked = link_entities(recogniser.recognise(text))
    people = {one.name: one for one in linked if one.group == "person"}
    assert set(people) == {"Recep Tayyip Erdogan", "Vladimir Putin"}
    erdogan = people["Recep Tayyip Erdogan"]
    assert [m.text for m in erdogan.mentions] == ["Recep Tayyip Erdogan", "Erdogan", "Erdogan"]
    assert entity_query(erdogan) == 'entity:"Recep Tayyip Erdogan" OR entity:"Erdogan"'


def test_the_united_nations_and_un_are_one_organisation(recogniser):
    text = (
        "The United Nations said aid convoys had reached Idlib. A UN spokesman said "
        "more would follow, and the United Nations appealed for funds."
    )
    linked = link_entities(recogniser.recognise(text))
    (un,) = [one for one in linked if "United Nations" in one.names]
    assert un.name == "United Nations" and un.group == "organisation"
    assert set(un.names) == {"United Nations", "UN"}
    assert len(un.mentions) == 3


def test_entity_merkel_finds_the_articles_naming_angela_merkel(tmp_path):
    """After ``reader find-entities`` (the real model), a word of a name finds the
    articles naming it in full, and the full name still works."""
    library = tmp_path / "lib"
    ids = make_library(
        library,
        {
            "Berlin talks": "Chancellor Angela Merkel met Emmanuel Macron in Berlin on Monday.",
            "Paris visit": "Emmanuel Macron flew to Madrid on Tuesday to meet Pedro Sanchez.",
        },
    )
    indexed = run(tmp_path, library, "find-entities")
    assert indexed.returncode == 0, indexed.stderr
    assert listed(tmp_path, library, 'entity:"Angela Merkel"') == {ids["Berlin talks"]}
    assert listed(tmp_path, library, "entity:Merkel") == {ids["Berlin talks"]}
    assert listed(tmp_path, library, "entity:macron") == set(ids.values())
    assert listed(tmp_path, library, "entity:Merk") == set()
