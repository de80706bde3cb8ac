"""Reading the library screen's list as it is drawn (its rows rendered as text)."""

from __future__ import annotations

from reader.tui.screens.library import LibraryScreen


def rows(screen: LibraryScreen) -> list[str]:
    """Each listed article's row as the list draws it (all rows, scrolled or not)."""
    article_list = screen.article_list
    found = screen.app.library.catalog.rows(article_list.ids)
    return [article_list.line_text(found.get(rowid)) for rowid in article_list.ids]


def columns(screen: LibraryScreen) -> list[str]:
    return [name for name, _ in screen.article_list.columns]


def cell(screen: LibraryScreen, article_id: str, column: str) -> str:
    """What the list shows in ``column`` for the article (stripped)."""
    article_list = screen.article_list
    rowid = screen.app.library.catalog.rowid(article_id)
    line = rows(screen)[article_list.ids.index(rowid)]
    start = 1
    for name, width in article_list.columns:
        if name == column:
            return line[start : start + width].strip()
        start += width + 2
    raise KeyError(column)


def status(screen: LibraryScreen) -> str:
    return str(screen.query_one("#library-status").render())
