"""``reader delete``, ``reader restore`` and ``reader mark``: an article to the
trash and back, and read or unread (see reader.core.trash, reader.core.reading)."""

from __future__ import annotations

import click

from reader.cli.base import library_of, main
from reader.core.library import Library


def _existing(ctx: click.Context, article_ids: tuple[str, ...]) -> Library:
    """The library, once every one of these articles is in it (else a usage error)."""
    library = library_of(ctx)
    missing = [a for a in article_ids if not library.has_article(a)]
    if missing:
        raise click.UsageError(f"no such article: {missing[0]}")
    return library


@main.command()
@click.argument("articles", nargs=-1, required=True)
@click.pass_context
def delete(ctx: click.Context, articles: tuple[str, ...]) -> None:
    """Move ARTICLES (ids) to the trash, with their notes: .trash/ in the library."""
    from reader.core.trash import move_to_trash

    library = _existing(ctx, articles)
    for article_id in articles:
        folder = move_to_trash(library, article_id)
        click.echo(
            f"reader: moved {article_id} to {folder} (reader restore brings it back)", err=True
        )
    library_of(ctx)


@main.command()
@click.argument("names", nargs=-1)
@click.pass_context
def restore(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Bring articles back from the trash; without NAMES, list what is there."""
    from reader.core.trash import restore as restore_article
    from reader.core.trash import trashed

    library = library_of(ctx)
    if not names:  # what is there to restore
        for item in trashed(library):
            click.echo(f"{item.name}\t{item.title}")
        return
    for name in names:
        try:
            article_id = restore_article(library, name)
        except FileNotFoundError:
            raise click.UsageError(
                f"{name} is not in the trash (reader restore lists it)"
            ) from None
        except FileExistsError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"reader: restored {article_id}", err=True)
    library_of(ctx)


@main.command()
@click.argument("articles", nargs=-1, required=True)
@click.option("--unread", is_flag=True, help="Mark them unread.")
@click.pass_context
def mark(ctx: click.Context, articles: tuple[str, ...], unread: bool) -> None:
    """Mark ARTICLES (ids) read (is:read), or unread with --unread."""
    _existing(ctx, articles).set_read(articles, not unread)
    library_of(ctx)
