"""``reader list`` and ``reader notes``: articles and notes matching a query, from the
library index."""

from __future__ import annotations

import sys
from typing import Any

import click

from reader.cli.base import (
    catalog_of,
    checked_query,
    json_bytes,
    main,
    nothing_matched,
)


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option(
    "--sort",
    type=click.Choice(["date", "added", "title", "words", "notes"]),
    default="date",
    show_default=True,
    help="Newest date, newest added, title, longest, most notes first.",
)
@click.argument("query", nargs=-1)
@click.pass_context
def list_articles(ctx: click.Context, as_json: bool, sort: str, query: tuple[str, ...]) -> None:
    """List the articles (matching QUERY): id, date, words, notes, title.

    QUERY: words and "phrases" in the full text, word* prefixes, -word to
    exclude, OR; tag:T, entity:"NAME", label:L, since:DATE, until:DATE,
    source:S, author:A, has:note, has:tag, state:orphan, article:ID.
    """
    from reader.core.query import parse_query

    wanted = parse_query(checked_query(" ".join(query)))
    catalog = catalog_of(ctx, wanted)
    out = sys.stdout
    listed = 0
    if as_json:
        for info in catalog.iter_infos(wanted, sort):
            listed += 1
            record = {
                "id": info.id,
                "title": info.title,
                "author": info.author,
                "date": info.date,
                "source": info.source,
                "words": info.word_count,
                "tags": list(info.tags),
                "annotation_tags": list(info.annotation_tags),
                "notes": info.annotation_count,
                "read": info.read,
            }
            out.buffer.write(json_bytes(record) + b"\n")
    else:
        from reader.cli.output import write_clean

        out.flush()
        lines = catalog.listing_bytes(wanted, sort)
        listed = len(lines)
        write_clean(lines)  # from strings cleaned as read
    nothing_matched(ctx, wanted, listed, "article")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.argument("query", nargs=-1)
@click.pass_context
def notes(ctx: click.Context, as_json: bool, query: tuple[str, ...]) -> None:
    """Search notes: words and "phrases" in their quotes, tags and notes (and
    their article's title, author, source and tags), word* prefixes, -word,
    OR; tag:T, state:orphan, since:DATE, until:DATE (the day the note was made),
    article:ID, has:note, and entity:"NAME", label:L, source:S, author:A for
    their articles.

    One line each: id, article, state, tags, quote, first line of the note. An
    article's own tags and note come first, with "article" for id and state and
    no quote.
    """
    from reader.core.query import parse_query

    wanted = parse_query(checked_query(" ".join(query)))
    catalog = catalog_of(ctx, wanted)
    out = sys.stdout
    if not as_json:
        from reader.cli.output import write_clean

        out.flush()
        lines = catalog.note_listing(wanted).encode()
        write_clean(lines)  # from strings cleaned as read
        nothing_matched(ctx, wanted, len(lines), "note")
        return
    found = 0
    for info, annotation in catalog.notes(wanted):
        found += 1
        record: dict[str, Any]
        if annotation is None:  # the article's own tags and note
            record = {
                "kind": "article",
                "article": info.id,
                "title": info.title,
                "tags": list(info.tags),
                "note": info.note,
            }
        else:
            record = {
                "kind": "span",
                "id": annotation.id,
                "article": info.id,
                "title": info.title,
                "start": annotation.start,
                "end": annotation.end,
                "exact": annotation.exact,
                "tags": list(annotation.tags),
                "note": annotation.note,
                "state": annotation.state,
                "created": annotation.created,
                "modified": annotation.modified,
            }
        out.buffer.write(json_bytes(record) + b"\n")
    nothing_matched(ctx, wanted, found, "note")
