"""``reader add``: import inputs with a progress bar and a closing summary."""

from __future__ import annotations

import sys
from collections import Counter
from contextlib import nullcontext
from typing import Any

import click
import orjson

from reader.core.importers import Imported, count_inputs, read_inputs
from reader.core.library import Library

PROGRESS_ABOVE = 3  # inputs; fewer finish before a bar would be seen


def _progress(total: int) -> Any:
    """A Rich progress bar on stderr, or nothing for a few inputs or no terminal."""
    if total <= PROGRESS_ABOVE or not sys.stderr.isatty():
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.description}"), console=Console(stderr=True), transient=True,
    )


def _dry_run_record(draft: Any) -> bytes:
    return orjson.dumps({
        "title": draft.title, "author": draft.author, "date": draft.date,
        "source": draft.source, "format": draft.format, "text": draft.text,
    })


def run_add(library: Library, inputs: list[str], *, dry_run: bool, as_json: bool,
            max_bytes: int) -> int:
    counts: Counter[str] = Counter()
    total = count_inputs(inputs)
    with _progress(total) as progress:
        task = progress.add_task("", total=total) if progress else None
        for imported in read_inputs(inputs, max_bytes=max_bytes):
            _report(library, imported, counts, dry_run=dry_run, as_json=as_json)
            if progress is not None:
                progress.update(task, advance=1, description=imported.source[-40:])
    parts = [f"{counts[k]} {k}" for k in ("added", "updated", "duplicate", "failed", "skipped")
             if counts[k]]
    verb = "would import" if dry_run else "imported"
    click.echo(f"reader: {verb}: " + (", ".join(parts) or "nothing"), err=True)
    return 1 if counts["failed"] else 0


def _report(library: Library, imported: Imported, counts: Counter[str], *, dry_run: bool,
            as_json: bool) -> None:
    for note in imported.notes:
        click.echo(f"reader: {note}", err=True)
    if imported.error:
        counts["failed"] += 1
        click.echo(f"reader: {imported.error}", err=True)
        return
    if imported.skipped:
        counts["skipped"] += 1
        return
    for draft in imported.drafts:
        if dry_run:
            counts["added"] += 1
            if as_json:
                sys.stdout.buffer.write(_dry_run_record(draft) + b"\n")
                sys.stdout.flush()
            else:
                click.echo(f"would add\t{draft.format}\t{draft.title}")
            continue
        try:
            result = library.add(draft)
        except OSError as error:
            counts["failed"] += 1
            click.echo(f"reader: {imported.source}: cannot write to the library ({error})",
                       err=True)
            continue
        counts[result.status] += 1
        click.echo(f"{result.status}\t{result.article_id}\t{result.title}")
