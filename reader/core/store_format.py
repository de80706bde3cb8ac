"""The format of an article's store file: TinyDB's layout (table -> document
id -> document), its tables, its schema version and the migrations from older
ones, and its bytes (indented JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from tinydb import TinyDB

SCHEMA_VERSION = 1
META, ANNOTATIONS, ENTITIES = "meta", "annotations", "entities"
CORRECTIONS, UNPLACED = "corrections", "unplaced"


def well_formed(data: Any) -> bool:
    """Tables of documents, with an integer schema version if any."""
    if not isinstance(data, dict):
        return False
    for table in data.values():
        if not isinstance(table, dict):
            return False
        for key, document in table.items():
            if not (isinstance(document, dict) and isinstance(key, str) and key.isdigit()):
                return False  # TinyDB's document ids are integers
    schema = schema_of(data)
    return isinstance(schema, int) and not isinstance(schema, bool) and schema >= 0


def schema_of(data: dict[str, Any]) -> Any:
    """A well-formed store's schema number (stores without one are new: the current)."""
    return data.get(META, {}).get("1", {}).get("schema", SCHEMA_VERSION)


def serialise(data: dict[str, Any]) -> bytes:
    """A store's bytes: indented JSON, readable and diffable in git."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


def _from_unversioned(db: TinyDB) -> None:
    """Version 0 (no schema number, as early files and hand-made ones are):
    nothing to convert but the number itself."""


MIGRATIONS = {0: _from_unversioned}


def as_document(record: dict[str, Any], doc_id: int) -> Any:
    """``record`` as TinyDB's document ``doc_id`` (inserted or upserted as that id)."""
    from tinydb.table import Document

    return Document(record, doc_id=doc_id)
