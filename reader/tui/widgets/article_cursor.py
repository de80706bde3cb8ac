"""Where :class:`~reader.tui.widgets.article_view.ArticleView`'s cursor goes, and
the selection it draws.

The cursor is a text offset. Its motions are vim's (words, WORDs, sentences,
paragraphs, screen rows, pages), run by the view's keys as they arrive, with a
count (``5j``) or after a first key (``]e``, ``gg``, ``z3``), or by the mouse. A
selection starts at the cursor and follows it; a second ``v`` keeps it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from contextlib import AbstractContextManager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from textual import events
from textual.actions import parse as parse_action
from textual.binding import BindingsMap
from textual.geometry import Region

from reader.core.text import words

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView as _Widget

    from reader.tui.widgets.article_view import ArticleView
    from reader.tui.widgets.layout import Layout
else:
    _Widget = object


class ArticleCursor(_Widget):
    """The cursor's motions, keys and mouse, and the selection: a mixin of the
    view, whose state it reads and moves."""

    text: str
    cursor: int
    select_from: int | None
    _layout: Layout
    _margin: int
    _column: int
    _prefix: str
    _count: str
    _keys: BindingsMap | None
    _keys_for: object
    _dragging: bool
    _kept: tuple[int, int] | None

    if TYPE_CHECKING:
        # Provided by ArticleView (only for the type checker).
        CursorMoved: Any
        SelectionChanged: Any
        ToggleGroup: Any

        @property
        def selection(self) -> tuple[int, int] | None: ...
        def character_start(self, offset: int) -> int: ...
        def character_end(self, offset: int) -> int: ...
        def scroll_to_cursor(self, animate: bool = False) -> None: ...
        def _with_cursor(self) -> AbstractContextManager[None]: ...
        def next_entity(self, delta: int) -> int: ...

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

    # --- the keys -------------------------------------------------------------------

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
    "word": ArticleCursor.next_word,
    "back": ArticleCursor.previous_word,
    "end": ArticleCursor.word_end,
    "big_word": ArticleCursor.next_big_word,
    "big_back": ArticleCursor.previous_big_word,
    "big_end": ArticleCursor.big_word_end,
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
