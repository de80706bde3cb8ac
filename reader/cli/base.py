"""The ``reader`` command group, and what its commands share: the library and
its index as a command needs them, the query checked, JSON lines, and every
failure in one line with its exit code (README: exit codes).

The command group of the app, and commands for scripts.

stdout is for data, stderr for diagnostics; bad input gives one line on
stderr and a non-zero exit code.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reader.core.library import LIBRARY_ENV, Library, resolve_library_dir

if TYPE_CHECKING:
    from reader.core.catalog import Catalog
    from reader.core.query import Query


MISSING = "reader.missing_library"  # ctx.meta: the --library given, which does not exist


def library_of(ctx: click.Context) -> Library:
    """The library, with what reading it met said on stderr; a usage error when
    the folder named by --library (or $READER_LIBRARY) does not exist: a
    mistyped path is not a new, empty library (reader add makes one)."""
    missing = ctx.meta.get(MISSING)
    if missing is not None and not missing.exists():
        raise click.UsageError(
            f"there is no library at {missing} (reader --library {missing} add FILE makes one)"
        )
    library: Library = ctx.obj
    from reader.cli.output import one_line

    for problem in library.problems:
        click.echo(f"reader: {one_line(problem)}", err=True)
    library.problems.clear()
    return library


class _Reader(click.Group):
    """Every failure in one line on stderr, ``reader: …``, with a non-zero exit
    code: click's own errors (shown as ``Error: …`` after the usage), the
    system's (a full disk, a closed pipe, a folder that cannot be written),
    which would otherwise end in a traceback, and reader's own (a bug: exit
    code 70, its traceback in the log, reader.core.errorlog)."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            # (click's overloads tell standalone_mode's literal values apart)
            return super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        from reader.cli.output import guard_output

        guard_output()  # nothing printed can act on the terminal
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
            sys.stdout.flush()  # a full disk shows here, not at exit
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx else "reader"
            _fail(f"{error.format_message()} (see {where} --help)", error.exit_code)
        except click.ClickException as error:
            _fail(error.format_message(), error.exit_code)
        except click.Abort:
            _fail("interrupted", 130)
        except OSError as error:
            if error.errno == errno.EPIPE:  # the reader of our output went away: say nothing
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                sys.exit(1)
            name = f"{error.filename}: " if error.filename else "cannot write the output: "
            _fail(f"{name}{error.strerror or error}", 1)
        except Exception as error:  # a bug in reader: one line, the traceback in the log
            from reader.cli.output import EXIT_BUG
            from reader.core.errorlog import record

            log = record(f"reader {' '.join(map(str, sys.argv[1:2]))}", error)
            _fail(
                f"an error in reader itself ({type(error).__name__}: {error}); "
                f"the details are in {log}",
                EXIT_BUG,
            )
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    from reader.cli.output import one_line

    click.echo(f"reader: {one_line(message)}", err=True)
    sys.exit(code)


@click.group(
    cls=_Reader,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
    named = library_dir is not None or bool(os.environ.get(LIBRARY_ENV))
    if named and not root.exists():  # said by the commands that need one (not add)
        ctx.meta[MISSING] = root
    ctx.obj = Library(root)
    if ctx.invoked_subcommand is None:
        from reader.tui.app import run

        library_of(ctx)
        ctx.obj.ensure()
        ctx.exit(run(ctx.obj))


def nothing_matched(ctx: click.Context, query: Query, found: int, what: str) -> None:
    """A query that matched nothing: said on stderr, and exit code 1 (as grep's)."""
    if found or not query:
        return
    click.echo(f"reader: no {what} matches the query", err=True)
    ctx.exit(1)


def catalog_of(ctx: click.Context, query: Query | None = None) -> Catalog:
    """The library index, built (with a progress bar) or brought up to date first
    when needed; what could not be read, and what an entity query cannot see
    yet, on stderr."""
    from reader.cli.progress import progress_bar
    from reader.core.search import entities_pending

    library = library_of(ctx)
    catalog = library.catalog
    if not catalog.is_ready() and library.articles_dir.is_dir():
        total = len(library.article_ids_on_disk())
        with progress_bar(total, "indexing the library", above=200) as advance:
            done = [0]

            def progress(now: int, _: int) -> None:
                advance(now - done[0])
                done[0] = now

            catalog.ensure(progress)
    else:
        catalog.ensure()
    # Each once: what reading met now, and what the index knows cannot be read.
    from reader.cli.output import one_line

    for problem in dict.fromkeys([*library.problems, *catalog.problems()]):
        click.echo(f"reader: {one_line(problem)}", err=True)
    library.problems.clear()
    if query is not None and (pending := entities_pending(library, query)):
        click.echo(f"reader: {pending} (reader find-entities finds them)", err=True)
    return catalog


def checked_query(query: str) -> str:
    """The query, unless a term of it cannot match anything: then a usage error."""
    from reader.core.query import parse_query, query_problems

    problems = query_problems(parse_query(query))
    if problems:
        raise click.UsageError(problems[0])
    return query


def json_bytes(record: dict) -> bytes:
    import orjson

    return orjson.dumps(record)


def json_line(record: dict) -> None:
    sys.stdout.buffer.write(json_bytes(record) + b"\n")
    sys.stdout.flush()
