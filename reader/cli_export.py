"""``reader export``: the shared export run, with the CLI's messages."""

from __future__ import annotations

import click

from reader.cli_output import write_clean
from reader.core.export import ExportError
from reader.core.export.readwise import BOM
from reader.core.export.run import run_export as run
from reader.core.library import Library


def run_export(
    library: Library, fmt: str, output: str | None, query: str, csv_layout: str, creator: str | None
) -> None:
    from reader.core.entities import ModelUnavailable

    try:
        result = run(library, fmt, query, output=output, csv_layout=csv_layout, creator=creator)
    except (ExportError, ModelUnavailable) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
    if result.text is not None:
        text = result.text
        if text.startswith(BOM):  # the CSV's byte order mark, which the output guard
            write_clean(BOM.encode("utf-8"))  # takes for an invisible control character
            text = text[len(BOM) :]
        click.echo(text, nl=False)
    elif len(result.written) == 1:
        click.echo(f"reader: wrote {result.written[0]}", err=True)
    else:
        click.echo(f"reader: wrote {len(result.written)} files to {output}", err=True)
