"""``reader annotate``: a note on a quote of an article, from a script."""

from __future__ import annotations

import unicodedata

import click

from reader.cli.base import (
    library_of,
    main,
)
from reader.core.store import StoreError


@main.command()
@click.argument("article")
@click.option("--quote", required=True, help="The exact text to annotate.")
@click.option(
    "--occurrence",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Which occurrence of the quote (1 is the first).",
)
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable; commas separate tags).")
@click.option("--note", default="", help="A note.")
@click.pass_context
def annotate(
    ctx: click.Context, article: str, quote: str, occurrence: int, tags: tuple[str, ...], note: str
) -> None:
    """Annotate a quote of ARTICLE; prints the annotation's id once it is durably saved."""
    from reader.core.anchoring import new_annotation
    from reader.core.models import clean_note, typed_tags

    library = library_of(ctx)
    if not library.has_article(article):
        raise click.UsageError(f"no such article: {article}")
    quote = unicodedata.normalize("NFC", quote)  # as the article's text is
    if not quote:
        raise click.UsageError("the quote is empty")
    loaded, _ = library.load(article)
    at = -1
    for _ in range(occurrence):
        at = loaded.text.find(quote, at + 1)
        if at == -1:
            raise click.ClickException(
                f"the quote is not in {article}"
                if occurrence == 1
                else f"the quote occurs fewer than {occurrence} times in {article}"
            )
    times = loaded.text.count(quote)
    if times > 1:
        click.echo(
            f"reader: the quote occurs {times} times; annotated occurrence {occurrence} "
            "(choose another with --occurrence)",
            err=True,
        )
    annotation = new_annotation(
        loaded.text, at, at + len(quote), typed_tags(tags), clean_note(note)
    )
    try:
        library.store(article).save_annotation(annotation)  # atomic and fsync'd on return
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    library_of(ctx)  # a store set aside on the way: said on stderr
    click.echo(annotation.id)
