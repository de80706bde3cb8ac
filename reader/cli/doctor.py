"""``reader doctor``: what in the library needs looking at."""

from __future__ import annotations

import sys

import click

from reader.cli.base import (
    library_of,
    main,
)


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Report unreadable store files, orphans and annotations that need review.

    Exits 1 when there is anything to look at.
    """
    from reader.core.query import parse_query
    from reader.core.search import ready_catalog
    from reader.core.text import shorten

    library = library_of(ctx)
    catalog = ready_catalog(library)
    catalog.reconcile(full=True)  # files edited in place too
    findings = [
        f"unreadable store set aside: {p}"
        for p in sorted(library.annotations_dir.glob("*.corrupt-*"))
    ]
    for info, annotation in catalog.notes(parse_query("state:orphan OR state:needs-review")):
        if annotation is None:
            continue
        quote = shorten(annotation.exact, 60)
        findings.append(f"{annotation.state}: {info.id} {annotation.id} “{quote}”")
    problems = [*library.problems, *catalog.problems()]
    findings += [f"problem: {p}" for p in dict.fromkeys(problems)]
    from reader.cli.output import one_line

    for line in findings:
        click.echo(one_line(line))
    click.echo(f"reader: {len(findings)} finding(s) in {library.root}", err=True)
    sys.exit(1 if findings else 0)
