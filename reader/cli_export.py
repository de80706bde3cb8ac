"""``reader export``: gather, render, and write to stdout, a file or a folder."""

from __future__ import annotations

from pathlib import Path

import click

from reader.core.export import (
    FORMATS,
    ExportError,
    Options,
    default_creator,
    export,
    gather,
    needs_entities,
)
from reader.core.library import Library
from reader.core.store import atomic_write


def run_export(library: Library, fmt: str, output_arg: str | None, query: str,
               csv_layout: str, creator: str | None) -> None:
    output = Path(output_arg) if output_arg else None
    service = None
    if needs_entities(fmt):
        from reader.core.entities import EntityService

        service = EntityService(rules=library.rule_store())
    options = Options(
        creator=creator or default_creator(),
        csv_layout=csv_layout,
        rules=tuple(library.rule_store().corrections()) if fmt == "w3c" else (),
    )
    try:
        from reader.core.entities import ModelUnavailable

        items = gather(library, query, entities=needs_entities(fmt), service=service)
        # A folder when asked for (an existing folder, or a path ending in /), or
        # when the format makes several files and there is somewhere to put them.
        _, _, can_stream, _ = FORMATS[fmt]
        several = not can_stream or (fmt == "html" and len(items) != 1)
        to_folder = output is not None and (
            output.is_dir() or output_arg.endswith("/") or several)
        result = export(fmt, items, options, files=to_folder)
    except (ExportError, ModelUnavailable) as error:
        raise click.ClickException(str(error)) from None
    try:
        if isinstance(result, dict):
            assert output is not None
            output.mkdir(parents=True, exist_ok=True)
            for name, content in result.items():
                atomic_write(output / name, content.encode("utf-8"))
            click.echo(f"reader: wrote {len(result)} files to {output}", err=True)
        elif output is None:
            click.echo(result, nl=False)
        else:
            atomic_write(output.resolve(), result.encode("utf-8"))
            click.echo(f"reader: wrote {output}", err=True)
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
