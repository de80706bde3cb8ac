"""Importing into a library: what ``reader add`` and the app's add action share.

Drafts are added in batches so that one sync makes a whole batch durable
(``Library.add_many``); each input's failure is counted and kept as one line.
"""

from __future__ import annotations

from collections import Counter

from reader.core.adding import AddResult
from reader.core.importers import Imported
from reader.core.library import Library

BATCH = 64
STATUSES = ("added", "updated", "duplicate", "failed", "skipped")


class ImportRun:
    """Feed it each :class:`Imported`; it adds the drafts in batches and counts."""

    def __init__(self, library: Library, batch: int = BATCH) -> None:
        self.library = library
        self.batch = batch
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []
        self.bugs = 0  # inputs not imported because of an error in reader (see ImportBug)
        self._pending: list[tuple[str, object]] = []

    def count(self, imported: Imported) -> None:
        """Count one input's failure or skip (its drafts are counted as added)."""
        if imported.error:
            self.counts["failed"] += 1
            self.bugs += imported.bug
            self.errors.append(imported.error)
        elif imported.skipped:
            self.counts["skipped"] += 1

    def take(self, imported: Imported) -> list[AddResult]:
        """Count one input; returns the results of a batch when one was written."""
        self.count(imported)
        self._pending += [(imported.source, draft) for draft in imported.drafts]
        return self.flush() if len(self._pending) >= self.batch else []

    def flush(self) -> list[AddResult]:
        """Write what is pending."""
        pending, self._pending = self._pending, []
        if not pending:
            return []
        try:
            results = self.library.add_many([draft for _, draft in pending])  # type: ignore[misc]
        except OSError as error:
            self.counts["failed"] += len(pending)
            sources = ", ".join(dict.fromkeys(source for source, _ in pending))
            self.errors.append(f"{sources}: cannot write to the library ({error})")
            return []
        self.counts.update(result.status for result in results)
        return results

    def summary(self) -> str:
        return ", ".join(f"{self.counts[s]} {s}" for s in STATUSES if self.counts[s]) or "nothing"
