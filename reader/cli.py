"""The ``reader`` command: the app, and commands for scripts.

stdout is for data, stderr for diagnostics; bad input gives one line on
stderr and a non-zero exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reader.core.library import Library, resolve_library_dir


def _library(ctx: click.Context) -> Library:
    library: Library = ctx.obj
    for problem in library.problems:
        click.echo(f"reader: {problem}", err=True)
    library.problems.clear()
    return library


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--library",
    "library_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Library folder (default: $READER_LIBRARY, else ./ if it has articles/, "
    "else the per-user data folder).",
)
@click.version_option(package_name="reader")
@click.pass_context
def main(ctx: click.Context, library_dir: Path | None) -> None:
    """Read, annotate and export news articles in the terminal.

    Without a command, opens the app on the library.
    """
    root = resolve_library_dir(library_dir)
    if root.exists() and not root.is_dir():
        raise click.UsageError(f"library {root} is not a folder")
    ctx.obj = Library(root)
    if ctx.invoked_subcommand is None:
        from reader.tui.app import ReaderApp

        ctx.obj.ensure()
        ReaderApp(ctx.obj).run()


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
@click.option("--json", "as_json", is_flag=True,
              help="With --dry-run: one JSON object per article on stdout.")
@click.option("--max-mb", type=click.FloatRange(min=0.001), default=20, show_default=True,
              help="Refuse inputs larger than this many megabytes.")
@click.pass_context
def add(ctx: click.Context, inputs: tuple[str, ...], dry_run: bool, as_json: bool,
        max_mb: float) -> None:
    """Import articles: text, Markdown, HTML pages, RSS/Atom feeds, URLs, folders.

    Each bad input gets one line on stderr and the batch goes on; the exit code
    is 1 when any input failed.
    """
    from reader.cli_add import run_add

    library = _library(ctx)
    sys.exit(run_add(library, list(inputs), dry_run=dry_run, as_json=as_json,
                     max_bytes=int(max_mb * 1024 * 1024)))


@main.command("list")
@click.pass_context
def list_articles(ctx: click.Context) -> None:
    """List the library's articles: id, date, words, notes, title (tab-separated)."""
    library = _library(ctx)
    infos = library.list_articles()
    _library(ctx)
    for info in infos:
        click.echo(f"{info.id}\t{info.date}\t{info.word_count}\t{info.note_count}\t{info.title}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["md"]), default="md", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of stdout.",
)
@click.option("--article", "articles", multiple=True, help="Only this article id (repeatable).")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None, articles: tuple[str, ...]) -> None:
    """Export notes (Markdown)."""
    from reader.core.export import FORMATS
    from reader.core.store import atomic_write

    library = _library(ctx)
    known = set(library.article_ids())
    missing = [a for a in articles if a not in known]
    if missing:
        raise click.UsageError(f"no such article: {', '.join(missing)}")
    text = FORMATS[fmt](library, list(articles) or None)
    _library(ctx)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            atomic_write(output.resolve(), text.encode("utf-8"))
        except OSError as error:
            raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
        click.echo(f"reader: wrote {output}", err=True)
