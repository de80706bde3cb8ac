"""The last guard between stored text and the terminal: every line any widget
draws (the list, titles, panels, toasts, dialogs) passes through this filter,
which drops control characters and escape sequences from its text.

Article texts are cleaned on import, but stores, texts and file names are files
that users, git merges and other tools edit: an ``ESC]52`` in a tag would write
the clipboard, an ``ESC]0`` the window title. Each widget also shows such text
literally (never as markup); this makes sure nothing that reaches the screen
can act on the terminal, whatever widget shows it.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from reader.core.text import has_controls, strip_controls


class NoControls(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(not s.control and has_controls(s.text) for s in segments):
            return segments  # almost always: one scan of each segment
        return [s if s.control else Segment(strip_controls(s.text), s.style) for s in segments]
