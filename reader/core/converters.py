"""Converters at the storage edge: the records a store holds to and from
reader's domain objects (annotations, article metadata, entity corrections),
and a store's tables as stored to its contents. What comes from a file is
checked and cleaned of control characters: people and other tools edit stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from reader.core.models import Annotation, ArticleInfo, Correction, Entity, TextQuote
from reader.core.store_format import (
    ANNOTATIONS,
    CORRECTIONS,
    ENTITIES,
    META,
    SCHEMA_VERSION,
    serialise,
)
from reader.core.text import strip_controls


def annotation_to_record(annotation: Annotation) -> dict[str, Any]:
    """The record stored; its strings without control characters or escape sequences
    (whoever made the annotation: the app, a script, notes imported from a file)."""
    c = strip_controls
    return {
        "id": c(annotation.id),
        "target": {
            "text_sha256": c(annotation.text_sha256),
            "selector": [
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
                {
                    "type": "TextQuoteSelector",
                    "exact": c(annotation.quote.exact),
                    "prefix": c(annotation.quote.prefix),
                    "suffix": c(annotation.quote.suffix),
                },
            ],
        },
        "tags": [c(tag) for tag in annotation.tags],
        "note": c(annotation.note),
        "created": c(annotation.created),
        "modified": c(annotation.modified),
    }


def _typed(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """``value`` if it is of ``kind`` (a bool is no int), else TypeError naming ``what``.
    A string without control characters or escape sequences: a store is a file that
    people and other tools edit, and what it holds is shown in terminals."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise TypeError(f"{what} is {type(value).__name__}")
    return strip_controls(str(value)) if kind is str else value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    return tuple(_typed(v, str, what) for v in _typed(value, list, what))


def annotation_from_record(record: dict[str, Any]) -> Annotation:
    """The annotation of a stored record; KeyError/TypeError/… if it is malformed
    (hand-edited, or written by another program), never an Annotation whose
    fields are not what the rest of reader takes them to be."""
    selectors = {s["type"]: s for s in record["target"]["selector"]}
    position, quote = selectors["TextPositionSelector"], selectors["TextQuoteSelector"]
    return Annotation(
        id=_typed(record["id"], str, "id"),
        start=_typed(position["start"], int, "start"),
        end=_typed(position["end"], int, "end"),
        quote=TextQuote(
            _typed(quote["exact"], str, "exact"),
            _typed(quote.get("prefix", ""), str, "prefix"),
            _typed(quote.get("suffix", ""), str, "suffix"),
        ),
        text_sha256=_typed(record["target"].get("text_sha256", ""), str, "text_sha256"),
        tags=_strings(record.get("tags", []), "tags"),
        note=_typed(record.get("note", ""), str, "note"),
        created=_typed(record.get("created", ""), str, "created"),
        modified=_typed(record.get("modified", ""), str, "modified"),
    )


def info_to_record(info: ArticleInfo) -> dict[str, Any]:
    """The record stored; its strings cleaned as annotation_to_record's are."""
    c = strip_controls
    return {
        "id": c(info.id),
        "title": c(info.title),
        "author": c(info.author),
        "date": c(info.date),
        "source": c(info.source),
        "format": c(info.format),
        "text_sha256": c(info.text_sha256),
        "word_count": info.word_count,
        "added": c(info.added),
        "tags": [c(tag) for tag in info.tags],
        "note": c(info.note),
    }


def info_from_record(
    record: dict[str, Any], annotation_count: int = 0, annotation_tags: tuple[str, ...] = ()
) -> ArticleInfo:
    """The metadata of a stored record; KeyError/TypeError if it is malformed."""

    def text(key: str, default: str = "") -> str:
        return _typed(record.get(key, default), str, key)

    return ArticleInfo(
        id=_typed(record["id"], str, "id"),
        title=text("title", record["id"]),
        author=text("author"),
        date=text("date"),
        source=text("source"),
        format=text("format", "text"),
        text_sha256=text("text_sha256"),
        word_count=_typed(record.get("word_count", 0), int, "word_count"),
        added=text("added"),
        annotation_count=annotation_count,
        tags=_strings(record.get("tags", []), "tags"),
        note=text("note"),
        annotation_tags=annotation_tags,
    )


def initial_store(info: ArticleInfo) -> bytes:
    """The bytes of a new article's store (the TinyDB layout: table -> id -> document)."""
    return serialise({META: {"1": {"schema": SCHEMA_VERSION, "article": info_to_record(info)}}})


@dataclass
class StoreContents:
    article: dict[str, Any] | None
    annotations: list[Annotation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    position: int = 0  # a reading position saved by an older reader (see reader.core.reading)
    # The cached entities as stored (any key: for the index, which needs only
    # their names; see entity_rows and cached_entities).
    raw_entities: list[Any] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    entities_key: str = ""  # the recogniser key and text hash the entities were cached under
    entities_sha256: str = ""

    @property
    def entity_rows(self) -> list[list[Any]]:
        """The cached entities, [start, end, label, text] each; malformed rows left
        out (looked at when asked for: reading an article needs none of them)."""
        return [r for r in self.raw_entities if _entity_row(r)]

    @property
    def cached_entities(self) -> list[Entity]:
        return [Entity(*row) for row in self.entity_rows]


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    """A table of a store as stored (document id -> document); {} if it is not one."""
    table = data.get(name)
    return table if isinstance(table, dict) else {}


def store_contents(data: dict[str, Any], path: Path) -> StoreContents:
    """A store's contents from its tables as stored (table -> document id -> document).
    Whatever a hand, a tool or a git merge made of them, what is malformed is left
    in the file, said in ``problems`` where it is the reader's (annotations), and
    never raises: an entity cache or a correction of the wrong shape is skipped; of
    two annotations with one id (both sides of a merge), the newer is shown."""
    meta = _table(data, META).get("1")
    meta = meta if isinstance(meta, dict) else {}
    article = meta.get("article")
    contents = StoreContents(article if isinstance(article, dict) else None)
    position = meta.get("position", 0)
    if isinstance(position, int) and not isinstance(position, bool) and position >= 0:
        contents.position = position
    entities = _table(data, ENTITIES).get("1")
    entities = entities if isinstance(entities, dict) else {}
    rows = entities.get("entities", [])
    if isinstance(rows, list):
        contents.raw_entities = rows
    key, text_hash = entities.get("key"), entities.get("text_sha256")
    if isinstance(key, str) and isinstance(text_hash, str):
        contents.entities_key, contents.entities_sha256 = key, text_hash
    contents.corrections = corrections_from_records(list(_table(data, CORRECTIONS).values()))
    by_id: dict[str, Annotation] = {}
    for doc_id, record in _table(data, ANNOTATIONS).items():
        try:
            annotation = annotation_from_record(record)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            which = record.get("id", doc_id) if isinstance(record, dict) else doc_id
            contents.problems.append(
                f"{path.name}: annotation {strip_controls(str(which))[:60]} "
                f"is malformed ({type(error).__name__}); kept in the file, not shown"
            )
            continue
        kept = by_id.get(annotation.id)
        if kept is not None:
            contents.problems.append(
                f"{path.name}: annotation {annotation.id} is stored twice (a merge?); "
                "the newer is shown, both are kept in the file"
            )
            if (kept.modified or kept.created) >= (annotation.modified or annotation.created):
                continue
        by_id[annotation.id] = annotation
    contents.annotations = sorted(by_id.values(), key=lambda a: (a.start, a.end, a.created))
    return contents


def record_key(record: Any) -> bytes:
    """A record's identity, as equality of its JSON."""
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)


def _entity_row(row: Any) -> bool:
    """Whether a cached entity is [start, end, label, text] of those types."""
    return (
        isinstance(row, list)
        and len(row) == 4
        and all(type(n) is int and n >= 0 for n in row[:2])
        and row[0] < row[1]
        and isinstance(row[2], str)
        and isinstance(row[3], str)
    )


_CORRECTION_TYPES = {
    "id": str, "action": str, "text": str, "label": str, "start": int, "end": int, "created": str,
}  # fmt: skip


def corrections_from_records(records: list[Any]) -> list[Correction]:
    """The corrections of a store; one of the wrong shape (a field missing, of
    another type, an unknown action) is left in the file, not applied."""
    out = []
    for record in records:
        if not isinstance(record, dict):
            continue
        fields = {k: record[k] for k in _CORRECTION_TYPES if k in record}
        if (
            not all(type(value) is _CORRECTION_TYPES[k] for k, value in fields.items())
            or not {"id", "action", "text"} <= fields.keys()
        ):
            continue
        if fields["action"] not in ("remove", "label", "add"):
            continue
        values: dict[str, Any] = {
            k: strip_controls(v) if isinstance(v, str) else v for k, v in fields.items()
        }
        out.append(Correction(**values))
    return out
