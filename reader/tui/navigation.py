"""Going from screen to screen: the app opens the article, Notes, help and rules
screens, and takes the reader back to the list filtered; screens ask the app
(they never import and push each other).

Opening an article reads its files, re-anchors its annotations and lays out
its text in a worker, never on the UI thread (a long article with many
annotations takes tens of milliseconds; a slow disk, much longer). The
highlighted article is read ahead while the reader looks at the list, so
opening it then shows it at once; any other (from the Notes screen, J and K, an
enter pressed before the read ahead) is shown when its worker has read it. The
app keeps one article screen and shows each article in it (see ArticleScreen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import get_current_worker

from reader.core.library import Library
from reader.tui.loading import LoadedArticle, load_article, still_current
from reader.tui.messages import ArticleRead
from reader.tui.screens.library import LibraryScreen

if TYPE_CHECKING:
    from reader.tui.screens.article import ArticleScreen


class Navigation:
    """The app's part in going from screen to screen (a mixin of ReaderApp)."""

    library: Library
    prefetched: LoadedArticle | None  # the highlighted article, read ahead
    _article_screen: ArticleScreen | None
    _opening: int  # the latest opening asked for: an older one's read is not shown

    # Provided by the App.
    config: Any
    screen: Any
    screen_stack: Any
    notify: Any
    install_screen: Any
    push_screen: Any
    pop_screen: Any
    mark_read: Any
    after_writes: Any

    def open_article(self, article_id: str, offset: int | None = None, search: str = "") -> None:
        """Show an article, over the screen shown: ``offset``, where to put the
        cursor (else where the reader left it); ``search``, words to show found."""
        self._open(article_id, offset, search, push=True)

    def open_next_article(self, article_id: str, step: int) -> bool:
        """Show, in the article screen, the article ``step`` rows from this one in
        the library's list as filtered (J and K); False at either end."""
        library = self.screen_stack[0]  # the first screen, under every other
        if not isinstance(library, LibraryScreen) or self._article_screen is None:
            return False
        target = library.neighbour(article_id, step)
        if target is None:
            return False
        self._open(target, None, library.text_search(), push=False)
        return True

    def _open(self, article_id: str, offset: int | None, search: str, *, push: bool) -> None:
        self._opening += 1
        loaded, self.prefetched = self.prefetched, None
        if still_current(self.library, loaded, article_id):
            assert loaded is not None
            self._show_article(loaded, offset, search, push)
            return
        width = self._layout_width()
        self._read_then_show(ArticleRead(self._opening, article_id, offset, search, push), width)

    def _layout_width(self) -> int:
        """The width of the article screen's view, once it has one (the screen is
        made before it is first shown); a layout of another width is not used."""
        from reader.tui.widgets.article_view import ArticleView

        screen = self._article_screen
        views = list(screen.query(ArticleView)) if screen is not None else []
        return views[0].text_layout.width if views else self.config.reading_width

    @work(thread=True, exclusive=True, group="opening", exit_on_error=False)
    def _read_then_show(self, asked: ArticleRead, width: int) -> None:
        try:
            asked.loaded = load_article(self.library, asked.article_id, width)
        except OSError as error:
            asked.problem = f"{asked.article_id}: {error.strerror or error}"
        if not get_current_worker().is_cancelled:
            self.post_message(asked)  # type: ignore[attr-defined]

    def on_article_read(self, message: ArticleRead) -> None:
        if message.opening != self._opening:
            return  # another article was asked for since
        if message.loaded is None:
            self.notify(message.problem, title="Cannot open the article", severity="error")
            return
        screen = self._article_screen
        if not message.push and (screen is None or not screen.is_current):
            return  # J or K, then q before it was read: not shown, not marked read
        self._show_article(message.loaded, message.offset, message.search, message.push)

    def _show_article(
        self, loaded: LoadedArticle, offset: int | None, search: str, push: bool
    ) -> None:
        from reader.tui.screens.article import ArticleScreen

        screen = self._article_screen
        if screen is None:
            screen = self._article_screen = ArticleScreen(loaded, offset, search)
            self.install_screen(screen, name="article")
        else:
            screen.open(loaded, offset, search)
        if push:
            self.push_screen("article")
        self.mark_read(loaded.article.id)

    def prefetch_article(self, article_id: str) -> None:
        """Read the article ahead (it is highlighted: it may be opened next)."""
        self._prefetch(article_id, self._layout_width())

    @work(thread=True, exclusive=True, group="prefetch", exit_on_error=False)
    def _prefetch(self, article_id: str, width: int) -> None:
        try:
            self.prefetched = load_article(self.library, article_id, width)
        except OSError:
            self.prefetched = None

    def show_notes(self) -> None:
        """The Notes screen: every annotation of the library, searched."""
        from reader.tui.screens.notes import NotesScreen

        self.push_screen(NotesScreen())

    def show_library(self, query: str) -> None:
        """Back to the library, its list filtered by ``query`` (from an article
        opened from the Notes screen too, which would come back unfiltered)."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, LibraryScreen):
            self.pop_screen()
        if isinstance(self.screen, LibraryScreen):
            self.screen.set_filter(query)

    def action_help(self) -> None:
        from reader.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_rules(self) -> None:
        """The library's entity rules; the article shown finds its entities again
        when one was removed or put back."""
        from reader.tui.screens.rules import RulesScreen

        def closed(changed: bool | None) -> None:
            article = self._article_screen
            if changed and article is not None and article.is_current:
                self.after_writes(article.find_entities)

        self.push_screen(RulesScreen(), closed)
