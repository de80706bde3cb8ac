"""The ``reader`` command's entry point: the app without loading the CLI.

``reader`` alone (or with ``--library DIR``) opens the app, and the app's
first screen should not wait for the command-line parser (click takes a
tenth of a second to import); anything else goes to :mod:`reader.cli`.
"""

from __future__ import annotations

import gc
import sys


def _app_library(args: list[str]) -> str | None:
    """The library the app is asked to open ("" for the default), or None when
    the arguments are for the CLI (a command, an option, a mistake)."""
    if not args:
        return ""
    if len(args) == 2 and args[0] == "--library" and args[1]:
        return args[1]
    if len(args) == 1 and args[0].startswith("--library=") and len(args[0]) > 10:
        return args[0][10:]
    return None


def main() -> None:
    library_dir = _app_library(sys.argv[1:])
    if library_dir is not None:
        # No collection while the app loads: its objects live as long as it does
        # (the app freezes them once it is shown, see ReaderApp.on_mount).
        gc.disable()
        from reader.core.library import Library, resolve_library_dir

        root = resolve_library_dir(library_dir or None)
        if not root.exists() or root.is_dir():
            from reader.tui.app import run

            try:
                library = Library(root).create()
            except OSError as error:  # its folders cannot be made: one line, not a traceback
                sys.exit(f"reader: {error.filename}: {error.strerror}")
            sys.exit(run(library))
    from reader.cli import main as cli  # commands, help, and errors such as a bad --library

    cli()
