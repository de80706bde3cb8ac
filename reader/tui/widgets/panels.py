"""The side panels of the article screen: the entity legend and the annotations."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.core.entities import LABEL_GROUPS
from reader.core.models import Annotation


class Legend(Static):
    """The entity types in their colours, with counts once entities are known."""

    def show(self, styles: dict[str, Style], counts: dict[str, int] | None, status: str) -> None:
        text = Text()
        for group in LABEL_GROUPS:
            count = f"{counts.get(group, 0):>4}" if counts is not None else ""
            text.append(f" {group:<13}", styles[group])
            text.append(f"{count}\n")
        text.append(status, "italic")
        self.update(text)


def annotation_label(annotation: Annotation, width: int = 30) -> Text:
    quote = " ".join(annotation.exact.split())
    if len(quote) > width:
        quote = quote[: width - 1] + "…"
    text = Text(f"“{quote}”", style="bold" if annotation.state == "anchored" else "dim strike")
    if annotation.tags:
        text.append("\n" + " ".join(f"#{tag}" for tag in annotation.tags), "italic")
    if annotation.note:
        first = annotation.note.strip().splitlines()[0]
        text.append("\n" + (first[: width + 1] + "…" if len(first) > width + 2 else first))
    if annotation.state != "anchored":
        text.append(f"\n({annotation.state})", "dim")
    return text


class AnnotationList(OptionList):
    """The article's annotations; choosing one moves the cursor to it."""

    def show(self, annotations: list[Annotation]) -> None:
        highlighted = self.highlighted
        self.clear_options()
        if not annotations:
            self.add_option(
                Option(
                    Text("No annotations yet: v to select, t to tag, n to note", style="dim"),
                    disabled=True,
                )
            )
            return
        self.add_options(Option(annotation_label(a), id=a.id) for a in annotations)
        if highlighted is not None:
            self.highlighted = min(highlighted, len(annotations) - 1)
