"""The CLI's progress bar: Rich, on stderr, only on a terminal and for long work."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

Advance = Callable[..., None]  # advance(n=1, current="")


@contextlib.contextmanager
def progress_bar(total: int, what: str, *, above: int = 3) -> Iterator[Advance]:
    """Yields ``advance(n, current)``; draws a bar when there are more than ``above``
    steps and stderr is a terminal, and nothing otherwise."""
    if total <= above or not sys.stderr.isatty():
        yield lambda n=1, current="": None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from reader.cli.output import unguarded_stderr
    from reader.core.text import strip_controls

    with Progress(
        TextColumn(strip_controls(what), markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}", markup=False),  # file names and URLs: not markup
        console=Console(file=unguarded_stderr()),  # its own escapes draw the bar
        transient=True,
    ) as progress:
        task = progress.add_task("", total=total)
        yield lambda n=1, current="": progress.update(
            task, advance=n, description=strip_controls(current)
        )
