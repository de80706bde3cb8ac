"""The footer of key hints, laid out again only when its keys change.

Textual's Footer makes its keys anew whenever the screen's bindings may have
changed: at every change of focus, and every time a screen is shown again.
Remaking nine keys and styling them cost a third of the time it took to show
an article; here it happens only when what the footer shows differs."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

NARROW = 100  # columns: compact hints below
SMALL = 70  # columns: no command palette hint below


class KeyFooter(Footer):
    _shown: tuple | None = None

    def _signature(self) -> tuple:
        """What the footer shows: each key shown, its description and state."""
        return tuple(
            (binding.key, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            signature = self._signature()
            if signature == self._shown:
                return
            self._shown = signature
        super().bindings_changed(screen)

    def on_resize(self) -> None:
        """Less space between keys on a narrow terminal, and no ^p hint on a
        small one (ctrl+p still opens the palette): hints cut mid-word read as
        other keys."""
        width = self.size.width
        self.compact = width < NARROW
        self.show_command_palette = width >= SMALL
