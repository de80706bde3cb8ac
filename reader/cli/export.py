"""``reader export``: the shared export run, with the CLI's messages."""

from __future__ import annotations

import click

from reader.cli.base import (
    catalog_of,
    checked_query,
    library_of,
    main,
)
from reader.cli.output import write_clean
from reader.core.export import FORMATS as EXPORT_FORMATS
from reader.core.export import ExportError
from reader.core.export.readwise import BOM
from reader.core.export.run import run_export as run
from reader.core.library import Library


def run_export(
    library: Library,
    fmt: str,
    output: str | None,
    query: str,
    csv_layout: str,
    creator: str | None,
    listed: bool = False,
) -> None:
    from reader.core.recogniser import ModelUnavailable

    try:
        result = run(
            library,
            fmt,
            query,
            output=output,
            csv_layout=csv_layout,
            creator=creator,
            listed=listed,
        )
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


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="md",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(),
    help="A FILE, or a DIR (existing, or ending in /) for one file per article.",
)
@click.option("--article", "articles", multiple=True, help="Only this article id (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only annotations with this tag (repeatable).")
@click.option("--since", help="Only annotations made since this date (YYYY-MM-DD).")
@click.option(
    "--csv-layout",
    type=click.Choice(["readwise", "readwise-export"]),
    default="readwise",
    show_default=True,
    help="Readwise's import layout, or the 11 columns Readwise exports.",
)
@click.option("--creator", help="Who made the notes (W3C creator; default: your user name).")
@click.option(
    "--listed",
    is_flag=True,
    help="Every note of the articles QUERY lists (as reader list: its words are "
    "searched in the articles' text), not only the notes QUERY matches.",
)
@click.argument("query", nargs=-1)
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str,
    output: str | None,
    articles: tuple[str, ...],
    tags: tuple[str, ...],
    since: str | None,
    csv_layout: str,
    creator: str | None,
    listed: bool,
    query: tuple[str, ...],
) -> None:
    """Export notes: md, w3c (lossless), csv (Readwise), jsonl (spaCy/Prodigy), brat, html.

    QUERY selects annotations as reader notes does (words, "phrases", prefix*,
    -word, OR, tag:T, since:DATE, until:DATE, article:ID, state:orphan, and
    entity:"NAME", label:L, source:S, author:A for their articles); with
    --listed, articles as reader list does, and all their notes.
    """
    from reader.core.query import parse_query

    library: Library = ctx.obj
    missing = [a for a in articles if not library.has_article(a)]
    if missing:
        raise click.UsageError(f"no such article: {', '.join(missing)}")
    terms = [*query, *(f"article:{a}" for a in articles), *(f"tag:{t}" for t in tags)]
    if since:
        terms.append(f"since:{since}")
    query_text = checked_query(" ".join(_quoted(t) for t in terms))
    catalog_of(ctx, parse_query(query_text))
    run_export(library, fmt, output, query_text, csv_layout, creator, listed)
    library_of(ctx)


def _quoted(term: str) -> str:
    import shlex

    return shlex.quote(term) if " " in term else term
