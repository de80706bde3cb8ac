"""Fixes to the app found in a QA session, each driven with Textual's Pilot on a real
library in ``tmp_path`` (no spaCy: entities, when a test needs them, arrive through
the screen's own ``EntitiesReady`` message).

1. notifications on the article screen are shown; 2. wide (CJK) characters wrap by
cell width and none is lost; 3. a second ``v`` keeps the selection; 4. ``u`` undoes
the latest change, whole-article tags and notes included; 5. the status line follows
the selection and the entities; 6. the panels highlight a row on focus and the cursor
stays visible; 7. ``ctrl+e`` and ``f1`` on the notes screen; 8. the library's export
starts with its filter; 9. a narrow terminal shows the text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Input, Static

from reader.core.library import Library
from reader.core.models import ArticleDraft, Entity
from reader.tui.app import ReaderApp
from reader.tui.dialogs.export import ExportDialog
from reader.tui.messages import EntitiesReady
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.notes import NotesScreen
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.panels import AnnotationList, EntityList
from tests.test_app_annotating import (
    NAME,
    SIZE,
    flush,
    make_library,
    new_app,
    open_seed,
    screen_items,
    settle,
    stored,
    submit_note,
    type_text,
    walk_to,
)


def messages(app: ReaderApp) -> list[str]:
    """The notifications being shown."""
    return [notification.message for notification in app._notifications]


def status(app: ReaderApp) -> str:
    return str(app.screen.query_one("#article-status", Static).render())


def shown_text(view: ArticleView) -> str:
    """What the view paints on its rows, as the terminal would show it."""
    return "".join(view.render_line(y).text for y in range(view.size.height))


async def give_entities(app: ReaderApp, pilot, entities: list[Entity]) -> None:  # noqa: ANN001
    screen = app.screen
    assert isinstance(screen, ArticleScreen)
    screen.post_message(EntitiesReady(screen.article.id, entities, True, 0.0))
    await pilot.pause()


def entity(text: str, within: str, label: str) -> Entity:
    start = within.index(text)
    return Entity(start, start + len(text), label, text)


# --- 1. notifications on the article screen --------------------------------------------


async def test_article_screen_notifications_are_shown(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        await pilot.press("u")
        await pilot.pause()
        assert "Nothing to undo." in messages(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Nothing to redo." in messages(app)
        # No entities (no model here): x on a plain word says so.
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert "No annotation or entity under the cursor." in messages(app)


# --- 2. wide characters ------------------------------------------------------------------

JAPANESE = (
    "東京都は日本の首都であり、世界有数の大都市である。人口は約千四百万人で、"
    "政治、経済、文化の中心地として発展してきた。江戸時代には徳川幕府が置かれ、"
    "明治維新の後に東京と改称された。現在では多くの企業の本社が集まり、"
    "国内外から多くの観光客が訪れる。交通網も発達しており、鉄道や地下鉄が"
    "網の目のように張り巡らされている。😀 絵文字も幅が二つのセルを占める。"
) * 2


async def test_wide_characters_wrap_by_cell_width_and_all_show(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib").ensure()
    library.add(ArticleDraft(text="Tokyo\n\n" + JAPANESE, title="東京"))
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        layout = view.text_layout
        # Every offset is on exactly one line, and no line is wider than the column.
        covered = [o for line in layout.lines for o in range(line.start, line.end)]
        assert covered == list(range(len(view.text)))
        widths = [cell_len(view.text[ln.start : ln.end].rstrip("\n")) for ln in layout.lines]
        assert max(widths) <= layout.width < view.size.width
        # Every character is painted (the article fits on the screen at this size).
        assert len(layout) < view.size.height
        assert "".join(shown_text(view).split()) == "".join(view.text.split())
        # The cursor still walks text offsets: G is the last character, j/k keep rows.
        await pilot.press("G")
        assert view.cursor == len(view.text) - 1
        await pilot.press("k")
        assert layout.row_of(view.cursor) == layout.row_of(len(view.text) - 1) - 1


# --- 3. a second v keeps the selection ---------------------------------------------------


async def test_second_v_keeps_the_selection_for_t(tmp_path: Path, seed_path: Path) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        target = view.text.index(NAME)
        await walk_to(pilot, view, target)
        await pilot.press("v", "e", "e", "e", "v")
        assert view.selection == (target, target + len(NAME))
        # A motion now moves the cursor, not the selection.
        await pilot.press("w")
        assert view.selection == (target, target + len(NAME))
        await pilot.press("t")
        await pilot.pause()
        await type_text(pilot, "leader")
        await pilot.press("enter")
        await pilot.pause()
        (created,) = screen_items(app)
        assert (created.exact, created.tags) == (NAME, ("leader",))
        assert view.selection is None

        # escape still cancels a kept selection.
        await pilot.press("v", "e", "v")
        assert view.selection is not None
        await pilot.press("escape")
        assert view.selection is None
        await flush(app, pilot)


# --- 4. undo follows the order of the changes -------------------------------------------


async def test_undo_undoes_article_tags_and_note_before_older_span_edits(
    tmp_path: Path, seed_path: Path
) -> None:
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        await walk_to(pilot, view, view.text.index(NAME))
        await pilot.press("v", "e", "e", "e", "t")
        await pilot.pause()
        await type_text(pilot, "leader")
        await pilot.press("enter")
        await pilot.pause()
        (span,) = screen_items(app)

        await pilot.press("T")
        await pilot.pause()
        await type_text(pilot, "syria")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        await type_text(pilot, "Whole")
        await submit_note(app, pilot)
        await pilot.pause()
        await flush(app, pilot)
        meta = stored(library, article_id)["meta"]["1"]["article"]
        assert (meta["tags"], meta["note"]) == (["syria"], "Whole")

        # u: the note goes, the span annotation stays.
        await pilot.press("u")
        await pilot.pause()
        await flush(app, pilot)
        meta = stored(library, article_id)["meta"]["1"]["article"]
        assert (meta["tags"], meta["note"]) == (["syria"], "")
        assert [a.id for a in screen_items(app)] == [span.id]
        assert any(m.startswith("Undone: the article's note") for m in messages(app))

        # u: the tags go, the span annotation still stays.
        await pilot.press("u")
        await pilot.pause()
        await flush(app, pilot)
        meta = stored(library, article_id)["meta"]["1"]["article"]
        assert meta["tags"] == []
        assert [a.id for a in screen_items(app)] == [span.id]
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.info.tags == ()

        # ctrl+r brings the tags back; then u, u, u undoes the span's creation.
        await pilot.press("ctrl+r")
        await pilot.pause()
        await flush(app, pilot)
        assert stored(library, article_id)["meta"]["1"]["article"]["tags"] == ["syria"]
        await pilot.press("u", "u")
        await pilot.pause()
        assert screen_items(app) == []
        assert any(m.startswith("Undone: creation of") for m in messages(app))


async def test_undo_after_an_entity_correction_does_not_undo_an_older_edit(
    tmp_path: Path, seed_path: Path
) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        await walk_to(pilot, view, view.text.index(NAME))
        await pilot.press("v", "e", "t")
        await pilot.pause()
        await type_text(pilot, "leader")
        await pilot.press("enter")
        await pilot.pause()
        assert len(screen_items(app)) == 1
        await pilot.press("w", "w", "w", "M")  # mark a word as an entity
        await pilot.pause()
        assert not isinstance(app.screen, ArticleScreen), "E opened no label dialog"
        await pilot.press("enter")
        await pilot.pause()
        await flush(app, pilot)
        await settle(app, pilot)
        await pilot.press("u")
        await pilot.pause()
        assert len(screen_items(app)) == 1, "u undid an older span edit"
        assert any("not undone by u" in m for m in messages(app))


# --- 5. the status line ------------------------------------------------------------------


async def test_status_line_follows_selection_and_entities(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        target = view.text.index(NAME)
        await walk_to(pilot, view, target)
        await pilot.press("w", "w", "w", "v", "b", "b", "b")
        await pilot.pause()
        assert view.cursor == target
        assert "selected" in status(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "selected" not in status(app)

        await give_entities(app, pilot, [entity(NAME, view.text, "PERSON")])
        assert view.entity_at(view.cursor) is not None
        assert f"{NAME} — person (PERSON)" in status(app)
        # A correction comes back as new entities: the status follows.
        await give_entities(app, pilot, [entity(NAME, view.text, "ORG")])
        assert f"{NAME} — organisation (ORG)" in status(app) and "PERSON" not in status(app)
        await give_entities(app, pilot, [])
        assert NAME not in status(app)


# --- 6. the panels -----------------------------------------------------------------------


async def test_panels_highlight_a_row_on_focus_and_enter_jumps(
    tmp_path: Path, seed_path: Path
) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        target = view.text.index(NAME)
        await give_entities(app, pilot, [entity(NAME, view.text, "PERSON")])
        await walk_to(pilot, view, target)
        await pilot.press("v", "e", "t")
        await pilot.pause()
        await type_text(pilot, "x")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("g", "g")
        assert view.cursor == 0

        await pilot.press("tab")
        await pilot.pause()
        entities = app.screen.query_one(EntityList)
        assert entities.has_focus and entities.highlighted == 0
        await pilot.press("enter")
        await pilot.pause()
        assert view.cursor == target
        # The focus stays in the panel: the mention at the cursor is still marked.
        assert entities.has_focus
        row = view.text_layout.row_of(target) - view.scroll_offset.y
        column = view._margin + view.text_layout.position(target)[1]
        marked = view.get_component_rich_style("article-view--cursor-blurred", partial=True)
        assert marked.underline and marked.bold
        at = 0
        for segment in view.render_line(row):
            if at <= column < at + len(segment.text):
                assert segment.text and NAME.startswith(segment.text)
                assert segment.style is not None
                assert segment.style.underline and segment.style.bold
                break
            at += len(segment.text)
        else:
            raise AssertionError("the mention's row is not painted")

        await pilot.press("tab")
        await pilot.pause()
        annotations = app.screen.query_one(AnnotationList)
        assert annotations.has_focus and annotations.highlighted == 0
        await pilot.press("tab", "g", "g", "tab", "tab")
        await pilot.pause()
        assert view.cursor == 0 and annotations.has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert view.cursor == target and view.has_focus


# --- 7. the notes screen -----------------------------------------------------------------


async def test_notes_screen_ctrl_e_and_f1_work_from_the_search_field(
    tmp_path: Path, seed_path: Path
) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, NotesScreen)
        assert isinstance(app.focused, Input)
        await type_text(pilot, "tag:war")
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.query_one("#export-query", Input).value == "tag:war"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen) and isinstance(app.focused, Input)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen)


# --- 8. the library's export ---------------------------------------------------------------


async def test_library_export_starts_with_the_filter(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("slash")
        await type_text(pilot, "tag:war")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert app.screen.query_one("#export-query", Input).value == "tag:war"


# --- 9. narrow terminals -------------------------------------------------------------------


async def test_narrow_terminal_shows_the_text(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=(60, 20)) as pilot:
        view = await open_seed(app, pilot)
        screen = app.screen
        assert not screen.query_one("#side-panel").display
        assert view.size.width >= 55
        first_words = " ".join(view.text.split()[:4])
        assert first_words in " ".join(shown_text(view).split())
        # p shows the panel, and hides it again.
        await pilot.press("p")
        await pilot.pause()
        assert screen.query_one("#side-panel").display
        await pilot.press("p")
        await pilot.pause()
        assert not screen.query_one("#side-panel").display

    # At 80 columns the panel stays, slimmer: the text keeps a readable width.
    app = new_app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_seed(app, pilot)
        assert app.screen.query_one("#side-panel").display
        assert view.size.width >= 48


async def test_the_command_palette_has_one_keys_command(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles.count("Keys") == 1
        assert {"Export notes", "Add articles", "Quit"} <= set(titles)


async def test_typing_in_the_tag_dialog_adds_to_the_tags_there(
    tmp_path: Path, seed_path: Path
) -> None:
    """The tag dialog opens with the cursor after the existing tags, nothing
    selected: ", gamma" adds a tag instead of replacing them all."""
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        for typed in ("alpha, beta", ", gamma"):
            await pilot.press("T")
            await pilot.pause()
            assert str(app.screen.query_one(".dialog-quote", Static).render()).startswith(
                "The whole article: “"
            )
            await type_text(pilot, typed)
            await pilot.press("enter")
            await pilot.pause()
        await flush(app, pilot)
    assert stored(library, article_id)["meta"]["1"]["article"]["tags"] == [
        "alpha",
        "beta",
        "gamma",
    ]


async def test_the_cursor_and_selection_step_over_whole_emoji(tmp_path: Path) -> None:
    """A flag is two code points and a family emoji seven: right steps over each
    whole, and a selection ending on one saves all of it, never half a flag."""
    from reader.core.text import grapheme_bounds

    text = "Paris 🇫🇷 and the family 👨‍👩‍👧‍👦 cheered with e\u0301lan.\n\nA second paragraph."
    library = Library(tmp_path / "lib").ensure()
    article_id = library.add(ArticleDraft(text=text, title="Emoji")).article_id
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        view = app.screen.query_one(ArticleView)
        bounds = grapheme_bounds(text)
        assert bounds is not None
        visited = [view.cursor]
        while view.cursor < text.index("lan"):
            await pilot.press("right")
            visited.append(view.cursor)
        assert visited == [b for b in bounds if b <= text.index("lan")]
        assert text.index("🇷") not in visited and text.index("\u0301") not in visited
        # Select the flag alone (v on it, v again), tag it: the whole flag is saved.
        view.move_to(text.index("🇫"))
        await pilot.press("v", "v", "t")
        await pilot.pause()
        await type_text(pilot, "flag")
        await pilot.press("enter")
        await flush(app, pilot)
        # Left from after the flag lands on its start.
        view.move_to(text.index(" and"))
        await pilot.press("left")
        assert view.cursor == text.index("🇫")
    (record,) = stored(library, article_id)["annotations"].values()
    quote = {s["type"]: s for s in record["target"]["selector"]}["TextQuoteSelector"]
    assert quote["exact"] == "🇫🇷"


def test_chinese_and_japanese_wrap_between_characters() -> None:
    """Written without spaces, these scripts break between any two characters:
    a Latin name glued to them must not push whole runs onto the next line."""
    from rich.cells import cell_len

    from reader.tui.widgets.layout import Layout

    text = (
        "一方、中国の北京では、Xi Jinping国家主席が冬季オリンピックの準備を視察した。"
        "2021年7月、東京で開催されたオリンピックについて、John Smith記者が報じた。"
    )
    layout = Layout(text, 30)
    shown = [text[line.start : line.end] for line in layout.lines]
    assert "".join(shown) == text
    assert all(cell_len(line) <= 30 for line in shown)
    assert all(cell_len(line) >= 24 for line in shown[:-1]), shown  # no half-empty lines
    assert not any(line.startswith(("、", "。")) for line in shown)


async def test_dialogs_fit_a_small_terminal(tmp_path: Path, seed_path: Path) -> None:
    """At 80x24 the export dialog's fields can all be reached (the dialog scrolls
    to the focused one), and its hint wraps instead of being cut."""
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_seed(app, pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        box = dialog.query_one(".dialog").region
        assert box.right <= 80 and box.bottom <= 24
        for field in ("#export-query", "#export-output"):
            dialog.query_one(field, Input).focus()
            await pilot.pause()
            region = dialog.query_one(field, Input).region
            assert box.y <= region.y and region.bottom <= box.bottom, (field, region, box)
        hint = dialog.query_one(".dialog-hint", Static)
        assert "escape cancels" in " ".join(str(hint.render()).split())
        assert hint.region.width <= box.width


async def test_g_and_shift_g_jump_to_the_first_and_last_article(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib").ensure()
    library.add_many(
        [
            ArticleDraft(text=f"Story number {n} about the port.", title=f"Story {n}")
            for n in range(5)
        ]
    )
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        article_list = app.screen.article_list
        await pilot.press("G")
        assert article_list.cursor == 4
        await pilot.press("g")
        assert article_list.cursor == 0
        await pilot.press("j", "j", "down")
        assert article_list.cursor == 3
        await pilot.press("k", "up")
        assert article_list.cursor == 1
        await pilot.press("end")
        assert article_list.cursor == 4
        await pilot.press("home")
        assert article_list.cursor == 0
        assert "press a to add" not in status_text(app)


def status_text(app: ReaderApp) -> str:
    return str(app.screen.query_one("#library-status", Static).render())


async def test_an_empty_library_says_how_to_add_articles(tmp_path: Path) -> None:
    app = new_app(Library(tmp_path / "empty").ensure())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert status_text(app) == "The library is empty: press a to add a file, folder or URL."


async def test_the_articles_own_note_is_found_by_notes_search(
    tmp_path: Path, seed_path: Path
) -> None:
    """T and N on the article are notes too: the Notes screen and reader notes
    find them (first), and enter opens the article."""
    import json
    import subprocess
    import sys

    library, article_id = make_library(tmp_path, seed_path)
    store = library.store(article_id)
    info = library.load(article_id)[0].info
    store.update_article(info, tags=("syria",), note="Retaliation after Idlib.\nCheck SOHR.")
    cli = [sys.executable, "-m", "reader", "--library", str(library.root), "notes"]
    lines = subprocess.run([*cli, "idlib"], capture_output=True, text=True).stdout.splitlines()
    assert lines == [f"article\t{article_id}\tarticle\t#syria\t\tRetaliation after Idlib."]
    records = subprocess.run([*cli, "--json", "tag:syria"], capture_output=True, text=True)
    (record,) = [json.loads(line) for line in records.stdout.splitlines()]
    assert (record["kind"], record["article"], record["tags"]) == ("article", article_id, ["syria"])
    nothing = subprocess.run([*cli, "state:orphan"], capture_output=True, text=True)
    assert nothing.stdout == ""

    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen)
        await type_text(pilot, "idlib")
        await settle(app, pilot)
        assert [a for _, a in app.screen.found] == [None]
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ArticleScreen) and app.screen.article.id == article_id


async def test_entities_unavailable_is_said_once_per_article(
    tmp_path: Path, seed_path: Path
) -> None:
    """No model here: the first opening says so in a notification, later ones only in
    the legend (a toast at every opening of the same article is noise)."""
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)  # a model package that does not exist
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            await open_seed(app, pilot)
            await settle(app, pilot)
            assert app.screen.entity_status.startswith("no entities:")
            await pilot.press("q")
            await settle(app, pilot)
        titles = [n.title for n in app._notifications]
        assert titles.count("Entities unavailable") == 1


async def test_the_articles_tags_set_in_another_window_show_and_are_kept(
    tmp_path: Path, seed_path: Path
) -> None:
    """Another window (here the store API, as another process would) sets the whole
    article's tags: this screen shows them within a poll, and its T dialog starts
    from them, so adding a tag keeps them."""
    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        info = library.load(article_id)[0].info
        library.store(article_id).update_article(info, tags=("elsewhere",))
        screen = app.screen
        for _ in range(40):
            await pilot.pause(0.1)
            if screen.article.info.tags == ("elsewhere",):
                break
        assert screen.article.info.tags == ("elsewhere",)
        assert "#elsewhere" in str(screen.query_one("#article-title", Static).render())
        await pilot.press("T")
        await pilot.pause()
        await type_text(pilot, ", here")
        await pilot.press("enter")
        await flush(app, pilot)
    assert stored(library, article_id)["meta"]["1"]["article"]["tags"] == ["elsewhere", "here"]


async def test_a_note_saved_onto_a_store_broken_meanwhile_is_kept(
    tmp_path: Path, seed_path: Path
) -> None:
    """The store breaks while the note dialog is open: the save sets it aside, writes
    the note into a new store with the article's metadata, and says so."""
    library, article_id = make_library(tmp_path, seed_path)
    library.list_articles()  # an index exists, as it would in use
    title = library.load(article_id)[0].info.title
    app = new_app(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_seed(app, pilot)
        await pilot.press("w", "a")
        await pilot.pause()
        await type_text(pilot, "important note")
        library.store(article_id).path.write_bytes(b"xx")
        await submit_note(app, pilot)
        await flush(app, pilot)
        await pilot.pause()
        assert any(n.title == "Unreadable store" for n in app._notifications)
        assert not any(n.title == "Save failed" for n in app._notifications)
    data = stored(library, article_id)
    assert [a["note"] for a in data["annotations"].values()] == ["important note"]
    assert data["meta"]["1"]["article"]["title"] == title
    (aside,) = library.annotations_dir.glob(f"{article_id}.json.corrupt-*")
    assert aside.read_bytes() == b"xx"


async def test_the_library_list_follows_notes_made_in_another_window(
    tmp_path: Path, seed_path: Path
) -> None:
    from reader.core.anchoring import new_annotation

    library, article_id = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.screen.listed()[0].annotation_count == 0
        text = library.load(article_id)[0].text
        start = text.index(NAME)
        other = Library(library.root)  # another window: its own library object
        other.store(article_id).save_annotation(
            new_annotation(text, start, start + len(NAME), ("elsewhere",))
        )
        for _ in range(60):
            await pilot.pause(0.1)
            if app.screen.listed()[0].annotation_count == 1:
                break
        assert app.screen.listed()[0].annotation_count == 1
        assert app.screen.listed()[0].annotation_tags == ("elsewhere",)


async def test_m_from_an_article_opened_on_the_notes_screen_filters_the_library(
    tmp_path: Path, seed_path: Path
) -> None:
    """Issue 12, 7: m went back to the Notes screen, with no filter."""
    from reader.core.anchoring import new_annotation
    from reader.tui.screens.library import LibraryScreen

    library, article_id = make_library(tmp_path, seed_path)
    store = library.store(article_id)
    text = library.load(article_id)[0].text
    at = text.index(NAME)
    store.save_annotation(new_annotation(text, at, at + len(NAME), ("leader",), ""))
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, NotesScreen)
        await pilot.press("enter", "enter")  # to the list, then open at the annotation
        for _ in range(100):
            if isinstance(app.screen, ArticleScreen):
                break
            await pilot.pause(0.02)
        await app.screen.workers.wait_for_complete()
        await give_entities(app, pilot, [entity(NAME, text, "PERSON")])
        view = app.screen.query_one(ArticleView)
        assert view.cursor == at
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert app.screen.query_one("#filter", Input).value == f'entity:"{NAME}"'


async def test_notes_screen_down_goes_to_the_list_and_q_back_from_it(
    tmp_path: Path, seed_path: Path
) -> None:
    """Issue 12, 9: the Notes screen ignored Down and q from its search box."""
    from textual.widgets import OptionList

    from reader.core.anchoring import new_annotation
    from reader.tui.screens.library import LibraryScreen

    library, article_id = make_library(tmp_path, seed_path)
    text = library.load(article_id)[0].text
    at = text.index(NAME)
    library.store(article_id).save_annotation(
        new_annotation(text, at, at + len(NAME), ("leader",), "")
    )
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        notes = app.screen
        assert isinstance(notes, NotesScreen) and isinstance(app.focused, Input)
        await pilot.press("q")  # in the search box, q is a letter
        await pilot.pause()
        assert app.screen is notes and notes.query_one(Input).value == "q"
        await pilot.press("backspace", "down")
        await pilot.pause()
        assert isinstance(app.focused, OptionList)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_the_side_panel_widens_on_a_wide_screen(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    app = new_app(library)
    async with app.run_test(size=(200, 60)) as pilot:
        await open_seed(app, pilot)
        assert app.screen.query_one("#side-panel").outer_size.width == 50  # a quarter
    async with new_app(library).run_test(size=(120, 40)) as pilot:
        await open_seed(pilot.app, pilot)
        assert pilot.app.screen.query_one("#side-panel").outer_size.width == 38


async def test_y_copies_a_quote_with_its_source_and_o_opens_the_source(
    tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: y copies the selection, or the annotation under the cursor, as a
    quote with its source line (OSC 52); o opens the article's source URL."""
    import webbrowser

    from reader.core.anchoring import new_annotation
    from reader.core.models import ArticleDraft

    library = Library(tmp_path / "lib").ensure()
    text = "Talks resumed in Geneva on Monday. Both sides said progress was slow."
    (added,) = library.add_many(
        [
            ArticleDraft(
                text=text,
                title="Talks resume",
                author="Jan Kowalski",
                date="2020-03-02",
                source="https://news.example/talks",
            )
        ]
    )
    at = text.index("Both sides")
    library.store(added.article_id).save_annotation(
        new_annotation(text, at, len(text) - 1, ("talks",), "")
    )
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n', encoding="utf-8")
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(browser))
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # read BROWSER again
    monkeypatch.setattr(webbrowser, "_browsers", {})

    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        source = "Talks resume, Jan Kowalski, 2020-03-02, https://news.example/talks"
        view.move_to(0)
        await pilot.press("v", "w", "w", "e", "v", "y")  # "Talks resumed in"
        await pilot.pause()
        assert app.clipboard == f"“Talks resumed in”\n— {source}"
        view.clear_selection()
        view.move_to(at + 3)  # on the annotation, nothing selected
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == f"“{text[at:-1]}”\n— {source}"
        await pilot.press("o")
        await app.workers.wait_for_complete()
        for _ in range(100):
            if opened.exists() and opened.read_text(encoding="utf-8"):
                break
            await pilot.pause(0.05)
        assert opened.read_text(encoding="utf-8") == "https://news.example/talks"
