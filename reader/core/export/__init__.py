"""Exporters: one module per format, all headless, shared by the CLI and the app."""

from __future__ import annotations

from collections.abc import Callable

from reader.core.export.markdown import export_markdown
from reader.core.library import Library

FORMATS: dict[str, Callable[[Library, list[str] | None], str]] = {"md": export_markdown}
