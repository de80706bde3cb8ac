"""Finding words in the article: ``/`` as in vim and less, ``n`` and ``N`` to the
next and previous match; an article opened from a search of the library
opens on the first match, every match highlighted.

The words are matched as the library's search matches them (the same query
language and tokenizer: :func:`reader.core.fulltext.match_spans`), so what
the list found is what is highlighted here.

A mixin of :class:`~reader.tui.screens.article.ArticleScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input

from reader.core.fulltext import match_spans
from reader.core.query import highlight_expression, parse_query

if TYPE_CHECKING:
    from reader.core.models import Article
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.article_view import ArticleView


class FindingMixin:
    article: Article
    app: ReaderApp
    search: str  # the words found, as typed

    if TYPE_CHECKING:

        @property
        def view(self) -> ArticleView: ...

        # Provided by Screen. Only for the type checker: at run time a stub here
        # would come before Screen in the MRO and replace it.
        def notify(self, *args, **kwargs): ...  # noqa: ANN002, ANN003, ANN201
        def query_one(self, *args, **kwargs): ...  # noqa: ANN002, ANN003, ANN201
        def set_focus(self, *args, **kwargs): ...  # noqa: ANN002, ANN003, ANN201

    def find(self, search: str, *, move: bool = True) -> int:
        """Highlight the matches of ``search``; with ``move``, put the cursor on the
        first one from the cursor on. Returns how many there are."""
        self.search = search
        spans = match_spans(self.article.text, highlight_expression(parse_query(search)))
        self.view.set_matches(spans)
        if move and spans:
            self.view.move_to(self.view.next_match(1, include_cursor=True))
        return len(spans)

    @property
    def find_bar(self) -> Input:
        return self.query_one("#find", Input)

    def action_find(self) -> None:
        self.find_bar.display = True
        self.find_bar.value = self.search
        self.set_focus(self.find_bar)  # at once: what is typed next goes to it

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "find":
            self.find(event.value, move=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "find":
            return
        count = self.find(event.value)
        self._close_find_bar()
        if event.value.strip() and not count:
            self.notify(f"Not found: {event.value}", severity="warning", timeout=3, markup=False)

    def _close_find_bar(self) -> None:
        self.find_bar.display = False
        self.set_focus(self.view)

    def action_close_find(self) -> None:
        """escape in the find bar: back to the text, the matches still shown."""
        self._close_find_bar()

    def action_next_match(self, delta: int) -> None:
        if not self.view.matches:
            self.notify("No search: / finds words in the article.", timeout=3)
            return
        target = self.view.next_match(delta)
        if target == self.view.cursor:  # past the last: wrap round, as vim does
            target = self.view.matches[0 if delta > 0 else -1][0]
            self.notify("Search wrapped round", timeout=1.5)
        self.view.move_to(target)
