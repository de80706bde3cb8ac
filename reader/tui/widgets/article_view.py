"""The article text with entity colours, annotation marks, a cursor and a selection.

A Line API ``ScrollView``: ``render_line`` builds one screen row from the
:class:`Layout`, styling character ranges with component classes, so a theme
recolours entities, annotations, the selection and the cursor. The cursor and
the selection anchor are text offsets; rows are derived from the layout at
the current width, so a resize never loses the place.
"""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import parse as parse_action
from textual.binding import BindingsMap
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.core.entity_links import LinkedEntity, link_entities
from reader.core.labels import LABEL_GROUPS, label_group
from reader.core.models import Annotation, Entity
from reader.core.text import cluster_at, words
from reader.tui.bindings import READING, bindings
from reader.tui.contrast import readable
from reader.tui.widgets.layout import Layout

READABLE_WIDTH = 76
ENTITY_CLASSES = {group: f"article-view--{group}" for group in LABEL_GROUPS}
_CURSOR_IN_SELECTION = Style(reverse=False, underline=True, bold=True)


class ArticleView(ScrollView, can_focus=True):
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

    # Made when first needed, not before the text is first painted (a 10,000-word
    # article: 10 ms for the words, 6 for the characters).

    @cached_property
    def _words(self) -> list[tuple[int, int]]:
        return words(self.text)

    @cached_property
    def _word_starts(self) -> list[int]:
        return [start for start, _ in self._words]

    @cached_property
    def _big_words(self) -> list[tuple[int, int]]:
        """vim's WORDs: runs of anything but white space."""
        return [(m.start(), m.end()) for m in _BIG_WORD.finditer(self.text)]

    @cached_property
    def _sentence_starts(self) -> list[int]:
        """Where sentences start: at each paragraph, and after . ! ? (and any
        closing quote or bracket) and a space, before anything but a lowercase
        letter."""
        starts = {m.end() for m in _SENTENCE_BREAK.finditer(self.text)}
        return sorted(s for s in starts | {0} if s < len(self.text))

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

    # --- the cursor ------------------------------------------------------------------

    def move_to(self, offset: int, *, keep_column: bool = False) -> None:
        """Put the cursor on ``offset`` (clamped), scroll it into view, repaint."""
        offset = self.character_start(min(max(offset, 0), max(len(self.text) - 1, 0)))
        old_row = self._layout.row_of(self.cursor)
        self.cursor = offset
        if not keep_column:
            self._column = self._layout.position(offset)[1]
        self.scroll_to_cursor()
        if self.select_from is not None or not self.has_focus:
            self.refresh()
        else:
            self._refresh_rows(old_row, self._layout.row_of(offset))
        self.post_message(self.CursorMoved(self, offset))

    def _refresh_rows(self, *rows: int) -> None:
        for row in rows:
            self.refresh(Region(0, row - self.scroll_offset.y, self.size.width, 1))

    def start_selection(self) -> None:
        self._kept = None
        self.select_from = self.cursor
        self._selection_changed()

    def keep_selection(self) -> None:
        """Stop extending the selection, and keep it."""
        self._kept = self.selection
        self.select_from = None
        self._selection_changed()

    def clear_selection(self) -> None:
        had = self.selection is not None
        self._kept = None
        self.select_from = None
        self.refresh()
        if had:
            self.post_message(self.SelectionChanged(self))

    def _selection_changed(self) -> None:
        self.refresh()
        self.post_message(self.SelectionChanged(self))

    def next_word(self) -> int:
        index = bisect_left(self._word_starts, self.cursor + 1)
        return self._word_starts[index] if index < len(self._words) else len(self.text) - 1

    def previous_word(self) -> int:
        index = bisect_left(self._word_starts, self.cursor) - 1
        return self._word_starts[index] if index >= 0 else 0

    def word_end(self) -> int:
        """The last character of this word (if not already on it) or the next."""
        for _start, end in self._words:
            if end - 1 > self.cursor:
                return end - 1
        return len(self.text) - 1

    def next_big_word(self) -> int:
        return next((s for s, _ in self._big_words if s > self.cursor), len(self.text) - 1)

    def previous_big_word(self) -> int:
        return next((s for s, _ in reversed(self._big_words) if s < self.cursor), 0)

    def big_word_end(self) -> int:
        return next((e - 1 for _, e in self._big_words if e - 1 > self.cursor), len(self.text) - 1)

    def sentence(self, delta: int) -> int:
        """The start of the next (``delta`` 1) sentence, or of this one (-1; of
        the one before, at a start), as vim's ``)`` and ``(``."""
        starts = self._sentence_starts
        if delta > 0:
            index = bisect_left(starts, self.cursor + 1)
            return starts[index] if index < len(starts) else len(self.text) - 1
        index = bisect_left(starts, self.cursor) - 1
        return starts[index] if index >= 0 else 0

    def row_bound(self, where: str) -> int:
        """On the cursor's screen row: its first character (``0``), its first
        that is not a space (``^``), its last (``$``)."""
        line = self._layout.lines[self._layout.row_of(self.cursor)]
        if line.end <= line.start:
            return line.start
        if where == "start":
            return line.start
        row = self.text[line.start : line.end]
        if where == "first":
            return line.start + (len(row) - len(row.lstrip()))
        return self.character_start(line.start + max(len(row.rstrip()), 1) - 1)

    def paragraph(self, delta: int) -> int:
        """The first character of the next (``delta`` 1) or this/previous paragraph."""
        if delta > 0:
            found = self.text.find("\n\n", self.cursor)
            return found + 2 if found != -1 else len(self.text) - 1
        found = self.text.rfind("\n\n", 0, max(self.cursor - 1, 0))
        return found + 2 if found != -1 else 0

    def percent_read(self) -> int:
        """How much of the text is above the view's last row, in percent (100 once
        the end is in sight)."""
        rows = len(self._layout)
        seen = round(self.scroll_offset.y) + max(1, self.scrollable_content_region.height)
        return 100 if not rows or seen >= rows else max(0, min(100, 100 * seen // rows))

    def line(self, delta: int) -> int:
        return self._layout.step_row(self.cursor, delta, self._column)

    def page(self, sign: int, rows: int) -> int:
        """Scroll ``rows`` rows down (``sign`` 1) or up, and the cursor with the
        view, keeping its place on screen (vim's ctrl+d, ctrl+f; less's Space);
        where the view can scroll no further, the cursor goes on alone."""
        layout = self._layout
        if not layout.lines:
            return self.cursor
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_offset.y)
        new_top = min(max(top + sign * rows, 0), round(self.max_scroll_y))
        row = layout.row_of(self.cursor) + (new_top - top if new_top != top else sign * rows)
        row = max(min(row, new_top + height - 1, len(layout) - 1), new_top, 0)
        with self._with_cursor():
            self.scroll_to(0, new_top, animate=False, immediate=True)
        at = layout.offset_at(row, 0)
        found = layout.step_row(at, 0, self._column)  # a text row, not a blank one
        if sign > 0 and layout.row_of(found) < row:
            found = layout.step_row(at, 1, self._column)
        return found

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

    def action_prefix(self, key: str) -> None:
        self._prefix = key

    def _own_bindings(self) -> BindingsMap:
        """The view's keys, as the user has them (the settings' [keys])."""
        keymap = self.app._keymap
        if self._keys_for is not keymap:
            bindings = self._bindings.copy()
            if keymap:
                bindings.apply_keymap(keymap)
            self._keys, self._keys_for = bindings, keymap
        assert self._keys is not None
        return self._keys

    def on_key(self, event: events.Key) -> None:
        """The view's own keys, each taken here as it arrives, with what came
        before it: a count (``5j``), a first key (``]e``, ``gg``, ``z3``). A
        binding's action would run only once its key had bubbled up to the app,
        after the keys that came with it in one write (``]e`` acted as ``e``,
        ``v`` came after the motions typed with it)."""
        prefix, self._prefix = self._prefix, ""
        count, self._count = self._count, ""
        character = event.character or ""
        handled = True
        if prefix in ("[", "]") and event.key == "e":
            for _ in range(_times(count)):
                self.move_to(self.next_entity(1 if prefix == "]" else -1))
        elif prefix == "g" and event.key == "g":
            self.move_to(0)
        elif prefix == "z" and character in "12345678" and character:
            self.post_message(self.ToggleGroup(self, int(character) - 1))
        elif not prefix and character.isdigit() and (count or character != "0"):
            self._count = count + character  # a count: 0 alone is the row's start
        else:
            handled = self._run_own_key(event.key, count)
        if handled:
            event.stop()
            event.prevent_default()

    def _run_own_key(self, key: str, count: str) -> bool:
        """Run the view's binding for ``key`` now (a motion ``count`` times)."""
        found = self._own_bindings().key_to_bindings.get(key)
        if not found:
            return False
        _, name, params = parse_action(found[0].action)
        if name == "prefix":
            self._prefix, self._count = str(params[0]), count
        elif name == "move":
            for _ in range(_times(count)):
                self.action_move(str(params[0]))
        else:
            getattr(self, f"action_{name}")(*params)
        return True

    def action_move(self, motion: str) -> None:
        self.move_to(MOTIONS[motion](self), keep_column=motion in VERTICAL)

    def action_select(self) -> None:
        """Start a selection at the cursor, or stop extending the one in progress
        (it stays selected, for t, n or E; escape cancels it)."""
        if self.select_from is None:
            self.start_selection()
        else:
            self.keep_selection()

    def action_cancel(self) -> None:
        self.clear_selection()

    # --- the mouse -------------------------------------------------------------------

    def offset_at_screen(self, x: int, y: int) -> int:
        row = y + self.scroll_offset.y
        return self._layout.offset_at(row, x - self._margin)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        self.focus()
        offset = self.offset_at_screen(event.x, event.y)
        self.clear_selection()
        self.move_to(offset)
        self._dragging = True
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        offset = self.offset_at_screen(event.x, event.y)
        if offset != self.cursor:
            if self.select_from is None:
                self.start_selection()
            self.move_to(offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()


MAX_COUNT = 9999


def _times(count: str) -> int:
    """A count's repetitions: 1 without one, at most MAX_COUNT."""
    return min(int(count), MAX_COUNT) if count else 1


def _half_page(view: ArticleView, sign: int) -> int:
    return view.page(sign, max(1, view.scrollable_content_region.height // 2))


def _full_page(view: ArticleView, sign: int) -> int:
    """A page less two rows (vim's ctrl+f: the last rows seen stay in sight)."""
    return view.page(sign, max(1, view.scrollable_content_region.height - 2))


_BIG_WORD = re.compile(r"\S+")
_SENTENCE_BREAK = re.compile(r"(?:[.!?…][\"'”’)\]]*[ \t]+|\n+)(?=[^\sa-z])")

MOTIONS = {
    "word": ArticleView.next_word,
    "back": ArticleView.previous_word,
    "end": ArticleView.word_end,
    "big_word": ArticleView.next_big_word,
    "big_back": ArticleView.previous_big_word,
    "big_end": ArticleView.big_word_end,
    "sentence": lambda v: v.sentence(1),
    "sentence_back": lambda v: v.sentence(-1),
    "row_start": lambda v: v.row_bound("start"),
    "row_first": lambda v: v.row_bound("first"),
    "row_end": lambda v: v.row_bound("end"),
    "left": lambda v: v.character_start(v.cursor - 1),
    "right": lambda v: v.character_end(v.cursor),
    "down": lambda v: v.line(1),
    "up": lambda v: v.line(-1),
    "paragraph": lambda v: v.paragraph(1),
    "paragraph_back": lambda v: v.paragraph(-1),
    "half_down": lambda v: _half_page(v, 1),
    "half_up": lambda v: _half_page(v, -1),
    "page_down": lambda v: _full_page(v, 1),
    "page_up": lambda v: _full_page(v, -1),
    "top": lambda v: 0,
    "bottom": lambda v: len(v.text) - 1,
}
VERTICAL = {"down", "up", "half_down", "half_up", "page_down", "page_up"}
