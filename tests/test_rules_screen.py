"""The library's entity rules in the app (issue 12): R (or the command palette)
lists them, x removes one from the rules' store, u puts it back, escape closes."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from reader.core.models import Correction
from reader.tui.screens.article import ArticleScreen
from reader.tui.screens.rules import RulesScreen
from tests.test_app_annotating import flush, make_library, new_app, open_seed


def rule_texts(library) -> list[str]:  # noqa: ANN001
    return sorted(rule.text for rule in library.rule_store().corrections())


async def test_rules_are_listed_removed_and_put_back(tmp_path: Path, seed_path: Path) -> None:
    library, _ = make_library(tmp_path, seed_path)
    store = library.rule_store()
    store.save_correction(Correction("r1", "remove", "Syrian Observatory"))
    store.save_correction(Correction("r2", "label", "al-Lirmoun", "GPE"))
    app = new_app(library)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_seed(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RulesScreen)
        options = screen.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown[0].startswith("“al-Lirmoun” is GPE")
        assert shown[1].startswith("“Syrian Observatory” is no entity")

        await pilot.press("down", "x")  # the second: Syrian Observatory
        await flush(app, pilot)
        assert rule_texts(library) == ["al-Lirmoun"]
        assert options.option_count == 1

        await pilot.press("u")
        await flush(app, pilot)
        assert rule_texts(library) == ["Syrian Observatory", "al-Lirmoun"]
        assert options.option_count == 2

        await pilot.press("x", "x")  # both
        await flush(app, pilot)
        assert rule_texts(library) == []
        assert options.option_count == 1 and options.get_option_at_index(0).disabled

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
