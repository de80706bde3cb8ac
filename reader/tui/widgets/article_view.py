"""The article text with entity colours, annotation marks, a cursor and a selection.

A Line API ``ScrollView``: ``render_line`` builds one screen row from the
:class:`Layout`, styling character ranges with component classes, so a theme
recolours entities, annotations, the selection and the cursor. The cursor and
the selection anchor are text offsets; rows are derived from the layout at
the current width, so a resize never loses the place.

Here: the view's state, its text and what is on it (entities, annotations,
search matches), its layout and scrolling. Its rows are painted in
:mod:`reader.tui.widgets.article_rendering`, its cursor moved (the motions, the
keys, the mouse, the selection) in :mod:`reader.tui.widgets.article_cursor`:
mixins of :class:`ArticleView`.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from rich.style import Style
from textual import events
from textual.binding import BindingsMap
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView

from reader.core.entity_links import LinkedEntity, link_entities
from reader.core.labels import label_group
from reader.core.models import Annotation, Entity
from reader.core.text import cluster_at
from reader.tui.bindings import READING, bindings
from reader.tui.widgets.article_cursor import ArticleCursor
from reader.tui.widgets.article_rendering import ENTITY_CLASSES, ArticleRendering
from reader.tui.widgets.layout import Layout

READABLE_WIDTH = 76


class ArticleView(ArticleCursor, ArticleRendering, ScrollView, can_focus=True):
    """The text of one article, read and annotated by keyboard or mouse."""

    COMPONENT_CLASSES = {
        "article-view--heading",
        "article-view--aside",
        "article-view--annotated",
        "article-view--review",
        "article-view--selection",
        "article-view--cursor",
        "article-view--cursor-blurred",
        "article-view--bar",
        "article-view--bar-review",
        "article-view--match",
        *ENTITY_CLASSES.values(),
    }

    BINDINGS = bindings(READING)

    DEFAULT_CSS = """
    ArticleView { overflow-x: hidden; }
    ArticleView > .article-view--cursor-blurred { text-style: bold underline; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)
    select_from: reactive[int | None] = reactive(None, repaint=False)  # the selection's other end

    @dataclass
    class CursorMoved(Message):
        view: ArticleView
        offset: int

    @dataclass
    class ToggleGroup(Message):
        """z1 to z8: show or hide an entity type (the legend's numbers)."""

        view: ArticleView
        index: int

    @dataclass
    class SelectionChanged(Message):
        """A selection started, stopped extending, or went."""

        view: ArticleView

    def __init__(
        self,
        text: str,
        *,
        id: str | None = None,  # noqa: A002
        layout: Layout | None = None,  # the text laid out ahead (see set_text)
        width: int = READABLE_WIDTH,  # the text's width at most (the settings' reading_width)
    ) -> None:
        super().__init__(id=id)
        self.reading_width = width
        self.text = text
        self.entities: list[Entity] = []
        self.linked: list[LinkedEntity] = []
        self._linked_of: dict[tuple[int, int], LinkedEntity] = {}
        self._paging = False  # the view scrolled with the cursor, not away from it
        self._top_pending: int | None = None  # a row to show at the top once laid out
        self.hidden_groups: set[str] = set()  # entity types not painted
        self._prefix = ""  # the first key of a two-key command (]e, [e, gg, z3)
        self._count = ""  # the digits of a count typed so far (5j)
        self._keys: BindingsMap | None = None
        self._keys_for: object = None  # the keymap _keys were made with
        self._entity_starts: list[int] = []
        self._longest_entity = 0
        self.annotations: list[Annotation] = []
        self.matches: list[tuple[int, int]] = []  # what a search found: (start, end)
        self._match_starts: list[int] = []
        fits = layout is not None and layout.width == width
        self._layout: Layout = layout if layout is not None and fits else Layout(text, width)
        self._margin = 0
        self._column = 0  # the column j/k aim for
        self._styles: dict[str, Style] = {}
        self._dragging = False
        # A selection kept by a second v: motions move the cursor, not its ends.
        self._kept: tuple[int, int] | None = None

    # --- content -----------------------------------------------------------------

    def set_text(self, text: str, layout: Layout | None = None) -> None:
        """Show another text (the view is kept from article to article): the
        cursor at its start, nothing on it; ``layout``, the text's laid out
        ahead (used if of the view's width)."""
        self.text = text
        for derived in ("_words", "_word_starts", "_big_words", "_sentence_starts"):
            self.__dict__.pop(derived, None)
        self.entities, self._entity_starts, self._longest_entity = [], [], 0
        self.linked, self._linked_of = [], {}
        self.annotations = []
        self.set_matches([])
        self.hidden_groups = set()
        self._prefix, self._count, self._kept, self._dragging = "", "", None, False
        self.select_from = None
        width = self._layout.width
        self._layout = layout if layout and layout.width == width else Layout(text, width)
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._layout) + 1)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.cursor = 0
        self.refresh()

    def set_entities(self, entities: list[Entity]) -> None:
        self.entities = sorted(entities, key=lambda e: (e.start, e.end))
        self.linked = link_entities(self.entities)
        self._linked_of = {(m.start, m.end): one for one in self.linked for m in one.mentions}
        self._entity_starts = [e.start for e in self.entities]
        self._longest_entity = max((e.end - e.start for e in self.entities), default=0)
        self.refresh()

    def set_annotations(self, annotations: list[Annotation]) -> None:
        self.annotations = [a for a in annotations if a.state != "orphan"]
        self.refresh()

    def set_matches(self, spans: list[tuple[int, int]]) -> None:
        self.matches = sorted(spans)
        self._match_starts = [start for start, _ in self.matches]
        self.refresh()

    def next_match(self, delta: int, *, include_cursor: bool = False) -> int:
        """The start of the next (``delta`` 1) or previous (-1) match, else the cursor."""
        if delta > 0:
            index = bisect_left(self._match_starts, self.cursor + (0 if include_cursor else 1))
            return self._match_starts[index] if index < len(self.matches) else self.cursor
        index = bisect_left(self._match_starts, self.cursor) - 1
        return self._match_starts[index] if index >= 0 else self.cursor

    @property
    def text_layout(self) -> Layout:
        """The text's rows at the view's width (not Widget.layout, Textual's own)."""
        return self._layout

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected span (end exclusive), or None when not selecting."""
        if self._kept is not None:
            return self._kept
        if self.select_from is None or not self.text:
            return None
        start, end = sorted((self.select_from, self.cursor))
        return start, min(self.character_end(end), len(self.text))

    # The cursor never stands inside a user-perceived character (a flag, an emoji
    # sequence, a letter with its combining accents): these find its bounds.

    def character_start(self, offset: int) -> int:
        """The start of the user-perceived character at ``offset``."""
        if offset <= 0:
            return offset
        return cluster_at(self.text, offset)[0] if offset < len(self.text) else offset

    def character_end(self, offset: int) -> int:
        """The end of the user-perceived character at ``offset``."""
        if offset >= len(self.text):
            return len(self.text) if self.text else offset + 1
        return cluster_at(self.text, offset)[1]

    def annotations_at(self, offset: int) -> list[Annotation]:
        return [a for a in self.annotations if a.start <= offset < a.end]

    def entity_at(self, offset: int) -> Entity | None:
        return next((e for e in self.entities if e.start <= offset < e.end), None)

    def linked_at(self, offset: int) -> LinkedEntity | None:
        """The linked entity (all names of one thing) of the mention at ``offset``."""
        entity = self.entity_at(offset)
        return self.linked_of(entity) if entity else None

    def linked_of(self, entity: Entity) -> LinkedEntity | None:
        """The linked entity a mention belongs to."""
        return self._linked_of.get((entity.start, entity.end))

    def word_at(self, offset: int) -> tuple[int, int] | None:
        index = bisect_left(self._word_starts, offset + 1) - 1
        if index >= 0 and self._words[index][0] <= offset < self._words[index][1]:
            return self._words[index]
        return None

    # --- layout and scrolling ----------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def _relayout(self) -> None:
        width = min(self.reading_width, max(10, self.scrollable_content_region.width - 2))
        if width != self._layout.width:
            self._layout = Layout(self.text, width)
        self._margin = max(0, (self.scrollable_content_region.width - width) // 2)
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._layout) + 1)
        self.refresh()
        if self._top_pending is not None:
            self.call_after_refresh(self._scroll_row_to_top, self._top_pending)
            self._top_pending = None
        else:
            self.call_after_refresh(self.scroll_to_cursor, False)

    def top_offset(self) -> int:
        """Where the text on screen starts: the first character of the top row."""
        lines = self._layout.lines
        if not lines:
            return 0
        return lines[min(round(self.scroll_offset.y), len(lines) - 1)].start

    def show_from(self, offset: int) -> None:
        """The cursor on ``offset``, its row the view's top: a reading position
        given back as it was on screen."""
        self.move_to(offset)
        row = self._layout.row_of(offset)
        if self.size.height and self.max_scroll_y >= row:
            self._scroll_row_to_top(offset)
        else:  # not laid out yet (it cannot scroll that far): once it is
            self._top_pending = offset
            self.call_after_refresh(self._show_pending)

    def _show_pending(self) -> None:
        offset = self._top_pending
        if offset is not None and self.max_scroll_y >= self._layout.row_of(offset):
            self._top_pending = None
            self._scroll_row_to_top(offset)

    def _scroll_row_to_top(self, offset: int) -> None:
        with self._with_cursor():  # the cursor is on that row: it stays
            self.scroll_to(0, self._layout.row_of(offset), animate=False, immediate=True)

    @contextlib.contextmanager
    def _with_cursor(self) -> Iterator[None]:
        """Scrolling that keeps the cursor where it is put (see watch_scroll_y)."""
        self._paging = True
        try:
            yield
        finally:
            self._paging = False

    def scroll_to_cursor(self, animate: bool = False) -> None:
        row = self._layout.row_of(self.cursor)
        self.scroll_to_region(Region(0, row, 1, 1), animate=animate, spacing=None, immediate=True)

    def percent_read(self) -> int:
        """How much of the text is above the view's last row, in percent (100 once
        the end is in sight)."""
        rows = len(self._layout)
        seen = round(self.scroll_offset.y) + max(1, self.scrollable_content_region.height)
        return 100 if not rows or seen >= rows else max(0, min(100, 100 * seen // rows))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """The view scrolled by the wheel or the scroll bar: the cursor comes along
        to the nearest row in sight, so the next key acts where the reader looks."""
        super().watch_scroll_y(old_value, new_value)
        if self._paging or not self.text or not self._layout.lines:
            return
        height = max(1, self.scrollable_content_region.height)
        top = round(new_value)
        row = self._layout.row_of(self.cursor)
        if top <= row < top + height:
            return
        target = top if row < top else min(top + height - 1, len(self._layout) - 1)
        with self._with_cursor():  # the cursor is put in sight: no scrolling back
            offset = self._layout.offset_at(target, self._column)
            self.move_to(self._layout.step_row(offset, 0, self._column), keep_column=True)

    def toggle_group(self, group: str) -> None:
        self.hidden_groups ^= {group}
        self.refresh()

    def next_entity(self, delta: int) -> int:
        """The start of the next (``delta`` 1) or previous (-1) shown entity."""
        shown = [e.start for e in self.entities if label_group(e.label) not in self.hidden_groups]
        if delta > 0:
            return next((s for s in shown if s > self.cursor), self.cursor)
        return next((s for s in reversed(shown) if s < self.cursor), self.cursor)
