"""The ``reader`` command: the app, and commands for scripts.

stdout is for data, stderr for diagnostics; bad input gives one line on
stderr and a non-zero exit code.
"""

from __future__ import annotations

import errno
import math
import os
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reader.core.export import FORMATS as EXPORT_FORMATS
from reader.core.library import LIBRARY_ENV, Library, resolve_library_dir
from reader.core.store import StoreError

if TYPE_CHECKING:
    from reader.core.catalog import Catalog
    from reader.core.query import Query


MISSING = "reader.missing_library"  # ctx.meta: the --library given, which does not exist


def _library(ctx: click.Context) -> Library:
    """The library, with what reading it met said on stderr; a usage error when
    the folder named by --library (or $READER_LIBRARY) does not exist: a
    mistyped path is not a new, empty library (reader add makes one)."""
    missing = ctx.meta.get(MISSING)
    if missing is not None and not missing.exists():
        raise click.UsageError(
            f"there is no library at {missing} (reader --library {missing} add FILE makes one)"
        )
    library: Library = ctx.obj
    from reader.cli_output import one_line

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
        from reader.cli_output import guard_output

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
            from reader.cli_output import EXIT_BUG
            from reader.core.errorlog import record

            log = record(f"reader {' '.join(map(str, sys.argv[1:2]))}", error)
            _fail(
                f"an error in reader itself ({type(error).__name__}: {error}); "
                f"the details are in {log}",
                EXIT_BUG,
            )
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    from reader.cli_output import one_line

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

        _library(ctx)
        ctx.obj.ensure()
        ctx.exit(run(ctx.obj))


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per article on stdout (status, id, title; with --dry-run, "
    "its metadata and text too).",
)
@click.option(
    "--max-mb",
    type=click.FloatRange(min=0.001),
    default=20,
    show_default=True,
    callback=lambda ctx, param, value: _megabytes(value),
    help="Refuse inputs larger than this many megabytes.",
)
@click.pass_context
def add(
    ctx: click.Context, inputs: tuple[str, ...], dry_run: bool, as_json: bool, max_mb: float
) -> None:
    """Import articles: text, Markdown, HTML pages, RSS/Atom feeds, URLs, folders,
    and - for standard input (its format found from its content).

    Each bad input gets one line on stderr and the batch goes on; the exit code
    is 1 when any input failed.
    """
    from reader.cli_add import run_add

    ctx.meta.pop(MISSING, None)  # add makes the library
    library = _library(ctx)
    sys.exit(
        run_add(
            library,
            list(inputs),
            dry_run=dry_run,
            as_json=as_json,
            max_bytes=int(max_mb * 1024 * 1024),
        )
    )


def _megabytes(value: float) -> float:
    """--max-mb: a number of megabytes that is a number of bytes (not nan, inf, 1e999)."""
    if not math.isfinite(value * 1024 * 1024):
        raise click.BadParameter(f"{value} is not a size in megabytes", param_hint="'--max-mb'")
    return value


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

    wanted = parse_query(_checked(" ".join(query)))
    catalog = _catalog(ctx, wanted)
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
                "annotation_tags": list(info.note_tags),
                "notes": info.note_count,
                "read": info.read,
            }
            out.buffer.write(_json(record) + b"\n")
    else:
        from reader.cli_output import write_clean

        out.flush()
        lines = catalog.listing_bytes(wanted, sort)
        listed = len(lines)
        write_clean(lines)  # from strings cleaned as read
    _nothing_matched(ctx, wanted, listed, "article")


def _nothing_matched(ctx: click.Context, query: Query, found: int, what: str) -> None:
    """A query that matched nothing: said on stderr, and exit code 1 (as grep's)."""
    if found or not query:
        return
    click.echo(f"reader: no {what} matches the query", err=True)
    ctx.exit(1)


def _catalog(ctx: click.Context, query: Query | None = None) -> Catalog:
    """The library index, built (with a progress bar) or brought up to date first
    when needed; what could not be read, and what an entity query cannot see
    yet, on stderr."""
    from reader.cli_progress import progress_bar
    from reader.core.search import entities_pending

    library = _library(ctx)
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
    from reader.cli_output import one_line

    for problem in dict.fromkeys([*library.problems, *catalog.problems()]):
        click.echo(f"reader: {one_line(problem)}", err=True)
    library.problems.clear()
    if query is not None and (pending := entities_pending(library, query)):
        click.echo(f"reader: {pending} (reader index finds them)", err=True)
    return catalog


def _checked(query: str) -> str:
    """The query, unless a term of it cannot match anything: then a usage error."""
    from reader.core.query import parse_query, query_problems

    problems = query_problems(parse_query(query))
    if problems:
        raise click.UsageError(problems[0])
    return query


def _json(record: dict) -> bytes:
    import orjson

    return orjson.dumps(record)


def _json_line(record: dict) -> None:
    sys.stdout.buffer.write(_json(record) + b"\n")
    sys.stdout.flush()


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

    library = _library(ctx)
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
    _library(ctx)  # a store set aside on the way: said on stderr
    click.echo(annotation.id)


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

    wanted = parse_query(_checked(" ".join(query)))
    catalog = _catalog(ctx, wanted)
    out = sys.stdout
    if not as_json:
        from reader.cli_output import write_clean

        out.flush()
        lines = catalog.note_listing(wanted).encode()
        write_clean(lines)  # from strings cleaned as read
        _nothing_matched(ctx, wanted, len(lines), "note")
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
        out.buffer.write(_json(record) + b"\n")
    _nothing_matched(ctx, wanted, found, "note")


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Report unreadable store files, orphans and annotations that need review.

    Exits 1 when there is anything to look at.
    """
    from reader.core.query import parse_query
    from reader.core.search import ready_catalog
    from reader.core.text import shorten

    library = _library(ctx)
    catalog = ready_catalog(library)
    catalog.reconcile(full=True)  # files edited in place too
    findings = [
        f"unreadable store set aside: {p}"
        for p in sorted(library.annotations_dir.glob("*.corrupt-*"))
    ]
    for info, annotation in catalog.notes(parse_query("state:orphan OR state:needs-review")):
        if annotation is None:
            continue
        quote = shorten(annotation.exact, 60)
        findings.append(f"{annotation.state}: {info.id} {annotation.id} “{quote}”")
    problems = [*library.problems, *catalog.problems()]
    findings += [f"problem: {p}" for p in dict.fromkeys(problems)]
    from reader.cli_output import one_line

    for line in findings:
        click.echo(one_line(line))
    click.echo(f"reader: {len(findings)} finding(s) in {library.root}", err=True)
    sys.exit(1 if findings else 0)


@main.command()
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes to run the model in.",
)
@click.option(
    "--background",
    is_flag=True,
    help="Work through the articles waiting for entities, quietly, at the lowest "
    "priority (what reader add and the app start after an import).",
)
@click.pass_context
def index(ctx: click.Context, workers: int, background: bool) -> None:
    """Find the entities of every article that lacks them (cached in its store)."""
    from reader.core.entities import EntityService, ModelUnavailable
    from reader.core.indexing import articles_needing_entities, index_entities

    library = _library(ctx)

    def report(article_id: str, reason: str) -> None:  # one line, and on to the next
        click.echo(f"reader: {article_id}: entities could not be found: {reason}", err=True)

    # Batch work: below the reader's interactive processes (the app) in the scheduler.
    os.nice(19 if background else 10)
    if background:
        from reader.core import entity_queue

        try:
            counts = entity_queue.run(library, report=report)
        except ModelUnavailable as error:
            raise click.ClickException(str(error)) from None
        sys.exit(1 if counts["failed"] else 0)
    service = EntityService(rules=library.rule_store())
    _catalog(ctx)
    todo = articles_needing_entities(library, service)
    if not todo:
        click.echo("reader: every article has its entities", err=True)
        return
    try:
        from reader.cli_progress import progress_bar

        with progress_bar(len(todo), "finding entities", above=0) as advance:
            counts = index_entities(library, todo, workers=workers, progress=advance, report=report)
    except ModelUnavailable as error:
        raise click.ClickException(str(error)) from None
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    click.echo(f"reader: entities: {summary}", err=True)
    sys.exit(1 if counts["failed"] else 0)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--jsonl",
    "as_jsonl",
    is_flag=True,
    required=True,
    help="One JSON object per article (a feed gives one per entry; the only output format).",
)
@click.option(
    "--raw",
    is_flag=True,
    help="Offsets into a text file exactly as read: no header parsing, no normalisation.",
)
@click.pass_context
def entities(ctx: click.Context, inputs: tuple[str, ...], as_jsonl: bool, raw: bool) -> None:
    """Print the entities of files or article ids as JSON lines.

    A text not in English is refused with a line on stderr (exit 1): no English
    recogniser's guesses for it.

    {"source": ..., "entities": [{"start", "end", "label", "text"}]}: labels are
    spaCy's OntoNotes labels, offsets code points into the text (the article's
    stored text for an id or a parsed file, the file as read with --raw).
    """
    from pathlib import Path

    from reader.core.entities import (
        EntityService,
        LanguageUnsupported,
        ModelUnavailable,
        apply_corrections,
        detect_language,
        failure_reason,
        language_name,
    )
    from reader.core.importers import ImportFailed, import_path, read_bytes

    library = ctx.obj
    service = EntityService(rules=library.rule_store())
    failed = False
    for value in inputs:
        try:
            if library.has_article(value):
                article, _ = library.load(value)
                found, _ = service.entities_for(article, library.store(value))
                _json_line({"source": value, "entities": _entity_records(found)})
                continue
            path = Path(value)
            if raw:
                texts = [(value, read_bytes(path).decode("utf-8"))]
            else:  # a feed gives an article per entry: a line each, named by its link
                drafts = import_path(path)
                texts = [
                    (value if len(drafts) == 1 else draft.source or f"{value}#{n}", draft.text)
                    for n, draft in enumerate(drafts, 1)
                ]
            for source, text in texts:
                language = detect_language(text)
                if language != "en":
                    raise LanguageUnsupported(
                        f"the text is in {language_name(language)}: no "
                        "entity recogniser is installed for it"
                    )
                found = service.recogniser().recognise(text)
                found = apply_corrections(text, found, service.library_rules())
                _json_line({"source": source, "entities": _entity_records(found)})
        except LanguageUnsupported as error:
            click.echo(f"reader: {value}: {error}", err=True)
            failed = True
        except (ImportFailed, UnicodeDecodeError) as error:
            click.echo(
                f"reader: {value}: {error}"
                if isinstance(error, UnicodeDecodeError)
                else f"reader: {error}",
                err=True,
            )
            failed = True
        except ModelUnavailable as error:
            raise click.ClickException(str(error)) from None
        except OSError:
            raise  # the output's (a closed pipe, a full disk): said by reader's main
        except Exception as error:  # the model failed on this input: said, and the next
            click.echo(
                f"reader: {value}: entities could not be found: {failure_reason(error)}",
                err=True,
            )
            failed = True
    sys.exit(1 if failed else 0)


def _entity_records(found: list) -> list[dict]:
    return [{"start": e.start, "end": e.end, "label": e.label, "text": e.text} for e in found]


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
    query: tuple[str, ...],
) -> None:
    """Export notes: md, w3c (lossless), csv (Readwise), jsonl (spaCy/Prodigy), brat, html.

    QUERY selects annotations as reader notes does (words, "phrases", prefix*,
    -word, OR, tag:T, since:DATE, until:DATE, article:ID, state:orphan, and
    entity:"NAME", label:L, source:S, author:A for their articles).
    """
    from reader.cli_export import run_export
    from reader.core.query import parse_query

    library: Library = ctx.obj
    missing = [a for a in articles if not library.has_article(a)]
    if missing:
        raise click.UsageError(f"no such article: {', '.join(missing)}")
    terms = [*query, *(f"article:{a}" for a in articles), *(f"tag:{t}" for t in tags)]
    if since:
        terms.append(f"since:{since}")
    query_text = _checked(" ".join(_quoted(t) for t in terms))
    _catalog(ctx, parse_query(query_text))
    run_export(library, fmt, output, query_text, csv_layout, creator)
    _library(ctx)


def _quoted(term: str) -> str:
    import shlex

    return shlex.quote(term) if " " in term else term


@main.command("import-notes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_notes_command(ctx: click.Context, file: Path) -> None:
    """Import notes from a W3C export (or a Readwise CSV for articles in the library).

    Each annotation is re-anchored on the library's text; exact duplicates are
    skipped; what cannot be placed is kept as an orphan and reported.
    """
    from reader.cli_output import one_line
    from reader.core.notes_import import NotesImportError, import_notes
    from reader.core.text import strip_controls

    library = _library(ctx)
    if not library.has_articles():  # a mistyped --library: nothing could be placed
        raise click.ClickException(
            f"the library at {library.root} has no articles: add them first (reader add)"
        )
    try:
        report = import_notes(library, file)
    except NotesImportError as error:
        raise click.ClickException(str(error)) from None
    _library(ctx)  # a store set aside on the way: said on stderr
    for line in report.lines:  # quotes from the file: no escape sequence reaches the terminal
        click.echo(f"reader: {one_line(strip_controls(line))}", err=True)
    click.echo(f"reader: notes: {report.summary()}", err=True)
    if report.counts["malformed"]:
        ctx.exit(1)


@main.command("config")
@click.option("--path", "show_path", is_flag=True, help="Print where the settings file is.")
@click.option("--init", is_flag=True, help="Write the commented default settings file there.")
@click.pass_context
def config_command(ctx: click.Context, show_path: bool, init: bool) -> None:
    """The settings file (TOML): where it is, a commented default, or what is wrong in it.

    Without an option, says where it is and checks it (exits 1 if anything in
    it is wrong; the app then uses the defaults for that).
    """
    from reader.core.config import config_path, init_config, load_config

    path = config_path()
    if show_path:
        click.echo(str(path))
        return
    if init:
        try:
            init_config(path)
        except FileExistsError:
            raise click.ClickException(
                f"{path} exists already: edit it, or remove it first"
            ) from None
        except OSError as error:
            raise click.ClickException(f"{path}: {error.strerror or error}") from None
        click.echo(str(path))
        return
    _, problems = load_config(path)
    for problem in problems:
        click.echo(f"reader: {problem}", err=True)
    if not path.exists():
        click.echo(
            f"reader: no settings file at {path}: the defaults (reader config --init)", err=True
        )
    elif not problems:
        click.echo(f"reader: {path}: all settings read", err=True)
    ctx.exit(1 if problems else 0)


@main.command()
@click.argument("articles", nargs=-1, required=True)
@click.pass_context
def delete(ctx: click.Context, articles: tuple[str, ...]) -> None:
    """Move ARTICLES (ids) to the trash, with their notes: .trash/ in the library."""
    from reader.cli_trash import delete_articles

    delete_articles(_library(ctx), articles)
    _library(ctx)


@main.command()
@click.argument("names", nargs=-1)
@click.pass_context
def restore(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Bring articles back from the trash; without NAMES, list what is there."""
    from reader.cli_trash import restore_articles

    restore_articles(_library(ctx), names)
    _library(ctx)


@main.command()
@click.argument("articles", nargs=-1, required=True)
@click.option("--unread", is_flag=True, help="Mark them unread.")
@click.pass_context
def mark(ctx: click.Context, articles: tuple[str, ...], unread: bool) -> None:
    """Mark ARTICLES (ids) read (is:read), or unread with --unread."""
    from reader.cli_trash import mark_articles

    mark_articles(_library(ctx), articles, not unread)
    _library(ctx)
