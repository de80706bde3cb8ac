"""Every key of the app in one table: id, key, action, description.

Screens and widgets build their ``BINDINGS`` from here, and the help screen
is generated from the same table, so the two cannot drift apart. The ids let
users remap keys (``App.set_keymap``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType

from reader.core.labels import LABEL_GROUPS


@dataclass(frozen=True)
class Key:
    id: str
    key: str
    action: str
    description: str
    show: bool = True
    display: str | None = None
    # Before the focused widget's own keys (an Input's ctrl+e), and at once: a key
    # that moves the focus to a field runs as it arrives, so what is typed right
    # after it goes to the field (see TypeAhead).
    priority: bool = False


GLOBAL = [
    Key("app.help", "question_mark", "app.help", "Keys", display="?"),
    Key("app.help_f1", "f1", "app.help", "Keys (also while typing)", show=False),
    Key("app.palette", "ctrl+p", "app.command_palette", "Commands", show=False),
    Key("app.quit", "ctrl+q", "app.quit", "Quit", show=False),
]

LIBRARY = [
    Key("library.filter", "slash", "filter", "Filter", display="/", priority=True),
    Key("library.sort", "s", "sort", "Sort"),
    Key("library.add", "a", "add", "Add"),
    Key("library.notes", "n", "notes", "Notes"),
    Key("library.toggle_read", "N", "toggle_read", "Mark read/unread", show=False),
    Key("library.delete", "D", "delete", "Delete the article (to the trash)", show=False),
    Key("library.export", "e", "app.export", "Export"),
    Key("library.clear", "escape", "clear_filter", "Clear filter", show=False),
    Key("library.quit", "q", "app.quit", "Quit"),
]

# The library's list of articles (keys of the list widget).
LIST = [
    Key("list.open", "enter", "open", "Open"),
    Key("list.down", "j,down", "move('down')", "Down", show=False, display="j ↓"),
    Key("list.up", "k,up", "move('up')", "Up", show=False, display="k ↑"),
    Key(
        "list.page_down",
        "pagedown,ctrl+f",
        "move('page_down')",
        "Page down",
        show=False,
        display="PgDn ctrl+f",
    ),
    Key(
        "list.page_up",
        "pageup,ctrl+b",
        "move('page_up')",
        "Page up",
        show=False,
        display="PgUp ctrl+b",
    ),
    Key("list.half_down", "ctrl+d", "move('half_down')", "Half a page down", show=False),
    Key("list.half_up", "ctrl+u", "move('half_up')", "Half a page up", show=False),
    Key("list.top", "g,home", "move('top')", "First article", show=False, display="g Home"),
    Key("list.bottom", "G,end", "move('bottom')", "Last article", show=False, display="G End"),
]

READING = [
    Key("view.word", "w", "move('word')", "Next word", show=False),
    Key("view.back", "b", "move('back')", "Previous word", show=False),
    Key("view.end", "e", "move('end')", "End of word", show=False),
    Key("view.big_word", "W", "move('big_word')", "Next WORD (to the next space)", show=False),
    Key("view.big_back", "B", "move('big_back')", "Previous WORD", show=False),
    Key("view.big_end", "E", "move('big_end')", "End of WORD", show=False),
    Key("view.left", "h", "move('left')", "Left", show=False),
    Key("view.right", "l", "move('right')", "Right", show=False),
    Key("view.row_start", "0", "move('row_start')", "Start of the row", show=False),
    Key(
        "view.row_first",
        "circumflex_accent",
        "move('row_first')",
        "First word of the row",
        show=False,
        display="^",
    ),
    Key(
        "view.row_end", "dollar_sign", "move('row_end')", "End of the row", show=False, display="$"
    ),
    Key(
        "view.sentence",
        "right_parenthesis",
        "move('sentence')",
        "Next sentence",
        show=False,
        display=")",
    ),
    Key(
        "view.sentence_back",
        "left_parenthesis",
        "move('sentence_back')",
        "Start of the sentence",
        show=False,
        display="(",
    ),
    Key("view.down", "j", "move('down')", "Line down", show=False),
    Key("view.up", "k", "move('up')", "Line up", show=False),
    Key("view.down_arrow", "down", "move('down')", "Line down", show=False),
    Key("view.up_arrow", "up", "move('up')", "Line up", show=False),
    Key("view.left_arrow", "left", "move('left')", "Left", show=False),
    Key("view.right_arrow", "right", "move('right')", "Right", show=False),
    Key(
        "view.paragraph",
        "right_curly_bracket",
        "move('paragraph')",
        "Next paragraph",
        show=False,
        display="}",
    ),
    Key(
        "view.paragraph_back",
        "left_curly_bracket",
        "move('paragraph_back')",
        "Previous paragraph",
        show=False,
        display="{",
    ),
    Key("view.half_down", "ctrl+d", "move('half_down')", "Half page down", show=False),
    Key("view.half_up", "ctrl+u", "move('half_up')", "Half page up", show=False),
    Key(
        "view.page_down",
        "pagedown,ctrl+f,space",
        "move('page_down')",
        "Page down",
        show=False,
        display="PgDn ctrl+f Space",
    ),
    Key(
        "view.page_up",
        "pageup,ctrl+b,shift+space",
        "move('page_up')",
        "Page up",
        show=False,
        display="PgUp ctrl+b shift+Space",
    ),
    Key("view.top", "g", "prefix('g')", "Top", show=False, display="gg"),
    Key("view.bottom", "G", "move('bottom')", "Bottom", show=False),
    Key(
        "view.next_entity",
        "right_square_bracket",
        "prefix(']')",
        "Next entity",
        show=False,
        display="]e",
    ),
    Key(
        "view.previous_entity",
        "left_square_bracket",
        "prefix('[')",
        "Previous entity",
        show=False,
        display="[e",
    ),
    Key(
        "view.toggle_type",
        "z",
        "prefix('z')",
        "Show/hide an entity type: z and its number in the legend ("
        + ", ".join(f"z{n} {group}" for n, group in enumerate(LABEL_GROUPS, 1))
        + "); a count before a motion repeats it (5j, 3w)",
        show=False,
        display="z1-z8",
    ),
    Key("view.select", "v", "select", "Select"),
    Key("view.cancel", "escape", "cancel", "Cancel selection", show=False),
]

ARTICLE = [
    Key("article.tag", "t", "tag", "Tag"),
    Key("article.note", "a", "note", "Note"),
    Key("article.delete", "x", "delete", "Delete"),
    Key("article.undo", "u", "undo", "Undo"),
    Key("article.redo", "ctrl+r", "redo", "Redo", show=False),
    Key("article.tag_article", "T", "tag_article", "Tag the article", show=False),
    Key("article.note_article", "A", "note_article", "Note the article", show=False),
    Key("article.find", "slash", "find", "Find", display="/", priority=True),
    Key("article.next_match", "n", "next_match(1)", "Next match", show=False),
    Key("article.previous_match", "N", "next_match(-1)", "Previous match", show=False),
    Key("article.close_find", "escape", "close_find", "Close the find bar", show=False),
    Key("article.orphans", "O", "orphans", "Orphans", show=False),
    Key("article.open_source", "o", "open_source", "Open the source in a browser", show=False),
    Key("article.copy", "y", "copy", "Copy as a quote", show=False),
    Key("article.relabel", "r", "relabel", "Relabel entity", show=False),
    Key("article.mark", "M", "mark_entity", "Mark selection as entity", show=False),
    Key("article.rules", "R", "app.rules", "Entity rules for every article", show=False),
    Key("article.mentions", "m", "mentions", "Articles mentioning", show=False),
    Key(
        "article.next_mention",
        "asterisk",
        "next_mention(1)",
        "Next mention of this entity",
        show=False,
        display="*",
    ),
    Key(
        "article.previous_mention",
        "number_sign",
        "next_mention(-1)",
        "Previous mention of this entity",
        show=False,
        display="#",
    ),
    Key("article.panel", "tab", "focus_panel", "Text, entities, annotations", show=False),
    Key("article.side_panel", "p", "toggle_panel", "Show/hide the side panel", show=False),
    Key("article.export", "ctrl+e", "app.export", "Export", show=False),
    Key("article.next_article", "J", "next_article(1)", "Next article in the list", show=False),
    Key(
        "article.previous_article",
        "K",
        "next_article(-1)",
        "Previous article in the list",
        show=False,
    ),
    Key("article.back", "q", "back", "Back"),
]

NOTES = [
    Key("notes.query", "slash", "focus_query", "Search", display="/", priority=True),
    Key("notes.back", "escape", "back", "Back"),
    Key("notes.quit", "q", "back", "Back (from the list)", show=False),
    Key("notes.to_list", "down", "to_list", "From the search to the list", show=False),
    Key("notes.export", "ctrl+e", "app.export", "Export these", priority=True),
    Key("notes.help", "f1", "app.help", "Keys"),
]

RULES = [
    Key("rules.remove", "x,delete", "remove", "Remove the rule", display="x"),
    Key("rules.undo", "u", "undo", "Put the last removed back"),
    Key("rules.close", "escape,q", "close", "Close", display="escape q"),
]

ALL_KEYS = [*GLOBAL, *LIBRARY, *LIST, *READING, *ARTICLE, *NOTES, *RULES]

HELP_SECTIONS = [
    ("Everywhere", GLOBAL),
    ("Library", LIST + LIBRARY),
    ("Reading: move the cursor, select", READING),
    ("Annotating (a selection, else the annotation or word at the cursor)", ARTICLE),
    ("Notes (search across the library)", NOTES),
    ("Entity rules (R, or the command palette)", RULES),
]


def bindings(keys: list[Key]) -> list[BindingType]:
    return [
        Binding(
            k.key,
            k.action,
            k.description,
            show=k.show,
            key_display=k.display,
            priority=k.priority,
            id=k.id,
        )
        for k in keys
    ]


def key_label(key: Key) -> str:
    return key.display or key.key


README_START = "<!-- keys: generated by python -m reader.tui.bindings -->"
README_END = "<!-- end of keys -->"


def keys_markdown() -> str:
    """Every key of the app as README tables, one per help section, from this
    table (tests/test_readme_keys.py keeps README's copy equal to it)."""
    lines: list[str] = []
    for title, keys in HELP_SECTIONS:
        lines += [f"**{title}**", "", "| key | what | binding id |", "| --- | --- | --- |"]
        for key in keys:
            what = key.description.replace("|", "\\|")
            lines.append(f"| `{key_label(key)}` | {what} | `{key.id}` |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(keys_markdown(), end="")


FIELD_ACTIONS = frozenset({"filter", "find", "focus_query"})  # the / keys, to a field


class TypeAhead:
    """For a screen whose / moves the focus to a field. Textual hands each key to
    the widget focused when the key arrives, but runs an ordinary binding only
    after the keys already queued, so what is typed quickly after / (or while
    the app is busy) would go to the list. Those bindings are priority ones,
    run on arrival; this turns them off while a field has the focus, where /
    is typed."""

    if TYPE_CHECKING:
        from textual.widget import Widget

        focused: Widget | None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from textual.widgets import Input  # (loaded already: each of these screens has one)

        return not (action in FIELD_ACTIONS and isinstance(self.focused, Input))
