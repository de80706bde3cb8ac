"""What the article screen does to entities: the panel, jumping to mentions,
showing and hiding types, and the reader's corrections (remove, relabel, mark),
for this article or, with one more key, for every article.

A mixin of :class:`~reader.tui.screens.article.ArticleScreen`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from reader.core.editing import AnnotationSet, CorrectionMade
from reader.core.entity_links import LinkedEntity, entity_query
from reader.core.labels import LABEL_GROUPS
from reader.core.models import Correction, Entity
from reader.tui.dialogs.entity import EntityChoice, LabelDialog, RemoveEntityDialog

if TYPE_CHECKING:
    from reader.core.models import Article
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.article_view import ArticleView


class CorrectingMixin:
    article: Article
    annotations: AnnotationSet
    app: ReaderApp

    if TYPE_CHECKING:

        @property
        def view(self) -> ArticleView: ...

        # Provided by Screen and ArticleScreen. Only for the type checker: at run
        # time a stub here would come before Screen in the MRO and replace it.
        def notify(self, *args, **kwargs): ...  # noqa: ANN002, ANN003, ANN201
        def find_entities(self) -> object: ...  # (a worker)
        def _show_legend(self) -> None: ...

    def _entity_here(self) -> Entity | None:
        return self.view.entity_at(self.view.cursor)

    def remove_entity(self, entity: Entity) -> None:
        def done(choice: EntityChoice | None) -> None:
            if choice is not None:
                self._correct("remove", entity.start, entity.end, "", choice.everywhere)

        self.app.push_screen(RemoveEntityDialog(entity.text, entity.label), done)

    def action_relabel(self) -> None:
        entity = self._entity_here()
        if entity is None:
            self.notify(
                "No entity under the cursor (M marks a selection as one).", severity="warning"
            )
            return

        def done(choice: EntityChoice | None) -> None:
            if choice is not None:
                self._correct("label", entity.start, entity.end, choice.label, choice.everywhere)

        self.app.push_screen(LabelDialog(entity.text, entity.label), done)

    def action_mark_entity(self) -> None:
        selection = self.view.selection or self.view.word_at(self.view.cursor)
        if not selection:
            self.notify("Select the words to mark first (v and a motion).", severity="warning")
            return
        start, end = selection
        text = self.article.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1

        def done(choice: EntityChoice | None) -> None:
            if choice is not None:
                self.view.clear_selection()
                self._correct("add", start, end, choice.label, choice.everywhere)

        self.app.push_screen(LabelDialog(text[start:end]), done)

    def _correct(self, action: str, start: int, end: int, label: str, everywhere: bool) -> None:
        text = self.article.text[start:end]
        if everywhere:
            correction = Correction(
                uuid.uuid4().hex, "remove" if action == "remove" else "label", text, label
            )
            store = self.app.library.rule_store()
            done = (
                f"Rule saved: “{text}” {'is no entity' if not label else 'is ' + label} "
                "in every article"
            )
        else:
            correction = Correction(uuid.uuid4().hex, action, text, label, start, end)
            store = self.app.library.store(self.article.id)
            done = "Correction saved"
        self.app.write(store.save_correction, correction, done=done, then=self.find_entities)
        self.annotations.record(CorrectionMade())

    # --- types and mentions -----------------------------------------------------------

    def on_article_view_toggle_group(self, message: ArticleView.ToggleGroup) -> None:
        self.action_toggle_group(message.index)

    def action_toggle_group(self, index: int) -> None:
        group = list(LABEL_GROUPS)[index]
        self.view.toggle_group(group)
        self._show_legend()

    def action_mentions(self) -> None:
        """The library, filtered to the articles mentioning the entity here by
        any of its names."""
        entity = self.view.linked_at(self.view.cursor) or self._panel_entity()
        if entity is None:
            self.notify(
                "Put the cursor on an entity (or pick one in the panel).", severity="warning"
            )
            return
        self.app.show_library(entity_query(entity))

    def _panel_entity(self) -> LinkedEntity | None:
        from reader.tui.widgets.panels import EntityList

        panel = self.query_one(EntityList)  # type: ignore[attr-defined]
        if not panel.has_focus or panel.highlighted is None:
            return None
        return panel.entity(panel.get_option_at_index(panel.highlighted).id)

    def jump_to_mention(self, entity: LinkedEntity, delta: int = 1) -> None:
        """The next (``delta`` 1) or previous (-1) mention of an entity, under
        any of its names, from the cursor, wrapping round."""
        starts = [m.start for m in entity.mentions]
        if not starts:
            return
        cursor = self.view.cursor
        if delta > 0:
            self.view.move_to(next((s for s in starts if s > cursor), starts[0]))
        else:
            self.view.move_to(next((s for s in reversed(starts) if s < cursor), starts[-1]))

    def action_next_mention(self, delta: int) -> None:
        """``*`` and ``#``: the next or previous mention of the entity here."""
        entity = self.view.linked_at(self.view.cursor)
        if entity is None:
            self.notify("No entity under the cursor.", severity="warning")
            return
        self.jump_to_mention(entity, delta)
