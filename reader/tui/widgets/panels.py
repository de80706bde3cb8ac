"""The side panels of the article screen: the entity legend and the annotations."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from rich.style import Style
from rich.text import Text
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.core.entity_links import LinkedEntity
from reader.core.labels import LABEL_GROUPS
from reader.core.models import Annotation, hashtags
from reader.core.text import shorten


class Legend(Static):
    """The entity types in their colours, with counts once entities are known."""

    def show(
        self,
        styles: dict[str, Style],
        counts: dict[str, int] | None,
        status: str,
        hidden: AbstractSet[str] = frozenset(),
    ) -> None:
        text = Text()
        for number, group in enumerate(LABEL_GROUPS, 1):
            count = f"{counts.get(group, 0):>4}" if counts is not None else ""
            if group in hidden:
                text.append(f"z{number} {group:<12}", "dim strike")
            else:
                text.append(f"z{number}"), text.append(f" {group:<12}", styles[group])
            text.append(f"{count}\n")
        text.append(status, "italic")
        self.update(text)


def annotation_label(annotation: Annotation, width: int = 30) -> Text:
    quote = shorten(annotation.exact, width)
    text = Text(f"“{quote}”", style="bold" if annotation.state == "anchored" else "dim strike")
    if annotation.tags:
        text.append("\n" + hashtags(annotation.tags), "italic")
    if annotation.note:
        text.append("\n" + shorten(annotation.note.strip().splitlines()[0], width + 2))
    if annotation.state != "anchored":
        # Where it was: its old context, so the reader can find the new place.
        before = shorten(annotation.quote.prefix, 16, tail=True)
        after = shorten(annotation.quote.suffix, 16)
        text.append(f"\n({annotation.state}) was: {before} ", "dim")
        text.append(f"[{shorten(annotation.exact, 24)}]", "dim bold")
        text.append(f" {after}", "dim")
        if annotation.state == "orphan":
            text.append("\nselect its new place, then enter here", "dim italic")
    return text


class Panel(OptionList):
    """A side panel list: focusing it highlights its first row, so enter acts at once."""

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.action_first()


class AnnotationList(Panel):
    """The article's annotations; choosing one moves the cursor to it."""

    def show(self, annotations: list[Annotation]) -> None:
        highlighted = self.highlighted
        self.clear_options()
        if not annotations:
            self.add_option(
                Option(
                    Text("No annotations yet: v to select, t to tag, a to note", style="dim"),
                    disabled=True,
                )
            )
            return
        self.add_options(Option(annotation_label(a), id=a.id) for a in annotations)
        if highlighted is not None:
            self.highlighted = min(highlighted, len(annotations) - 1)


class EntityList(Panel):
    """The article's entities by type, one entry per thing named (its mentions
    linked: "Erdogan" is "Recep Tayyip Erdogan"), with mention counts, the most
    mentioned first; choosing one moves the cursor to its next mention.

    A long article names hundreds: each type lists its first ``PER_TYPE`` (a
    list of all would take a fifth of a second to lay out, and no one reads
    it), and a last line says how many more ``]e`` steps through."""

    PER_TYPE = 20

    def show(self, linked: list[LinkedEntity], styles: dict[str, Style], hidden: set[str]) -> None:
        self.names: list[LinkedEntity] = []
        options = []
        more = 0
        for group in LABEL_GROUPS:
            if group in hidden:
                continue
            found = sorted(
                (one for one in linked if one.group == group),
                key=lambda one: (-len(one.mentions), one.name),
            )
            more += max(0, len(found) - self.PER_TYPE)
            for one in found[: self.PER_TYPE]:
                count = f" {len(one.mentions)}"
                # One row each, the count kept: a long name is cut, never wrapped.
                room = max(8, (self.scrollable_content_region.width or 30) - len(count) - 3)
                name = one.name if len(one.name) <= room else one.name[: room - 1] + "…"
                prompt = Text(f" {name} ", styles[group], no_wrap=True)
                prompt.append(count, "dim")
                options.append(Option(prompt, id=str(len(self.names))))
                self.names.append(one)
        if more:
            hint = Text(f" … {more} more: ]e and [e step through every entity", "dim italic")
            options.append(Option(hint, disabled=True))
        self.clear_options()
        self.add_options(options)  # at once: one layout, not one per entity

    def entity(self, option_id: str | None) -> LinkedEntity | None:
        index = int(option_id) if option_id and option_id.isdigit() else -1
        return self.names[index] if 0 <= index < len(getattr(self, "names", [])) else None
