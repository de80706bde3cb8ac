"""``reader import-notes``: notes from a W3C export or a Readwise CSV."""

from __future__ import annotations

from pathlib import Path

import click

from reader.cli.base import (
    library_of,
    main,
)


@main.command("import-notes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_notes_command(ctx: click.Context, file: Path) -> None:
    """Import notes from a W3C export (or a Readwise CSV for articles in the library).

    Each annotation is re-anchored on the library's text; exact duplicates are
    skipped; what cannot be placed is kept as an orphan and reported.
    """
    from reader.cli.output import one_line
    from reader.core.notes_import import NotesImportError, import_notes
    from reader.core.text import strip_controls

    library = library_of(ctx)
    if not library.has_articles():  # a mistyped --library: nothing could be placed
        raise click.ClickException(
            f"the library at {library.root} has no articles: add them first (reader add)"
        )
    try:
        report = import_notes(library, file)
    except NotesImportError as error:
        raise click.ClickException(str(error)) from None
    library_of(ctx)  # a store set aside on the way: said on stderr
    for line in report.lines:  # quotes from the file: no escape sequence reaches the terminal
        click.echo(f"reader: {one_line(strip_controls(line))}", err=True)
    click.echo(f"reader: notes: {report.summary()}", err=True)
    if report.counts["malformed"]:
        ctx.exit(1)
