"""``reader find-entities`` and ``reader entities``: entities found for the library, or for
files and articles, as JSON lines."""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

import click

from reader.cli.base import (
    catalog_of,
    json_line,
    library_of,
    main,
)


@main.command("find-entities")
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
def find_entities(ctx: click.Context, workers: int, background: bool) -> None:
    """Find the entities of every article that lacks them (cached in its store)."""
    from reader.core.entities import EntityService
    from reader.core.entity_batch import articles_needing_entities, find_entities_in_batches
    from reader.core.recogniser import ModelUnavailable

    library = library_of(ctx)

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
    catalog_of(ctx)
    todo = articles_needing_entities(library, service)
    if not todo:
        click.echo("reader: every article has its entities", err=True)
        return
    try:
        from reader.cli.progress import progress_bar

        with progress_bar(len(todo), "finding entities", above=0) as advance:
            counts = find_entities_in_batches(
                library, todo, workers=workers, progress=advance, report=report
            )
    except ModelUnavailable as error:
        raise click.ClickException(str(error)) from None
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    click.echo(f"reader: entities: {summary}", err=True)
    sys.exit(1 if counts["failed"] else 0)


# Its name before: "index" read as the library index's (reader.core.catalog), which it
# is not; kept, unlisted, for scripts that call it.
_index = copy.copy(find_entities)
_index.hidden = True
main.add_command(_index, "index")


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

    from reader.core.corrections import apply_corrections
    from reader.core.entities import EntityService
    from reader.core.importers import ImportFailed
    from reader.core.importers.inputs import import_path, read_bytes
    from reader.core.language import LanguageUnsupported, check_language
    from reader.core.recogniser import ModelUnavailable, failure_reason

    library = ctx.obj
    service = EntityService(rules=library.rule_store())
    failed = False
    for value in inputs:
        try:
            if library.has_article(value):
                article, _ = library.load(value)
                found, _ = service.entities_for(article, library.store(value))
                json_line({"source": value, "entities": _entity_records(found)})
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
                check_language(text, "text")
                found = service.recogniser().recognise(text)
                found = apply_corrections(text, found, service.library_rules())
                json_line({"source": source, "entities": _entity_records(found)})
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
