"""The reader's entity corrections: ``apply_corrections`` on its own, through
``EntityService`` on a real library in tmp_path, and in the app with Pilot (x, l, E,
digits, ]e/[e, the entity panel and m).

One spaCy model is loaded for the whole module: every test shares one
``EntityService`` whose library rules come from the library of the running test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.core.corrections import apply_corrections
from reader.core.entities import EntityService
from reader.core.library import Library
from reader.core.models import ArticleDraft, Correction, Entity
from reader.core.query import parse_query
from reader.core.store import ArticleStore

ARTICLE = (
    "Prime Minister Jacinda Ardern visited Wellington on Monday to meet farmers.\n\n"
    "Ardern said the government would help families near Saraqeb, where fighting "
    "continued. Officials in Saraqeb said 20 people had died.\n\n"
    "On Tuesday, Ardern flew to Auckland with Finance Minister Grant Robertson."
)
OTHER = (
    "Shelling hit Taftanaz and Saraqeb overnight, residents of Taftanaz said.\n\n"
    "The Syrian Observatory for Human Rights said 12 civilians died."
)
LATER = "Saraqeb fell on Monday. Taftanaz was next, rebels said.\n\nTurkish troops moved north."


# --- apply_corrections on its own ------------------------------------------------------------

TEXT = "Ardern met Robertson in Wellington. Robertson and Ardern left Wellingtonia for Wellington."


def ent(text: str, label: str, nth: int = 0, within: str = TEXT) -> Entity:
    at = -1
    for _ in range(nth + 1):
        at = within.index(text, at + 1)
    return Entity(at, at + len(text), label, text)


FOUND = [
    ent("Ardern", "PERSON"),
    ent("Robertson", "GPE"),
    ent("Wellington", "GPE"),
    ent("Robertson", "PERSON", 1),
    ent("Ardern", "PERSON", 1),
    ent("Wellington", "GPE", 2),
]


def fix(action: str, entity: Entity, label: str = "") -> Correction:
    return Correction("c-" + action, action, entity.text, label, entity.start, entity.end)


def rule(action: str, text: str, label: str = "") -> Correction:
    return Correction("r-" + action + text, action, text, label)


def test_no_corrections_change_nothing():
    assert apply_corrections(TEXT, FOUND, []) == sorted(FOUND, key=lambda e: e.start)


def test_remove_by_position_removes_only_that_mention():
    target = FOUND[0]
    out = apply_corrections(TEXT, FOUND, [fix("remove", target)])
    assert target not in out
    assert ent("Ardern", "PERSON", 1) in out
    assert len(out) == len(FOUND) - 1


def test_relabel_by_position():
    target = ent("Robertson", "GPE")
    out = apply_corrections(TEXT, FOUND, [fix("label", target, "PERSON")])
    assert Entity(target.start, target.end, "PERSON", "Robertson") in out
    assert target not in out
    assert len(out) == len(FOUND)


def test_relabel_in_an_article_holds_for_the_names_other_mentions_there():
    """One label per name within an article: relabelling one Wellington makes the
    other (found) Wellington a person too, not "Wellingtonia", and adds nothing."""
    target = ent("Wellington", "GPE")
    out = apply_corrections(TEXT, FOUND, [fix("label", target, "PERSON")])
    assert [(e.text, e.label) for e in out if "Wellington" in e.text] == [
        ("Wellington", "PERSON"),
        ("Wellington", "PERSON"),
    ]
    assert len(out) == len(FOUND)


def test_add_by_position_replaces_what_it_overlaps():
    text = "the Free Syrian Army attacked"
    found = [Entity(9, 15, "NORP", "Syrian")]
    added = Correction("a1", "add", "Free Syrian Army", "ORG", 4, 20)
    assert apply_corrections(text, found, [added]) == [Entity(4, 20, "ORG", "Free Syrian Army")]


def test_add_where_nothing_was_found():
    text = "Residents of Taftanaz fled."
    out = apply_corrections(text, [], [Correction("a1", "add", "Taftanaz", "GPE", 13, 21)])
    assert out == [Entity(13, 21, "GPE", "Taftanaz")]


def test_a_position_correction_whose_text_changed_no_longer_applies():
    target = ent("Robertson", "GPE")
    correction = fix("label", target, "PERSON")
    changed = TEXT.replace("Ardern met Robertson", "Ardern met Robinson ")
    assert len(changed) == len(TEXT)
    found = [e for e in FOUND if e.text != "Robertson"]
    assert apply_corrections(changed, found, [correction]) == sorted(found, key=lambda e: e.start)
    assert apply_corrections(changed, found, [fix("remove", FOUND[0])]) != []
    # A removal on a moved span does not remove what is there now either.
    moved = Correction("m", "remove", "Ardern", "", 1, 7)
    assert apply_corrections(TEXT, FOUND, [moved]) == sorted(FOUND, key=lambda e: e.start)


def test_library_wide_remove_by_text_removes_every_mention():
    out = apply_corrections(TEXT, FOUND, [rule("remove", "Robertson")])
    assert [e.text for e in out] == ["Ardern", "Wellington", "Ardern", "Wellington"]


def test_library_wide_label_relabels_and_adds_missed_mentions_on_word_boundaries():
    found = [ent("Wellington", "ORG")]  # the model missed the last one and mislabelled one
    out = apply_corrections(TEXT, found, [rule("label", "Wellington", "GPE")])
    assert out == [ent("Wellington", "GPE"), ent("Wellington", "GPE", 2)]
    # "Wellingtonia" is not "Wellington".
    assert all(TEXT[e.start : e.end + 1] != "Wellingtoni" for e in out)


def test_library_wide_label_does_not_add_inside_a_longer_entity():
    text = "The Wellington Council met in Wellington."
    found = [Entity(4, 23, "ORG", "Wellington Council")]
    out = apply_corrections(text, found, [rule("label", "Wellington", "GPE")])
    assert out == [Entity(4, 23, "ORG", "Wellington Council"), Entity(30, 40, "GPE", "Wellington")]


def test_library_wide_label_matches_before_punctuation_and_possessives():
    text = "Taftanaz's mayor left Taftanaz. (Taftanaz) Taftanazi"
    out = apply_corrections(text, [], [rule("label", "Taftanaz", "GPE")])
    assert [e.start for e in out] == [0, 22, 33]
    assert all(e.text == "Taftanaz" and e.label == "GPE" for e in out)


def test_article_correction_overrides_a_library_rule():
    keep = ent("Robertson", "GPE")
    out = apply_corrections(
        TEXT,
        FOUND,
        [
            rule("label", "Robertson", "PERSON"),
            fix("label", keep, "GPE"),
        ],
    )
    assert Entity(keep.start, keep.end, "GPE", "Robertson") in out
    # In this article the reader's word holds for every mention of the name.
    assert ent("Robertson", "GPE", 1) in out


def test_offsets_always_index_the_text():
    corrections = [
        rule("label", "Wellington", "GPE"),
        rule("remove", "Ardern"),
        fix(
            "add",
            Entity(TEXT.index("Wellingtonia"), TEXT.index("Wellingtonia") + 12, "", "Wellingtonia"),
            "LOC",
        ),
    ]
    for e in apply_corrections(TEXT, FOUND, corrections):
        assert TEXT[e.start : e.end] == e.text


# --- through EntityService on a real library -------------------------------------------------


class CurrentRules:
    """A rule source that follows the running test's library (one service per module)."""

    store: ArticleStore | None = None

    def corrections(self) -> list[Correction]:
        return self.store.corrections() if self.store is not None else []


@pytest.fixture(scope="module")
def rules() -> CurrentRules:
    return CurrentRules()


@pytest.fixture(scope="module")
def service(rules: CurrentRules) -> EntityService:
    service = EntityService(rules=rules)
    service.recogniser()  # the one model load of the module
    return service


@pytest.fixture
def lib(tmp_path: Path, rules: CurrentRules) -> Library:
    library = Library(tmp_path / "lib").ensure()
    rules.store = library.rule_store()
    return library


def add(library: Library, text: str, title: str) -> str:
    result = library.add(ArticleDraft(text=text, title=title, date="2020-03-01"))
    assert result.status == "added"
    return result.article_id


def entities(service: EntityService, library: Library, article_id: str) -> tuple[list, bool]:
    article, _ = library.load(article_id)
    found, cached = service.entities_for(article, library.store(article_id))
    for e in found:
        assert article.text[e.start : e.end] == e.text
    return found, cached


def pairs(found: list[Entity]) -> list[tuple[str, str]]:
    return [(e.text, e.label) for e in found]


def test_article_correction_survives_recomputation(service, lib):
    article_id = add(lib, ARTICLE, "Ardern visits")
    store = lib.store(article_id)
    first, cached = entities(service, lib, article_id)
    assert cached is False
    wellington = next(e for e in first if e.text == "Wellington")
    assert wellington.label == "GPE"
    store.save_correction(
        Correction("c1", "label", "Wellington", "ORG", wellington.start, wellington.end)
    )
    again, cached = entities(service, lib, article_id)
    assert cached is True
    assert Entity(wellington.start, wellington.end, "ORG", "Wellington") in again

    # Throw the cache away (an entry under another key), so the model runs again.
    article, _ = lib.load(article_id)
    store.cache_entities("some-other-model==0+rules0+libnone", article.info.text_sha256, [])
    assert store.cached_entities(service.cache_key(), article.info.text_sha256) is None
    recomputed, cached = entities(service, lib, article_id)
    assert cached is False
    assert recomputed == again
    # The cache holds the model's entities; the correction is applied over them.
    raw = store.cached_entities(service.cache_key(), article.info.text_sha256)
    assert wellington in raw


@pytest.mark.parametrize(
    "bad_row",
    [
        [0, 10_000, "PERSON", "Far beyond the text"],  # past its end
        [0, 6, "PERSON", "Nobody"],  # not what the text says there
        [5, 2, "PERSON", "xy"],  # backwards
        ["0", 6, "PERSON", "Jacinda"],  # of the wrong type
    ],
)
def test_a_malformed_cached_entity_is_found_again_not_shown(service, lib, bad_row):
    """A cache edited by hand (or by another tool) with a row that does not fit
    the text: the entities are found again and the cache is written anew,
    rather than a span past the text's end reaching the article view (issue 13)."""
    import json

    article_id = add(lib, ARTICLE, "Ardern visits")
    good, cached = entities(service, lib, article_id)
    assert cached is False and good
    store = lib.store(article_id)
    data = json.loads(store.path.read_text())
    (cache,) = data["entities"].values()
    cache["entities"].append(bad_row)
    store.path.write_text(json.dumps(data))
    again, cached = entities(service, lib, article_id)  # (each entity checked on the text)
    assert cached is False, "a malformed cache was used"
    assert again == good
    article, _ = lib.load(article_id)
    rows = json.loads(store.path.read_text())["entities"]
    assert bad_row not in next(iter(rows.values()))["entities"]
    assert store.cached_entities(service.cache_key(), article.info.text_sha256) is not None


def test_article_corrections_stay_in_their_article(service, lib):
    first_id = add(lib, ARTICLE, "Ardern visits")
    second_id = add(lib, ARTICLE + "\n\nMore later.", "Ardern again")
    found, _ = entities(service, lib, first_id)
    monday = next(e for e in found if e.text == "Monday")
    lib.store(first_id).save_correction(
        Correction("c1", "remove", "Monday", "", monday.start, monday.end)
    )
    assert "Monday" not in [e.text for e in entities(service, lib, first_id)[0]]
    assert ("Monday", "DATE") in pairs(entities(service, lib, second_id)[0])


def test_library_rule_applies_to_every_article_even_one_added_later(service, lib):
    first_id = add(lib, ARTICLE, "Ardern visits")
    other_id = add(lib, OTHER, "Shelling")
    before_key = service.cache_key()
    before, _ = entities(service, lib, other_id)
    assert ("Taftanaz", "PERSON") in pairs(before)  # the model's mistake
    entities(service, lib, first_id)

    lib.rule_store().save_correction(Correction("r1", "label", "Saraqeb", "GPE"))
    lib.rule_store().save_correction(Correction("r2", "label", "Taftanaz", "GPE"))
    assert (lib.annotations_dir / "_rules.json").is_file()
    after_key = service.cache_key()
    assert after_key != before_key  # every article's cache is stale now

    for article_id in (first_id, other_id):
        found, cached = entities(service, lib, article_id)
        assert cached is False
        assert {label for text, label in pairs(found) if text in {"Saraqeb", "Taftanaz"}} <= {"GPE"}
    other, _ = entities(service, lib, other_id)
    assert [label for text, label in pairs(other) if text == "Taftanaz"] == ["GPE", "GPE"]

    later_id = add(lib, LATER, "Saraqeb falls")
    later, cached = entities(service, lib, later_id)
    assert cached is False
    assert ("Taftanaz", "GPE") in pairs(later)
    assert ("Saraqeb", "GPE") in pairs(later)
    # The model's cache has the rule too (the EntityRuler), so label: and entity:
    # filters over the cache agree with what the article shows.
    article, _ = lib.load(later_id)
    raw = lib.store(later_id).cached_entities(after_key, article.info.text_sha256)
    assert ("Taftanaz", "GPE") in pairs(raw)


def test_library_remove_rule_removes_everywhere(service, lib):
    first_id = add(lib, ARTICLE, "Ardern visits")
    other_id = add(lib, OTHER, "Shelling")
    lib.rule_store().save_correction(Correction("r1", "remove", "Saraqeb"))
    for article_id in (first_id, other_id):
        found, _ = entities(service, lib, article_id)
        assert "Saraqeb" not in [e.text for e in found]
        assert found


def test_cache_key_changes_when_rules_change(service, lib):
    keys = [service.cache_key()]
    assert keys[0].endswith("+libnone")
    store = lib.rule_store()
    store.save_correction(Correction("r1", "label", "Saraqeb", "GPE"))
    keys.append(service.cache_key())
    store.save_correction(Correction("r2", "remove", "Monday"))
    keys.append(service.cache_key())
    # The same rule saved again (another id) replaces the first: same key.
    store.save_correction(Correction("r3", "label", "Saraqeb", "GPE"))
    keys.append(service.cache_key())
    store.delete_correction("r2")
    keys.append(service.cache_key())
    assert len(set(keys[:3])) == 3
    assert keys[3] == keys[2]
    assert keys[4] == keys[1]


def test_entities_cached_under_older_rules_are_found_again_not_shown(service, lib):
    """The cache key holds the rules' version (issue 11): an article whose
    entities were cached by an older version of reader's rules is listed for
    the background recogniser, and opening it finds them again."""
    from reader.core.entity_batch import articles_needing_entities
    from reader.core.recogniser import RULES_VERSION

    article_id = add(lib, ARTICLE, "Ardern visits")
    article, _ = lib.load(article_id)
    key = service.cache_key()
    assert f"+rules{RULES_VERSION}+" in key
    older = key.replace(f"+rules{RULES_VERSION}+", f"+rules{RULES_VERSION - 1}+")
    stale = [Entity(0, 5, "ORG", "Prime")]  # what an older version might have said
    lib.store(article_id).cache_entities(older, article.info.text_sha256, stale)
    assert articles_needing_entities(lib, service) == [article_id]
    found, cached = entities(service, lib, article_id)
    assert cached is False
    assert ("Prime", "ORG") not in pairs(found)
    assert ("Jacinda Ardern", "PERSON") in pairs(found)
    assert articles_needing_entities(lib, service) == []


def test_library_remove_rule_reaches_the_entity_filter(service, lib):
    """BUG: the library's `entity:"NAME"` filter (app and `reader list`) reads the
    names from the entity cache, which holds the model's entities before the
    reader's corrections. A library-wide "not an entity" rule (x then a) is not fed
    to the pipeline, so the article still matches entity:"Saraqeb" although the
    article shows no such entity."""
    article_id = add(lib, OTHER, "Shelling")
    lib.rule_store().save_correction(Correction("r1", "remove", "Saraqeb"))
    found, _ = entities(service, lib, article_id)
    assert "Saraqeb" not in [e.text for e in found]
    lib.catalog.ensure()
    assert lib.catalog.article_ids(parse_query('entity:"Saraqeb"')) == []
    assert lib.catalog.article_ids(parse_query('entity:"Saraqeb" OR shelling')) != []


def test_article_relabel_reaches_the_label_filter(service, lib):
    """BUG (same cause): an article's correction is not in the cache either, so
    after relabelling the only PERSON "Taftanaz" as a place, label:PERSON still
    lists the article and label:place does not."""
    article_id = add(lib, "Shelling hit Taftanaz and Sarmin overnight.", "Taftanaz")
    found, _ = entities(service, lib, article_id)
    (town,) = [e for e in found if e.text == "Taftanaz"]
    assert town.label == "PERSON"
    lib.store(article_id).save_correction(
        Correction("c1", "label", "Taftanaz", "GPE", town.start, town.end)
    )
    assert ("Taftanaz", "GPE") in pairs(entities(service, lib, article_id)[0])
    lib.catalog.ensure()
    assert len(lib.catalog.article_ids(parse_query("label:place"))) == 1
    assert lib.catalog.article_ids(parse_query("label:PERSON")) == []


# --- in the app, with Pilot ------------------------------------------------------------------


SIZE = (120, 40)


async def until(pilot, predicate: Callable[[], bool], timeout: float = 15.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


async def open_article(app, pilot):  # noqa: ANN001, ANN201
    from reader.tui.screens.article import ArticleScreen
    from reader.tui.screens.library import LibraryScreen
    from reader.tui.widgets.article_view import ArticleView

    await until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.listed())
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ArticleScreen))
    view = app.screen.query_one(ArticleView)
    await until(pilot, lambda: bool(view.entities))
    await app.screen.workers.wait_for_complete()
    await pilot.pause()
    return view


async def goto_entity(pilot, view, text: str, label: str | None = None) -> Entity:  # noqa: ANN001
    """Move the cursor with ]e until it is on the first mention of ``text``."""
    target = next(e for e in view.entities if e.text == text and label in {None, e.label})
    for _ in range(len(view.entities) + 1):
        if view.cursor == target.start:
            break
        await pilot.press("right_square_bracket", "e")
    assert view.cursor == target.start
    return target


@pytest.fixture
def app_library(lib: Library) -> tuple[Library, str]:
    return lib, add(lib, ARTICLE, "Ardern visits")


def make_app(library: Library, service: EntityService):  # noqa: ANN201
    from reader.tui.app import ReaderApp

    return ReaderApp(library, service)


async def test_l_relabels_the_entity_under_the_cursor(service, app_library):
    from reader.tui.dialogs.entity import LabelDialog

    library, article_id = app_library
    app = make_app(library, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(app, pilot)
        target = await goto_entity(pilot, view, "Wellington")
        assert target.label == "GPE"
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, LabelDialog))
        await pilot.press("up", "enter")  # GPE is highlighted; ORG is above it
        relabelled = Entity(target.start, target.end, "ORG", "Wellington")
        await until(pilot, lambda: relabelled in view.entities)
        assert target not in view.entities
        assert view.entity_at(view.cursor) == relabelled
    (correction,) = library.store(article_id).corrections()
    assert (
        correction.action,
        correction.text,
        correction.label,
        correction.start,
        correction.end,
    ) == ("label", "Wellington", "ORG", target.start, target.end)


async def test_x_then_y_removes_the_entity_in_this_article(service, app_library):
    from reader.tui.dialogs.entity import RemoveEntityDialog

    library, article_id = app_library
    app = make_app(library, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(app, pilot)
        target = await goto_entity(pilot, view, "Monday")
        count = len(view.entities)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, RemoveEntityDialog))
        await pilot.press("y")
        await until(pilot, lambda: target not in view.entities)
        assert len(view.entities) == count - 1
    (correction,) = library.store(article_id).corrections()
    assert (correction.action, correction.text, correction.start) == (
        "remove",
        "Monday",
        target.start,
    )
    assert library.rule_store().corrections() == []


async def test_x_then_a_makes_a_library_rule(service, app_library):
    from reader.tui.dialogs.entity import RemoveEntityDialog

    library, article_id = app_library
    app = make_app(library, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(app, pilot)
        assert len([e for e in view.entities if e.text == "Saraqeb"]) == 2
        await goto_entity(pilot, view, "Saraqeb")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, RemoveEntityDialog))
        await pilot.press("a")
        await until(pilot, lambda: not any(e.text == "Saraqeb" for e in view.entities))
        assert any(e.text == "Wellington" for e in view.entities)
    rules_file = library.annotations_dir / "_rules.json"
    stored = json.loads(rules_file.read_text(encoding="utf-8"))
    (record,) = stored["corrections"].values()
    assert (record["action"], record["text"], record["start"], record["end"]) == (
        "remove",
        "Saraqeb",
        -1,
        -1,
    )
    assert library.store(article_id).corrections() == []


async def test_E_marks_the_selection_as_an_entity(service, app_library):
    from reader.tui.dialogs.entity import LabelDialog

    library, article_id = app_library
    app = make_app(library, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(app, pilot)
        start = view.text.index("farmers")
        for _ in range(40):
            if view.cursor >= start:
                break
            await pilot.press("w")
        assert view.cursor == start
        await pilot.press("v", "e")
        assert view.selection == (start, start + len("farmers"))
        await pilot.press("M")
        await until(pilot, lambda: isinstance(app.screen, LabelDialog))
        await pilot.press("down", "enter")  # PERSON is highlighted first; ORG is next
        added = Entity(start, start + len("farmers"), "ORG", "farmers")
        await until(pilot, lambda: added in view.entities)
        assert view.selection is None
    (correction,) = library.store(article_id).corrections()
    assert (correction.action, correction.text, correction.label, correction.start) == (
        "add",
        "farmers",
        "ORG",
        start,
    )


async def test_z_and_a_digit_toggle_label_groups(service, app_library):
    from reader.tui.widgets.panels import EntityList, Legend

    library, _ = app_library
    app = make_app(library, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(app, pilot)
        panel = app.screen.query_one(EntityList)
        assert ("Jacinda Ardern", "PERSON") in [(e.name, e.label) for e in panel.names]
        await pilot.press("z", "1")
        assert view.hidden_groups == {"person"}
        assert not any(e.label == "PERSON" for e in panel.names)
        await pilot.press("z", "3")
        assert view.hidden_groups == {"person", "place"}
        await pilot.press("z", "1")
        assert view.hidden_groups == {"place"}
        assert ("Jacinda Ardern", "PERSON") in [(e.name, e.label) for e in panel.names]
        # ]e skips hidden types: from the top, the first shown entity is not a place.
        view.move_to(0)
        await pilot.press("right_square_bracket", "e")
        first_shown = next(
            e for e in view.entities if e.label not in {"GPE", "LOC", "FAC"} and e.start > 0
        )
        assert view.cursor == first_shown.start
        await pilot.press("z", "3")
        assert view.hidden_groups == set()
        legend = str(app.screen.query_one(Legend).render())
        assert "z1 person" in legend and "z3 place" in legend


async def test_bracket_e_moves_to_the_next_and_previous_entity(service, app_library):
    library, _ = app_library
    app = make_app(library, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(app, pilot)
        starts = sorted({e.start for e in view.entities})
        view.move_to(0)
        await pilot.pause()
        expected = [s for s in starts if s > 0]
        for start in expected[:5]:
            await pilot.press("right_square_bracket", "e")
            assert view.cursor == start
        # e alone is still "end of word", not a jump.
        here = view.cursor
        await pilot.press("e")
        assert view.cursor != here and view.cursor not in starts
        await pilot.press("left_square_bracket", "e")
        assert view.cursor == expected[4]
        await pilot.press("left_square_bracket", "e")
        assert view.cursor == expected[3]
        # At the last entity, ]e stays put.
        view.move_to(starts[-1])
        await pilot.press("right_square_bracket", "e")
        assert view.cursor == starts[-1]


async def test_bracket_e_in_one_write_still_moves_to_the_next_entity(service, app_library):
    """Issue 12: "]e" arriving in one write (SSH, tmux) acted as "e" (end of word):
    the prefix was set by a binding only once "]" had bubbled up to the app."""
    from tests.test_app_annotating import burst

    library, _ = app_library
    app = make_app(library, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(app, pilot)
        starts = sorted({e.start for e in view.entities if e.start > 0})
        view.move_to(0)
        await pilot.pause()
        burst(app, "]e")
        await pilot.pause()
        assert view.cursor == starts[0]
        burst(app, "]e]e[e")
        await pilot.pause()
        assert view.cursor == starts[1]
        burst(app, "]w")  # not a sequence: "]" is dropped, "w" moves a word
        await pilot.pause()
        after = view.cursor
        view.move_to(starts[1])
        await pilot.press("w")
        assert after == view.cursor != starts[1]


async def test_enter_in_the_entity_panel_jumps_to_the_next_mention(service, app_library):
    """The panel has one entry for "Jacinda Ardern" and the later "Ardern"s (one
    person), and Enter on it steps through all three mentions."""
    from reader.tui.widgets.panels import EntityList

    library, _ = app_library
    app = make_app(library, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(app, pilot)
        mentions = [e.start for e in view.entities if e.text in ("Jacinda Ardern", "Ardern")]
        assert len(mentions) == 3
        panel = app.screen.query_one(EntityList)
        people = [e for e in panel.names if e.label == "PERSON"]
        assert [(e.name, len(e.mentions)) for e in people if "Ardern" in e.name] == [
            ("Jacinda Ardern", 3)
        ]
        view.move_to(0)
        await pilot.press("tab")
        assert panel.has_focus
        panel.highlighted = [e.name for e in panel.names].index("Jacinda Ardern")
        for expected in [*mentions, mentions[0]]:  # round again at the end
            await pilot.press("enter")
            assert view.cursor == expected
            panel.focus()


async def test_star_and_hash_step_through_the_mentions_of_the_entity_here(service, app_library):
    library, _ = app_library
    app = make_app(library, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_article(app, pilot)
        mentions = [e.start for e in view.entities if e.text in ("Jacinda Ardern", "Ardern")]
        view.move_to(mentions[0] + 3)
        await pilot.press("asterisk")
        assert view.cursor == mentions[1]
        await pilot.press("asterisk")
        assert view.cursor == mentions[2]
        status = str(app.screen.query_one("#article-status").render())
        assert "Jacinda Ardern: mention 3 of 3" in status
        await pilot.press("number_sign", "number_sign")
        assert view.cursor == mentions[0]


async def open_listed_article(app, pilot, lib: Library, text: str, listed: int):  # noqa: ANN001, ANN201
    """Once the library lists ``listed`` articles, open the one whose text is
    ``text``, whichever row it is on."""
    from reader.tui.screens.library import LibraryScreen

    await until(
        pilot, lambda: isinstance(app.screen, LibraryScreen) and len(app.screen.listed()) == listed
    )
    articles = app.screen.article_list
    for _ in range(listed):
        row = lib.catalog.rows([articles.highlighted])[articles.highlighted].id
        if lib.load(row)[0].text == text:
            break
        await pilot.press("j")
    return await open_article(app, pilot)


async def test_m_lists_the_articles_mentioning_the_entity(service, lib):
    from reader.tui.screens.library import LibraryScreen

    add(lib, ARTICLE, "Ardern visits")
    add(lib, OTHER, "Shelling")
    app = make_app(lib, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_listed_article(app, pilot, lib, ARTICLE, listed=2)
        await goto_entity(pilot, view, "Wellington")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        screen = app.screen
        assert screen.query_one("#filter").value == 'entity:"Wellington"'
        await until(pilot, lambda: len(screen.article_list.ids) == 1)
        (row,) = [info.id for info in screen.listed()]
        assert lib.load(row)[0].text == ARTICLE


async def test_m_on_a_surname_lists_the_articles_naming_the_person_by_any_name(service, lib):
    """ "Ardern" is "Jacinda Ardern" in this article: m asks the library for both
    names, and finds the other article, which says "Jacinda Ardern" only."""
    from reader.tui.screens.library import LibraryScreen

    add(lib, ARTICLE, "Ardern visits")
    speech = add(lib, "Jacinda Ardern spoke in Auckland on Friday.", "Auckland speech")
    entities(service, lib, speech)  # found, as the background recogniser would
    add(lib, OTHER, "Shelling")
    app = make_app(lib, service)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_listed_article(app, pilot, lib, ARTICLE, listed=3)
        await goto_entity(pilot, view, "Ardern")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        screen = app.screen
        assert screen.query_one("#filter").value == 'entity:"Jacinda Ardern" OR entity:"Ardern"'
        await until(pilot, lambda: len(screen.article_list.ids) == 2)
        titles = {info.title for info in screen.listed()}
        assert titles == {"Ardern visits", "Auckland speech"}
