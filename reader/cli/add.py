"""``reader add``: import inputs with a progress bar and a closing summary."""

from __future__ import annotations

import math
import sys
from typing import Any

import click
import orjson

from reader.cli.base import (
    MISSING,
    library_of,
    main,
)
from reader.cli.output import EXIT_BUG, one_line
from reader.cli.progress import progress_bar
from reader.core.adding import AddResult
from reader.core.importers import Imported
from reader.core.importers.inputs import count_inputs, read_inputs
from reader.core.importing import ImportRun
from reader.core.library import Library


def _dry_run_record(draft: Any, result: AddResult) -> bytes:
    return orjson.dumps(
        {
            "status": result.status,
            "id": result.article_id,
            "title": draft.title,
            "author": draft.author,
            "date": draft.date,
            "source": draft.source,
            "format": draft.format,
            "text": draft.text,
        }
    )


def run_add(
    library: Library, inputs: list[str], *, dry_run: bool, as_json: bool, max_bytes: int
) -> int:
    run = ImportRun(library)
    shown = 0  # errors printed so far

    def show(results: list[AddResult]) -> None:
        nonlocal shown
        for result in results:
            if as_json:
                record = {"status": result.status, "id": result.article_id, "title": result.title}
                sys.stdout.buffer.write(orjson.dumps(record) + b"\n")
                sys.stdout.flush()
            else:
                click.echo(f"{result.status}\t{result.article_id}\t{result.title}")
        for error in run.errors[shown:]:
            click.echo(f"reader: {one_line(error)}", err=True)
        shown = len(run.errors)

    total = count_inputs(inputs)
    with progress_bar(total, "importing") as advance:
        for imported in read_inputs(inputs, max_bytes=max_bytes, stdin=sys.stdin.buffer):
            for note in imported.notes:
                click.echo(f"reader: {one_line(note)}", err=True)
            show(_dry_run(run, library, imported, as_json) if dry_run else run.take(imported))
            advance(1, imported.source[-40:])
        show(run.flush())
    verb = "would import" if dry_run else "imported"
    click.echo(f"reader: {verb}: {run.summary()}", err=True)
    if not dry_run and (run.counts["added"] or run.counts["updated"]):
        from reader.core import entity_queue

        if entity_queue.start(library):
            click.echo("reader: finding their entities in the background", err=True)
    if run.bugs:
        return EXIT_BUG
    return 1 if run.counts["failed"] else 0


_WOULD = {"added": "would add", "updated": "would update", "duplicate": "would skip"}


def _dry_run(
    run: ImportRun, library: Library, imported: Imported, as_json: bool
) -> list[AddResult]:
    """Count and show what would be imported (added, or an update or a duplicate
    of an article in the library), writing nothing."""
    run.count(imported)
    for draft in imported.drafts:
        result = library.preview(draft)
        run.counts[result.status] += 1
        if as_json:
            sys.stdout.buffer.write(_dry_run_record(draft, result) + b"\n")
            sys.stdout.flush()
        else:
            click.echo(f"{_WOULD[result.status]}\t{draft.format}\t{draft.title}")
    return []


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per article on stdout (status, id, title; with --dry-run, "
    "its metadata and text too).",
)
@click.option(
    "--max-mb",
    type=click.FloatRange(min=0.001),
    default=20,
    show_default=True,
    callback=lambda ctx, param, value: _megabytes(value),
    help="Refuse inputs larger than this many megabytes.",
)
@click.pass_context
def add(
    ctx: click.Context, inputs: tuple[str, ...], dry_run: bool, as_json: bool, max_mb: float
) -> None:
    """Import articles: text, Markdown, HTML pages, RSS/Atom feeds, URLs, folders,
    and - for standard input (its format found from its content).

    Each bad input gets one line on stderr and the batch goes on; the exit code
    is 1 when any input failed.
    """
    ctx.meta.pop(MISSING, None)  # add makes the library
    library = library_of(ctx)
    sys.exit(
        run_add(
            library,
            list(inputs),
            dry_run=dry_run,
            as_json=as_json,
            max_bytes=int(max_mb * 1024 * 1024),
        )
    )


def _megabytes(value: float) -> float:
    """--max-mb: a number of megabytes that is a number of bytes (not nan, inf, 1e999)."""
    if not math.isfinite(value * 1024 * 1024):
        raise click.BadParameter(f"{value} is not a size in megabytes", param_hint="'--max-mb'")
    return value
