"""The library as a list: a Line API ``ScrollView`` that renders only the rows on
screen, so it is as quick with 100,000 articles as with ten.

The list holds the row ids of the articles listed, in order (one int each);
``render_line`` fetches the metadata of the rows in view from the library
index in one query when it lacks them, and keeps the last few thousand. The
cursor is an index into the ids, and it stays on the same article when the
ids change (a new filter, another window's save).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.core.models import ArticleInfo
from reader.core.text import strip_controls
from reader.tui.bindings import LIST, bindings

CACHE_ROWS = 4000  # the metadata kept for rows scrolled past
UNREAD = "●"  # the column of the articles not read yet (its header, and its mark)
COLUMNS = (
    (UNREAD, 1),
    ("Title", 0),
    ("Source / author", 20),
    ("Date", 10),
    ("Words", 7),
    ("Tags", 16),
    ("Notes", 7),  # room for its sort mark
)
# On a narrow terminal these go first, in this order, so the title keeps room.
DROPPED_FIRST = ("Tags", "Source / author", "Words")
TITLE_MIN = 30
RIGHT_ALIGNED = {"Words", "Notes"}


def columns_for(width: int) -> list[tuple[str, int]]:
    """The columns that fit ``width`` cells, the title taking what is left."""
    shown = list(COLUMNS)
    for label in DROPPED_FIRST:
        fixed = sum(w + 2 for _, w in shown if w)
        if width - fixed - 4 >= TITLE_MIN:
            break
        shown = [(name, w) for name, w in shown if name != label]
    fixed = sum(w + 2 for _, w in shown if w)
    return [(name, w or max(12, width - fixed - 4)) for name, w in shown]


def fit(text: str, width: int, right: bool = False) -> str:
    """``text`` in exactly ``width`` cells: cut with an ellipsis, or padded."""
    text = strip_controls(" ".join(text.split()))  # data: no control, no line break
    size = len(text) if text.isascii() else cell_len(text)  # one cell a character
    if size > width:
        if text.isascii():
            return text[: width - 1] + "…" if width else ""
        return set_cell_size(text, max(width - 1, 0)) + "…" if width else ""
    return " " * (width - size) + text if right else text + " " * (width - size)


def cells(info: ArticleInfo) -> dict[str, str]:
    return {
        UNREAD: "" if info.read else UNREAD,
        "Title": info.title,
        "Source / author": info.author or info.source,
        "Date": info.date,
        "Words": f"{info.word_count:,}",
        "Tags": ", ".join(info.all_tags),
        "Notes": str(info.annotation_count),
    }


class ArticleList(ScrollView, can_focus=True):
    """Rows of articles, fetched as they come into view."""

    COMPONENT_CLASSES = {"article-list--cursor", "article-list--stripe", "article-list--message"}
    BINDINGS = bindings(LIST)
    DEFAULT_CSS = """
    ArticleList { overflow-x: hidden; }
    ArticleList > .article-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    ArticleList:blur > .article-list--cursor { background: $block-cursor-blurred-background; }
    ArticleList > .article-list--stripe { background: $surface-lighten-1 30%; }
    ArticleList > .article-list--message { color: $text-muted; }
    """  # noqa: E501

    @dataclass
    class Highlighted(Message):
        """The cursor came to another article (None: the list is empty)."""

        rowid: int | None

    @dataclass
    class Opened(Message):
        rowid: int

    def __init__(
        self,
        fetch: Callable[[list[int]], dict[int, ArticleInfo]],
        *,
        id: str,  # noqa: A002
    ) -> None:
        super().__init__(id=id)
        self._fetch = fetch
        self.ids: list[int] = []
        self.cursor = 0
        self.message = ""  # shown when there are no rows: loading, empty, no match
        self.columns: list[tuple[str, int]] = columns_for(80)
        self._rows: dict[int, ArticleInfo] = {}
        self._lines: dict[int, str] = {}  # each row's text at the current columns

    # --- content --------------------------------------------------------------------

    @property
    def highlighted(self) -> int | None:
        return self.ids[self.cursor] if self.ids else None

    def show(self, ids: list[int], message: str = "", *, fresh: bool = False) -> None:
        """List ``ids``, keeping the cursor on the article it was on if it is
        still listed; ``fresh``: the articles' metadata may have changed."""
        kept = self.highlighted
        self.ids = ids
        self.message = message
        if fresh:
            self._rows.clear()
            self._lines.clear()
        if kept is not None and ids:
            try:
                self.cursor = ids.index(kept)
            except ValueError:
                self.cursor = min(self.cursor, len(ids) - 1)
        else:
            self.cursor = 0
        self.virtual_size = Size(self.scrollable_content_region.width, len(ids))
        self.refresh()
        self.call_after_refresh(self.scroll_to_cursor)
        self.post_message(self.Highlighted(self.highlighted))

    def set_message(self, message: str) -> None:
        self.message = message
        if not self.ids:
            self.refresh()

    def row(self, rowid: int) -> ArticleInfo | None:
        return self._rows.get(rowid)

    def on_resize(self, event: events.Resize) -> None:
        columns = columns_for(self.scrollable_content_region.width)
        if columns != self.columns:
            self.columns = columns
            self._lines.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.ids))
        self.refresh()

    # --- rendering ---------------------------------------------------------------------

    def _ensure_rows(self, first: int) -> None:
        """Fetch the metadata of the rows from ``first`` to a screen below."""
        window = self.ids[first : first + self.size.height * 2 + 1]
        missing = [rowid for rowid in window if rowid not in self._rows]
        if not missing:
            return
        if len(self._rows) > CACHE_ROWS:
            self._rows.clear()
            self._lines.clear()
        self._rows.update(self._fetch(missing))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = self.scroll_offset.y + y
        if not self.ids:
            text = self.message if y == 1 else ""
            style = base + self.get_component_rich_style("article-list--message")
            return Strip([Segment(fit(text, width) if text else " " * width, style)], width)
        if index >= len(self.ids):
            return Strip.blank(width, base)
        rowid = self.ids[index]
        line = self._lines.get(rowid)
        if line is None:
            if rowid not in self._rows:
                self._ensure_rows(self.scroll_offset.y)
            line = self._lines[rowid] = self.line_text(self._rows.get(rowid))
        style = base
        if index == self.cursor:
            style += self.get_component_rich_style("article-list--cursor")
        elif index % 2:
            style += self.get_component_rich_style("article-list--stripe")
        return Strip([Segment(line, style)], width)

    def line_text(self, info: ArticleInfo | None) -> str:
        if info is None:  # gone from the index since the list was made
            return set_cell_size(" …", self.scrollable_content_region.width)
        values = cells(info)
        parts = [fit(values[name], w, name in RIGHT_ALIGNED) for name, w in self.columns]
        return set_cell_size(" " + "  ".join(parts), self.scrollable_content_region.width)

    def header_text(self, sort_column: str) -> str:
        parts = []
        for name, w in self.columns:
            label = f"{name} ▼" if name == sort_column else name
            parts.append(fit(label, w, name in RIGHT_ALIGNED))
        return " " + "  ".join(parts)

    # --- the cursor -----------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        if not self.ids:
            return
        index = max(0, min(index, len(self.ids) - 1))
        if index == self.cursor:
            return
        old, self.cursor = self.cursor, index
        self._refresh_row(old)
        self._refresh_row(index)
        self.scroll_to_cursor()
        self.post_message(self.Highlighted(self.highlighted))

    def _refresh_row(self, index: int) -> None:
        self.refresh(Region(0, index - self.scroll_offset.y, self.size.width, 1))

    def scroll_to_cursor(self) -> None:
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_move(self, motion: str) -> None:
        steps = {
            "down": 1,
            "up": -1,
            "page_down": self._page(),
            "page_up": -self._page(),
            "half_down": max(1, self._page() // 2),
            "half_up": -max(1, self._page() // 2),
        }
        if motion == "top":
            self.move_to(0)
        elif motion == "bottom":
            self.move_to(len(self.ids) - 1)
        else:
            self.move_to(self.cursor + steps[motion])

    def action_open(self) -> None:
        if self.ids:
            self.post_message(self.Opened(self.ids[self.cursor]))

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.ids):
            self.move_to(index)
            if event.chain >= 2:
                self.action_open()
