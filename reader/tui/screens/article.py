"""Reading one article: the text with its entities, a legend, and its annotations."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static

from reader.core.anchoring import new_annotation
from reader.core.entities import LABEL_GROUPS, ModelUnavailable, label_group
from reader.core.models import Annotation, utc_now
from reader.core.store import StoreError
from reader.tui.bindings import ARTICLE, GLOBAL, bindings
from reader.tui.dialogs.annotate import ConfirmDialog, NoteDialog, TagDialog
from reader.tui.messages import EntitiesReady, EntitiesUnavailable
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.panels import AnnotationList, Legend


class ArticleScreen(Screen[None]):
    BINDINGS = bindings(ARTICLE + GLOBAL)

    def __init__(self, article_id: str) -> None:
        super().__init__()
        self.article, self.annotations = self.app.library.load(article_id)
        self.entity_status = "entities: finding…"
        self.entity_counts: dict[str, int] | None = None

    @property
    def view(self) -> ArticleView:
        return self.query_one(ArticleView)

    def compose(self) -> ComposeResult:
        info = self.article.info
        details = " · ".join(
            part
            for part in (info.author, info.date, f"{info.word_count:,} words", info.source)
            if part
        )
        with Vertical(id="article-header"):
            yield Static(Text(info.title, style="bold"), id="article-title")
            yield Static(Text(details, style="dim", no_wrap=True, overflow="ellipsis"))
        with Horizontal(id="article-body"):
            yield ArticleView(self.article.text, id="article-view")
            with Vertical(id="side-panel"):
                yield Legend(id="legend")
                yield Static("Annotations", classes="panel-title")
                yield AnnotationList(id="annotation-list")
        yield Static(id="article-status")
        yield Footer()

    def on_mount(self) -> None:
        self.view.set_annotations(self.annotations)
        self.query_one(AnnotationList).show(self.annotations)
        self.view.focus()
        self._show_legend()
        self.find_entities()

    # --- entities, found in a worker ------------------------------------------------

    @work(thread=True, exclusive=True, group="entities", exit_on_error=False)
    def find_entities(self) -> None:
        started = time.perf_counter()
        store = self.app.library.store(self.article.id)
        try:
            entities, cached = self.app.entities.entities_for(self.article, store)
        except (ModelUnavailable, StoreError) as error:
            self.post_message(EntitiesUnavailable(self.article.id, str(error)))
            return
        self.post_message(
            EntitiesReady(self.article.id, entities, cached, time.perf_counter() - started)
        )

    def on_entities_ready(self, message: EntitiesReady) -> None:
        self.view.set_entities(message.entities)
        self.entity_counts = dict(Counter(label_group(e.label) for e in message.entities))
        source = "cached" if message.from_cache else f"found in {message.seconds:.2f} s"
        self.entity_status = f"{len(message.entities)} entities ({source})"
        self._show_legend()

    def on_entities_unavailable(self, message: EntitiesUnavailable) -> None:
        self.entity_status = f"no entities: {message.reason}"
        self._show_legend()
        self.notify(message.reason, title="Entities unavailable", severity="warning")

    def _show_legend(self) -> None:
        styles = {group: self.view.entity_style(group) for group in LABEL_GROUPS}
        self.query_one(Legend).show(styles, self.entity_counts, self.entity_status)

    # --- what the cursor is on --------------------------------------------------------

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        view = self.view
        parts = []
        if view.selection:
            start, end = view.selection
            parts.append(f"selected {end - start} characters")
        for annotation in view.annotations_at(message.offset):
            tags = " ".join(f"#{t}" for t in annotation.tags)
            note = annotation.note.splitlines()[0] if annotation.note else ""
            parts.append(f"“{annotation.exact[:40]}” {tags} {note}".strip())
        entity = view.entity_at(message.offset)
        if entity:
            parts.append(f"{entity.text} — {entity.label}")
        self.query_one("#article-status", Static).update(Text("  ·  ".join(parts)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        annotation = self._by_id(event.option.id)
        if annotation and annotation.state == "anchored":
            self.view.clear_selection()
            self.view.move_to(annotation.start)
            self.view.focus()

    def _by_id(self, annotation_id: str | None) -> Annotation | None:
        return next((a for a in self.annotations if a.id == annotation_id), None)

    # --- annotating -----------------------------------------------------------------

    def _target(self) -> tuple[Annotation | None, tuple[int, int] | None]:
        """What t/n act on: the selection, else the annotation under the cursor,
        else the word under the cursor. Returns (existing annotation, new span)."""
        view = self.view
        selection = view.selection
        if selection:
            start, end = selection
            text = view.text
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            same = next((a for a in self.annotations if (a.start, a.end) == (start, end)), None)
            return (same, None) if same else (None, (start, end) if start < end else None)
        under = view.annotations_at(view.cursor)
        if under:
            return min(under, key=lambda a: a.end - a.start), None
        return None, view.word_at(view.cursor)

    def action_tag(self) -> None:
        existing, span = self._target()
        if existing is None and span is None:
            self.notify("Nothing to tag here: select a span with v first.", severity="warning")
            return
        quote = existing.exact if existing else self.article.text[span[0] : span[1]]
        tags = existing.tags if existing else ()

        def done(result: tuple[str, ...] | None) -> None:
            if result is not None:
                self._save(existing, span, tags=result)

        self.app.push_screen(TagDialog(quote, tags), done)

    def action_note(self) -> None:
        existing, span = self._target()
        if existing is None and span is None:
            self.notify("Nothing to note here: select a span with v first.", severity="warning")
            return
        quote = existing.exact if existing else self.article.text[span[0] : span[1]]

        def done(result: str | None) -> None:
            if result is not None:
                self._save(existing, span, note=result)

        self.app.push_screen(NoteDialog(quote, existing.note if existing else ""), done)

    def _save(
        self,
        existing: Annotation | None,
        span: tuple[int, int] | None,
        *,
        tags: tuple[str, ...] | None = None,
        note: str | None = None,
    ) -> None:
        if existing is None:
            assert span is not None
            annotation = new_annotation(self.article.text, *span, tags or (), note or "")
        else:
            changes: dict = {"modified": utc_now()}
            if tags is not None:
                changes["tags"] = tags
            if note is not None:
                changes["note"] = note
            annotation = replace(existing, **changes)
        self.annotations = sorted(
            [a for a in self.annotations if a.id != annotation.id] + [annotation],
            key=lambda a: (a.start, a.end, a.created),
        )
        self._refresh_annotations()
        self.view.clear_selection()
        store = self.app.library.store(self.article.id)
        self.app.write(store.save_annotation, annotation, done=f"Saved to {store.path.name}")

    def action_delete(self) -> None:
        under = self.view.annotations_at(self.view.cursor)
        if not under:
            self.notify("No annotation under the cursor.", severity="warning")
            return
        annotation = min(under, key=lambda a: a.end - a.start)

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.annotations = [a for a in self.annotations if a.id != annotation.id]
                self._refresh_annotations()
                store = self.app.library.store(self.article.id)
                self.app.write(store.delete_annotation, annotation.id, done="Annotation deleted")

        quote = " ".join(annotation.exact.split())[:50]
        self.app.push_screen(ConfirmDialog(f"Delete the annotation on “{quote}”?"), done)

    def _refresh_annotations(self) -> None:
        self.view.set_annotations(self.annotations)
        self.query_one(AnnotationList).show(self.annotations)

    def action_focus_panel(self) -> None:
        panel = self.query_one(AnnotationList)
        (self.view if panel.has_focus else panel).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
