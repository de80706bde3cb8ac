"""How :class:`~reader.tui.widgets.article_view.ArticleView` paints a row of its text.

``render_line`` (the Line API) builds one screen row from the view's
:class:`~reader.tui.widgets.layout.Layout`: the row cut into runs where the
style changes, each run the component classes of what lies over it layered
(entities, search matches, annotations, the selection, the cursor), and a bar in
the left margin where an annotation runs through the row. The styles are the
theme's, each text colour made readable on its ground, kept until the theme
changes.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from reader.core.labels import LABEL_GROUPS, label_group
from reader.tui.contrast import readable

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView as _Widget

    from reader.core.models import Annotation, Entity
    from reader.tui.widgets.layout import Layout
else:
    _Widget = object

ENTITY_CLASSES = {group: f"article-view--{group}" for group in LABEL_GROUPS}
_CURSOR_IN_SELECTION = Style(reverse=False, underline=True, bold=True)


class ArticleRendering(_Widget):
    """The painting of ArticleView's rows: a mixin of the view, whose state it reads."""

    text: str
    entities: list[Entity]
    hidden_groups: set[str]
    annotations: list[Annotation]
    matches: list[tuple[int, int]]
    cursor: int
    _entity_starts: list[int]
    _longest_entity: int
    _match_starts: list[int]
    _layout: Layout
    _margin: int
    _styles: dict[str, Style]

    if TYPE_CHECKING:
        # Provided by ArticleView (only for the type checker).
        @property
        def selection(self) -> tuple[int, int] | None: ...
        def character_end(self, offset: int) -> int: ...
        def entity_at(self, offset: int) -> Entity | None: ...

    # --- styles ----------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        """A component class's style, its text colour made to read at WCAG AA on
        what it is painted on (see reader.tui.contrast)."""
        if name not in self._styles:
            style = self.get_component_rich_style(name, partial=True)
            self._styles[name] = readable(style, self.rich_style)
        return self._styles[name]

    def entity_style(self, group: str) -> Style:
        return self._style(ENTITY_CLASSES[group])

    # --- rendering -----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= len(self._layout) or not self.text:
            return Strip([Segment(" " * width, base)], width)
        line = self._layout.lines[row]
        segments = self._margin_segments(line.start, line.end, base)
        for run_start, run_end, style in self._runs(line.start, line.end, line.kind):
            chunk = self.text[run_start:run_end].replace("\n", " ")
            segments.append(Segment(chunk, base + style))
        used = self._margin + self._layout.cell_width(line)
        if used < width:
            segments.append(Segment(" " * (width - used), base))
        return Strip(segments).crop(0, width)

    def _spans(self, start: int, end: int) -> list[tuple[int, int, Style]]:
        """What is painted over ``text[start:end]``, bottom layer first: entities,
        search matches, annotations, the selection, the cursor."""
        spans: list[tuple[int, int, Style]] = []
        first = bisect_left(self._entity_starts, start - self._longest_entity)
        for entity in self.entities[first:]:
            if entity.start >= end:
                break
            group = label_group(entity.label)
            if entity.end > start and group not in self.hidden_groups:
                spans.append((entity.start, entity.end, self.entity_style(group)))
        if self.matches:
            found = self._style("article-view--match")
            first = bisect_left(self._match_starts, start) - 1
            for match_start, match_end in self.matches[max(first, 0) :]:
                if match_start >= end:
                    break
                spans.append((match_start, match_end, found))
        annotated = self._style("article-view--annotated")
        review = self._style("article-view--review")
        for annotation in self.annotations:
            if annotation.start < end and annotation.end > start:
                style = annotated if annotation.state == "anchored" else review
                spans.append((annotation.start, annotation.end, style))
        if self.selection:
            spans.append((*self.selection, self._style("article-view--selection")))
        if self.has_focus:
            cursor = (self.cursor, self.character_end(self.cursor))
            selected = self.selection
            if selected and selected[0] <= self.cursor < selected[1]:
                # Reversed like the selection around it: shown un-reversed, underlined.
                spans.append((*cursor, _CURSOR_IN_SELECTION))
            else:
                spans.append((*cursor, self._style("article-view--cursor")))
        else:
            # The focus is in a panel (which may just have moved the cursor to a
            # mention): the entity, else the character, at the cursor stays marked.
            at = self.entity_at(self.cursor)
            span = (at.start, at.end) if at else (self.cursor, self.character_end(self.cursor))
            spans.append((*span, self._style("article-view--cursor-blurred")))
        return [
            (max(s, start), min(e, end), style) for s, e, style in spans if s < end and e > start
        ]

    def _margin_segments(self, start: int, end: int, base: Style) -> list[Segment]:
        """The left margin of a row: blank, or with a bar where an annotation
        runs through the row (red when one there needs review)."""
        if self._margin < 2:
            return [Segment(" " * self._margin, base)]
        states = {
            a.state for a in self.annotations if a.start < max(end, start + 1) and a.end > start
        }
        if not states:
            return [Segment(" " * self._margin, base)]
        bar = "article-view--bar" if states == {"anchored"} else "article-view--bar-review"
        return [
            Segment(" " * (self._margin - 2), base),
            Segment("▌", base + self._style(bar)),
            Segment(" ", base),
        ]

    def _runs(self, start: int, end: int, kind: str) -> list[tuple[int, int, Style]]:
        """``text[start:end]`` cut where its style changes: (start, end, style) each,
        the styles of the spans over it layered (a line's few boundaries, not a
        style per character)."""
        if kind == "heading":
            ground = self._style("article-view--heading")
        elif kind in ("caption", "aside"):  # a photo's caption, a related headline
            ground = self._style("article-view--aside")
        else:
            ground = Style()
        spans = self._spans(start, end)
        if not spans:
            return [(start, end, ground)]
        bounds = sorted({start, end, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
        runs: list[tuple[int, int, Style]] = []
        for run_start, run_end in zip(bounds, bounds[1:], strict=False):
            style = ground
            for span_start, span_end, layer in spans:
                if span_start <= run_start and run_end <= span_end:
                    style += layer
            if runs and runs[-1][2] == style:
                runs[-1] = (runs[-1][0], run_end, style)
            else:
                runs.append((run_start, run_end, style))
        return runs

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
