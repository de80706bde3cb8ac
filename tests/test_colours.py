"""Highlights readers can read (issue 12): every entity type, annotation,
selection, search match and cursor at WCAG AA (4.5:1) or better, computed from
the styles the view paints with, in the default dark theme and light ones; the
reader's own marks in a style no entity type uses, so entity colours stay
visible under them; and the legend in the theme's colours."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style

from reader.core.labels import LABEL_GROUPS
from reader.tui.contrast import AA, contrast, effective, legible, text_on
from reader.tui.widgets.article_rendering import ENTITY_CLASSES
from reader.tui.widgets.panels import Legend
from tests.test_app_annotating import SIZE, make_library, new_app, open_seed

THEMES = ["textual-dark", "textual-light", "solarized-light", "nord", "gruvbox"]
MARKS = ["article-view--annotated", "article-view--review", "article-view--selection"]


def test_black_or_white_reads_on_any_colour_and_a_text_colour_is_made_legible() -> None:
    from rich.color import Color

    for r in range(0, 256, 51):
        for g in range(0, 256, 51):
            for b in range(0, 256, 51):
                colour = Color.from_rgb(r, g, b)
                assert contrast(text_on(colour), colour) >= 4.58
                assert contrast(legible(colour, colour), colour) >= AA
    white, amber = Color.parse("#ffffff"), Color.parse("#fea62b")
    assert contrast(white, amber) < 2.1  # what the issue measured
    assert contrast(text_on(amber), amber) >= AA


@pytest.fixture
def library(tmp_path: Path, seed_path: Path):  # noqa: ANN201
    return make_library(tmp_path, seed_path)[0]


@pytest.mark.parametrize("theme", THEMES)
async def test_every_highlight_reads_at_aa(library, theme: str) -> None:  # noqa: ANN001
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        app.theme = theme
        await pilot.pause()
        base = view.rich_style
        assert contrast(*effective(base)) >= AA, "the text itself"
        names = [*ENTITY_CLASSES.values(), *MARKS]
        names += ["article-view--cursor", "article-view--match", "article-view--heading"]
        names += ["article-view--aside"]  # captions, related headlines
        for name in names:
            style = view._style(name)
            assert contrast(*effective(base + style)) >= AA, (theme, name, style)
        for name in ENTITY_CLASSES.values():
            entity = view._style(name)
            for mark in MARKS:  # an entity inside an annotation or the selection
                painted = base + entity + view._style(mark)
                assert contrast(*effective(painted)) >= AA, (theme, name, mark)
                # The entity's colours are still there (swapped, under the selection).
                shown = set(effective(painted))
                assert set(effective(base + entity)) == shown, (theme, name, mark)
        # The reader's marks use what no entity type uses: no background, underline
        # or reverse; entity types have a background, or a colour of their own.
        for mark in MARKS:
            assert view._style(mark).bgcolor is None
        for name in ENTITY_CLASSES.values():
            entity = view._style(name)
            assert not entity.underline and not entity.reverse
        # The entity types are told apart by colour.
        grounds = {effective(base + view._style(n)) for n in ENTITY_CLASSES.values()}
        assert len(grounds) == len(ENTITY_CLASSES)


async def test_the_legend_follows_the_theme(library) -> None:  # noqa: ANN001
    app = new_app(library)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        for theme in ("textual-dark", "solarized-light"):
            app.theme = theme
            for _ in range(5):
                await pilot.pause()
            legend = app.screen.query_one(Legend)
            rendered = legend.render()
            for group in LABEL_GROUPS:
                wanted = view.entity_style(group)
                at = str(rendered).index(group)
                styles = [span.style for span in rendered.spans if span.start <= at < span.end]
                assert any(_colours(s) == _colours(wanted) for s in styles), (theme, group)


def _colours(style: object) -> tuple[str, str]:
    """(background, text) of a Rich or a Textual style, as lowercase hex."""
    if isinstance(style, Style):
        bg, fg = style.bgcolor, style.color
        return (
            bg.triplet.hex if bg and bg.triplet else "",
            fg.triplet.hex if fg and fg.triplet else "",
        )
    bg, fg = getattr(style, "background", None), getattr(style, "foreground", None)
    return (bg.hex.lower() if bg else "", fg.hex.lower() if fg else "")
