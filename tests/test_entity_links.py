"""Linking an article's mentions of one thing (reader.core.entity_links), on
mentions written here: which link, which stay apart, the entry's name and label,
and the library query for all its names."""

from __future__ import annotations

import re

from reader.core.entity_links import entity_query, link_entities
from reader.core.models import Entity


def mentions(text: str, *wanted: tuple[str, str]) -> list[Entity]:
    """Entities for (surface, label) pairs, each at the first occurrence of its
    surface as whole words in ``text`` that no earlier pair took."""
    out: list[Entity] = []
    for surface, label in wanted:
        at = next(
            m.start()
            for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text)
            if not any(e.start < m.end() and m.start() < e.end for e in out)
        )
        out.append(Entity(at, at + len(surface), label, surface))
    return out


def linked(text: str, *wanted: tuple[str, str]) -> dict[str, list[str]]:
    """Each linked entity's name -> its mentions' texts, in text order."""
    return {
        one.name: [m.text for m in one.mentions] for one in link_entities(mentions(text, *wanted))
    }


def test_a_surname_after_the_full_name_is_that_person():
    text = "Recep Tayyip Erdogan spoke. Erdogan left. Tayyip Erdogan returned."
    assert linked(
        text,
        ("Recep Tayyip Erdogan", "PERSON"),
        ("Erdogan", "PERSON"),
        ("Tayyip Erdogan", "PERSON"),
    ) == {"Recep Tayyip Erdogan": ["Recep Tayyip Erdogan", "Erdogan", "Tayyip Erdogan"]}


def test_a_surname_before_the_full_name_is_linked_too():
    text = "Erdogan spoke first; later Recep Tayyip Erdogan left."
    result = linked(text, ("Erdogan", "PERSON"), ("Recep Tayyip Erdogan", "PERSON"))
    assert result == {"Recep Tayyip Erdogan": ["Erdogan", "Recep Tayyip Erdogan"]}


def test_a_surname_two_people_share_stays_apart():
    text = "Bill Clinton and Hillary Clinton arrived. Clinton spoke."
    result = linked(
        text,
        ("Bill Clinton", "PERSON"),
        ("Hillary Clinton", "PERSON"),
        ("Clinton", "PERSON"),
    )
    assert result == {
        "Bill Clinton": ["Bill Clinton"],
        "Hillary Clinton": ["Hillary Clinton"],
        "Clinton": ["Clinton"],
    }


def test_a_word_inside_another_word_is_no_link():
    text = "Ali Khan spoke. Ali left."
    assert linked(text, ("Ali Khan", "PERSON"), ("Ali", "PERSON")) == {
        "Ali Khan": ["Ali Khan", "Ali"]
    }
    text = "Alicia Keys sang. Ali left."
    assert linked(text, ("Alicia Keys", "PERSON"), ("Ali", "PERSON")) == {
        "Alicia Keys": ["Alicia Keys"],
        "Ali": ["Ali"],
    }


def test_a_person_and_a_place_of_one_word_stay_apart():
    text = "George Washington was born far from Washington."
    assert linked(text, ("George Washington", "PERSON"), ("Washington", "GPE")) == {
        "George Washington": ["George Washington"],
        "Washington": ["Washington"],
    }


def test_the_united_nations_united_nations_and_un_are_one():
    text = "The United Nations met. United Nations staff and UN troops, and U.N. aid."
    result = link_entities(
        mentions(
            text,
            ("The United Nations", "ORG"),
            ("United Nations", "ORG"),
            ("UN", "ORG"),
            ("U.N.", "ORG"),
        )
    )
    assert len(result) == 1
    (un,) = result
    assert un.name == "United Nations"  # the longest, without "The"
    assert un.names == ("United Nations", "U.N.", "UN")  # longest first
    assert len(un.mentions) == 4
    assert entity_query(un).count("entity:") == 3


def test_an_acronym_of_two_names_stays_apart():
    text = "The European Union and the Eastern Ukraine mission met the EU."
    result = linked(
        text,
        ("The European Union", "ORG"),
        ("the Eastern Ukraine mission", "ORG"),
        ("EU", "ORG"),
    )
    # "Eastern Ukraine mission" spells "eum", not "eu": one expansion only.
    assert result["European Union"] == ["The European Union", "EU"]
    text = "The European Union and the Energy Unit met the EU."
    result = linked(text, ("The European Union", "ORG"), ("the Energy Unit", "ORG"), ("EU", "ORG"))
    assert result["EU"] == ["EU"]  # two names it could stand for: apart


def test_a_word_in_capitals_that_is_no_acronym_of_a_name_stays_apart():
    text = "NATO met the North Atlantic Council."
    assert linked(text, ("NATO", "ORG"), ("the North Atlantic Council", "ORG")) == {
        "NATO": ["NATO"],
        "North Atlantic Council": ["the North Atlantic Council"],
    }


def test_dates_and_numbers_link_by_name_alone():
    text = "On Monday 20 people died; on monday 20 more."
    assert linked(
        text,
        ("Monday", "DATE"),
        ("20", "CARDINAL"),
        ("monday", "DATE"),
        ("20", "CARDINAL"),
    ) == {"Monday": ["Monday", "monday"], "20": ["20", "20"]}


def test_the_label_is_the_one_most_mentions_have():
    text = "Jordan closed. Jordan opened. Jordan waited."
    (one,) = link_entities(mentions(text, ("Jordan", "GPE"), ("Jordan", "LOC"), ("Jordan", "GPE")))
    assert one.label == "GPE" and len(one.mentions) == 3


def test_entries_come_in_the_order_of_their_first_mentions():
    text = "Ankara said Erdogan would go. Recep Tayyip Erdogan went to Ankara."
    result = link_entities(
        mentions(
            text,
            ("Ankara", "GPE"),
            ("Erdogan", "PERSON"),
            ("Recep Tayyip Erdogan", "PERSON"),
            ("Ankara", "GPE"),
        )
    )
    assert [one.name for one in result] == ["Ankara", "Recep Tayyip Erdogan"]


def test_the_query_quotes_each_name_and_drops_quotes_inside():
    text = 'Osama "the Sheikh" bin Laden spoke.'
    (one,) = link_entities(mentions(text, ('Osama "the Sheikh" bin Laden', "PERSON")))
    assert entity_query(one) == 'entity:"Osama the Sheikh bin Laden"'


def test_nothing_to_link():
    assert link_entities([]) == []
