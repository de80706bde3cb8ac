"""``reader export``: the shared export run, with the CLI's messages."""

from __future__ import annotations

import click

from reader.core.export import ExportError
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
        click.echo(result.text, nl=False)
    elif len(result.written) == 1:
        click.echo(f"reader: wrote {result.written[0]}", err=True)
    else:
        click.echo(f"reader: wrote {len(result.written)} files to {output}", err=True)
