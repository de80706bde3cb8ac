"""Reading the library index: lists, searches, notes and what is left to do.

A mixin of :class:`~reader.core.catalog.Catalog`. The app lists from
:meth:`CatalogQueries.article_ids`: the articles matching a query, found
unordered (an FTS5 lookup, or a scan of the narrow ``articles`` table), put in
the order of the whole library's list for that sort, which is kept between
queries until the index changes. The CLI's listings are kept in the index likewise.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import orjson

from reader.core import kept_listing
from reader.core.converters import annotation_from_record
from reader.core.kept_listing import KeptListing
from reader.core.models import Annotation, ArticleInfo
from reader.core.query import Query, article_where, note_where, term_selects

# Entity states: what the background recogniser has left to do.
WANTED, CACHED, NOT_ENGLISH = 0, 1, 2

SORTS = {
    "date": "a.date DESC, a.title_key, a.rowid",
    "added": "a.added DESC, a.rowid DESC",
    "title": "a.title_key, a.date DESC, a.rowid",
    "words": "a.word_count DESC, a.rowid",
    "notes": "a.annotation_count DESC, a.date DESC, a.rowid",
}
EVERYTHING = Query()

_INFO = (
    "a.rowid, a.id, a.title, d.author, a.date, d.source, d.format, d.text_sha256, "
    "a.word_count, a.added, d.tags, d.note, d.annotation_tags, a.annotation_count, "
    "EXISTS(SELECT 1 FROM reads r WHERE r.id = a.id)"
)
_JOINED = "articles a JOIN details d ON d.rowid = a.rowid"


def _info(row: tuple) -> ArticleInfo:
    return ArticleInfo(
        id=row[1],
        title=row[2],
        author=row[3],
        date=row[4],
        source=row[5],
        format=row[6],
        text_sha256=row[7],
        word_count=row[8],
        added=row[9],
        tags=tuple(orjson.loads(row[10])),
        note=row[11],
        annotation_tags=tuple(orjson.loads(row[12])),
        annotation_count=row[13],
        read=bool(row[14]),
    )


@dataclass(frozen=True)
class Order:
    """Every article's row id in one sort order, as of one version of the index."""

    version: str
    ids: list[int]

    @cached_property
    def positions(self) -> dict[int, int]:
        return {rowid: position for position, rowid in enumerate(self.ids)}

    @cached_property
    def everything(self) -> frozenset[int]:
        return frozenset(self.ids)

    def arrange(self, rowids: set[int] | frozenset[int]) -> list[int]:
        """These rows (articles of this version only) in this order."""
        if len(rowids) * 8 < len(self.ids):  # a few: sorted by their place
            positions = self.positions
            return sorted((r for r in rowids if r in positions), key=positions.__getitem__)
        return [rowid for rowid in self.ids if rowid in rowids]


def _rowids(connection: sqlite3.Connection, sql: str, params: list) -> set[int]:
    """The row ids a SELECT of one column gives: joined by SQLite into one string
    (a third quicker than a Python loop over 26,000 rows)."""
    wrapped = f"WITH found(rowid) AS ({sql}) SELECT group_concat(rowid) FROM found"
    joined = connection.execute(wrapped, params).fetchone()[0]
    return set(map(int, joined.split(","))) if joined else set()


class CatalogQueries:
    """What can be asked of the index (each thread on its own connection)."""

    _orders: dict[str, Order]  # by sort, kept while the index's version is the same
    _orders_lock: threading.Lock

    def connection(self) -> sqlite3.Connection:
        raise NotImplementedError

    # --- the list of articles -------------------------------------------------------------

    def count(self) -> int:
        return self.connection().execute("SELECT count(*) FROM articles").fetchone()[0]

    def version(self) -> str:
        """Changes with every change to the index, whichever process made it."""
        row = self.connection().execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return row[0] if row else ""

    def _stamp(self) -> str:
        """The index's build and version: what a kept listing is kept for."""
        sql = (
            "SELECT (SELECT value FROM meta WHERE key = 'build'), "
            "(SELECT value FROM meta WHERE key = 'version')"
        )
        build, version = self.connection().execute(sql).fetchone()
        return f"{build or ''}:{version or ''}"

    def has_order(self, sort: str) -> bool:
        """Whether the whole list in ``sort`` order is kept, for this version."""
        kept = self._orders.get(sort)
        return kept is not None and kept.version == self.version()

    def order(self, sort: str = "date") -> Order:
        """Every article's row id in ``sort`` order (kept until the index changes)."""
        connection = self.connection()
        connection.execute("BEGIN")  # one snapshot for the version and the list
        try:
            version = self.version()
            kept = self._orders.get(sort)
            if kept is not None and kept.version == version:
                return kept
            sql = f"SELECT a.rowid FROM articles a ORDER BY {SORTS[sort]}"
            order = Order(version, [row[0] for row in connection.execute(sql)])
        finally:
            connection.execute("COMMIT")
        with self._orders_lock:
            self._orders[sort] = order
        return order

    def _matching(self, query: Query, everything: frozenset[int] | None = None) -> set[int]:
        """The row ids of the articles matching ``query`` (a query with terms): each
        term's rows looked up alone, then intersected, joined, excluded (from
        ``everything``, every article's row id, asked for if not given). Row ids
        of no article (article_fts has some) may be among them."""
        connection = self.connection()
        found: set[int] | None = None
        for clause in query.clauses:
            either: set[int] = set()
            for term in clause:
                rows = set().union(*(_rowids(connection, sql, p) for sql, p in term_selects(term)))
                if term.negated:
                    if everything is None:
                        everything = frozenset(
                            _rowids(connection, "SELECT rowid FROM articles", [])
                        )
                    either |= everything - rows
                else:
                    either |= rows
            found = either if found is None else found & either
            if not found:
                break
        return found or set()

    def first_ids(self, sort: str, count: int) -> list[int]:
        """The first ``count`` articles in ``sort`` order: a screenful, at once."""
        sql = f"SELECT a.rowid FROM articles a ORDER BY {SORTS[sort]} LIMIT ?"
        return [row[0] for row in self.connection().execute(sql, (count,))]

    def article_ids(self, query: Query = EVERYTHING, sort: str = "date") -> list[int]:
        """The row ids of the articles matching ``query``, in ``sort`` order."""
        order = self.order(sort)
        if not query:
            return order.ids
        return order.arrange(self._matching(query, order.everything))

    def rows(self, rowids: list[int]) -> dict[int, ArticleInfo]:
        """The metadata of these rows, by row id (rows gone are missing)."""
        connection = self.connection()
        found: dict[int, ArticleInfo] = {}
        for start in range(0, len(rowids), 500):
            chunk = rowids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {_INFO} FROM {_JOINED} WHERE a.rowid IN ({marks})"
            found.update((row[0], _info(row)) for row in connection.execute(sql, chunk))
        return found

    def infos(self, rowids: Iterable[int] | None = None) -> list[ArticleInfo]:
        """The metadata of these rows (all articles, newest first, without ``rowids``)."""
        if rowids is None:
            return list(self.iter_infos())
        wanted = list(rowids)
        found = self.rows(wanted)
        return [found[r] for r in wanted if r in found]

    def iter_infos(self, query: Query = EVERYTHING, sort: str = "date") -> Iterator[ArticleInfo]:
        """The metadata of the articles matching ``query``, in ``sort`` order."""
        where, params = article_where(query)
        sql = f"SELECT {_INFO} FROM {_JOINED} WHERE {where} ORDER BY {SORTS[sort]}"
        cursor = self.connection().execute(sql, params)
        while rows := cursor.fetchmany(1024):
            yield from map(_info, rows)

    def listing(self, query: Query = EVERYTHING, sort: str = "date") -> str:
        return self.listing_bytes(query, sort).decode()

    def listing_bytes(self, query: Query = EVERYTHING, sort: str = "date") -> bytes:
        """``reader list``'s lines (UTF-8), each ended by a newline: id, date, words,
        notes, title (tab-separated). The whole library's, in each order asked for,
        is kept until the index changes (100,000 lines take half a second to make:
        see reader.core.kept_listing); a query's lines are picked from it, or, none
        kept, made from the rows the query finds."""
        connection = self.connection()
        # One line per article whatever its title holds (a tab or newline: a space).
        title = "replace(replace(replace(a.title, char(9), ' '), char(10), ' '), char(13), ' ')"
        line = (
            "a.id || char(9) || a.date || char(9) || a.word_count || char(9) || "
            f"a.annotation_count || char(9) || {title} || char(10)"
        )
        connection.execute("BEGIN")  # one snapshot for the stamp, the lines and the query
        try:
            stamp = self._stamp()
            kept = kept_listing.read(self._listing_path(sort), stamp)
            found = self._matching(query) if query else None
            if kept is None and found is not None:
                connection.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS found(rowid INTEGER PRIMARY KEY)"
                )
                connection.execute("DELETE FROM temp.found")
                connection.executemany("INSERT INTO temp.found VALUES (?)", ((r,) for r in found))
                sql = (
                    f"SELECT {line} FROM temp.found f JOIN articles a ON a.rowid = f.rowid "
                    f"ORDER BY {SORTS[sort]}"
                )
                return "".join(row[0] for row in connection.execute(sql)).encode()
            if kept is None:
                sql = f"SELECT a.rowid, {line} FROM articles a ORDER BY {SORTS[sort]}"
                rows = connection.execute(sql).fetchall()
        finally:
            connection.execute("COMMIT")
        if kept is None:
            kept = KeptListing.from_rows(rows)
            kept_listing.write(self._listing_path(sort), stamp, kept)
        try:
            return kept.whole() if found is None else kept.pick(found)
        finally:
            kept.close()

    def _listing_path(self, sort: str) -> Path:
        raise NotImplementedError

    def info(self, article_id: str) -> ArticleInfo | None:
        sql = f"SELECT {_INFO} FROM {_JOINED} WHERE a.id = ?"
        row = self.connection().execute(sql, (article_id,)).fetchone()
        return _info(row) if row else None

    def rowid(self, article_id: str) -> int | None:
        sql = "SELECT rowid FROM articles WHERE id = ?"
        row = self.connection().execute(sql, (article_id,)).fetchone()
        return row[0] if row else None

    def find(self, *, text_sha256: str = "", source: str = "") -> str | None:
        """The id of an article with this text, or from this source."""
        if text_sha256:
            sql = f"SELECT a.id FROM {_JOINED} WHERE d.text_sha256 = ? LIMIT 1"
            value = text_sha256
        else:  # (the source index holds the articles with a source only)
            sql = f"SELECT a.id FROM {_JOINED} WHERE d.source = ? AND d.source != '' LIMIT 1"
            value = source
        row = self.connection().execute(sql, (value,)).fetchone()
        return row[0] if row else None

    # --- notes --------------------------------------------------------------------------------

    def notes(self, query: Query = EVERYTHING) -> Iterator[tuple[ArticleInfo, Annotation | None]]:
        """Annotations (and articles' own tags and notes, as None) matching ``query``:
        the articles' own first, then article by article, newest first, in text order."""
        where, params = note_where(query)
        sql = (
            f"SELECT {_INFO}, n.id, n.state, n.score, n.record FROM notes n "
            "JOIN articles a ON a.rowid = n.article JOIN details d ON d.rowid = a.rowid "
            f"WHERE {where} "
            f"ORDER BY n.id IS NOT NULL, {SORTS['date']}, n.start, n.rowid"
        )
        infos: dict[int, ArticleInfo] = {}
        for row in self.connection().execute(sql, params):
            info = infos.get(row[0]) or infos.setdefault(row[0], _info(row))
            if row[15] is None:
                yield info, None
                continue
            annotation = annotation_from_record(orjson.loads(row[18]))
            yield info, replace(annotation, state=row[16], score=row[17])

    def note_listing(self, query: Query = EVERYTHING) -> str:
        """What ``reader notes`` prints, one line per note :meth:`notes` finds, in
        the same order (the lines kept in the index: see catalog_rows.note_line)."""
        where, params = note_where(query)
        sql = (
            "SELECT n.line FROM notes n "
            f"JOIN articles a ON a.rowid = n.article WHERE {where} "
            f"ORDER BY n.id IS NOT NULL, {SORTS['date']}, n.start, n.rowid"
        )
        return "".join(line for (line,) in self.connection().execute(sql, params))

    # --- what is left to do, and what went wrong -------------------------------------------------

    def tag_names(self) -> list[str]:
        """Every tag of the library (its annotations' and its articles' own), each
        once as first written, the most used first: what the tag dialog completes."""
        sql = "SELECT j.value, count(*) FROM notes n, json_each(n.tags) j GROUP BY j.value"
        counts: dict[str, list] = {}  # folded -> [as written, uses]
        for tag, uses in self.connection().execute(sql):
            if isinstance(tag, str) and tag.strip("#"):
                tag = tag.lstrip("#")
                entry = counts.setdefault(tag.casefold(), [tag, 0])
                entry[1] += uses
        return [tag for tag, _ in sorted(counts.values(), key=lambda e: (-e[1], e[0].casefold()))]

    def pending_entities(self, limit: int | None = None) -> list[str]:
        """Ids of the articles whose entities are still to be found, newest added first."""
        sql = f"SELECT id FROM articles WHERE entity_state = {WANTED} ORDER BY added DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [row[0] for row in self.connection().execute(sql)]

    def count_pending_entities(self) -> int:
        sql = f"SELECT count(*) FROM articles WHERE entity_state = {WANTED}"
        return self.connection().execute(sql).fetchone()[0]

    def outdated_entities(self, key: str) -> list[str]:
        """Ids of the articles without entities cached under the recogniser ``key``."""
        sql = (
            f"SELECT a.id FROM {_JOINED} WHERE d.entity_key != ? "
            f"AND a.entity_state != {NOT_ENGLISH}"
        )
        return [row[0] for row in self.connection().execute(sql, (key,))]

    def corrected(self) -> list[str]:
        """Ids of the articles with entity corrections of the reader's."""
        sql = f"SELECT a.id FROM {_JOINED} WHERE d.corrections > 0"
        return [row[0] for row in self.connection().execute(sql)]

    def problems(self) -> list[str]:
        """What could not be read, as found when each article was last indexed."""
        sql = "SELECT problems FROM details WHERE problems != '' ORDER BY rowid"
        return [line for (text,) in self.connection().execute(sql) for line in text.split("\n")]
