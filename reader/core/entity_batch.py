"""``reader find-entities``: entities for every article that lacks them, in batches
(``nlp.pipe``) and optionally in several processes.

An article whose entities cannot be found (any failure: its files, the model on
its text) is reported, one line through ``report``, and counted as failed; the
others go on. Only a model that cannot be loaded stops the work
(:class:`~reader.core.recogniser.ModelUnavailable`)."""

from __future__ import annotations

import contextlib
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

from reader.core.entities import EntityService
from reader.core.language import detect_language
from reader.core.library import Library
from reader.core.models import Correction, Entity
from reader.core.recogniser import MODEL_PACKAGES, SpacyRecogniser, failure_reason

BATCH = 32  # texts per nlp.pipe batch, and per task sent to a worker process


def articles_needing_entities(library: Library, service: EntityService) -> list[str]:
    """Ids of the articles without entities cached under the current key (from
    the library index; not those found not to be in English)."""
    library.catalog.ensure()
    return sorted(library.catalog.outdated_entities(service.cache_key() or ""))


# --- the work, in this process or in worker processes -----------------------------

_worker: SpacyRecogniser | None = None


def _start_worker(packages: tuple[str, ...], rules: list[Correction]) -> None:
    """The recogniser of this process: loaded once, given the rules each time."""
    global _worker
    if _worker is None or _worker.packages != packages:
        _worker = SpacyRecogniser(packages, rules)
    else:
        _worker.set_rules(rules)


def _recognise_batch(texts: list[str]) -> tuple[str, list[list[Entity] | str]]:
    """(cache key, for each text its entities or why they could not be found)."""
    assert _worker is not None
    with contextlib.suppress(Exception):  # one text failed: each alone, to keep the others
        return _worker.key, list(_worker.recognise_many(texts, batch_size=BATCH))
    found: list[list[Entity] | str] = []
    for text in texts:
        try:
            found.append(_worker.recognise(text))
        except Exception as error:  # said for its article, the rest goes on
            found.append(failure_reason(error))
    return _worker.key, found


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def find_entities_in_batches(
    library: Library,
    article_ids: list[str],
    *,
    workers: int = 1,
    packages: tuple[str, ...] = MODEL_PACKAGES,
    progress: Callable[[int], None] = lambda done: None,
    report: Callable[[str, str], None] = lambda article_id, reason: None,
) -> Counter[str]:
    """Recognise and cache entities for ``article_ids``; returns counts of
    "indexed", "skipped-language" (not English) and "failed". ``report`` is
    told (article id, one line why) of each that failed."""
    counts: Counter[str] = Counter()
    rules = library.rule_store().corrections()

    def failed(article_id: str, reason: str) -> None:
        counts["failed"] += 1
        report(article_id, reason)

    work: list[tuple[str, str, str]] = []  # id, text, text hash
    for article_id in article_ids:
        try:
            article, _ = library.load(article_id)
            english = detect_language(article.text) == "en"
            if not english:
                library.catalog.mark_not_english(article_id, article.info.text_sha256)
        except Exception as error:  # said for its article, the rest goes on
            failed(article_id, failure_reason(error))
            progress(1)
            continue
        if not english:
            counts["skipped-language"] += 1
            progress(1)
            continue
        work.append((article_id, article.text, article.info.text_sha256))
    batches = list(_batches(work, BATCH))

    def store(batch: list[tuple[str, str, str]], key: str, found: list[list[Entity] | str]) -> None:
        for (article_id, _, text_hash), entities in zip(batch, found, strict=True):
            if isinstance(entities, str):  # why they could not be found
                failed(article_id, entities)
                continue
            try:
                library.store(article_id).cache_entities(key, text_hash, entities)
            except Exception as error:  # a store that cannot be written
                failed(article_id, failure_reason(error))
                continue
            counts["indexed"] += 1
        progress(len(batch))

    if not work:  # nothing in English: no model to load
        return counts
    if workers <= 1:
        _start_worker(packages, rules)
        for batch in batches:
            key, found = _recognise_batch([text for _, text, _ in batch])
            store(batch, key, found)
        return counts
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(packages, rules)
    ) as pool:
        futures = [
            (batch, pool.submit(_recognise_batch, [t for _, t, _ in batch])) for batch in batches
        ]
        for batch, future in futures:
            try:
                key, found = future.result()
            except Exception as error:  # a worker died: the rest goes on
                for article_id, _, _ in batch:
                    failed(article_id, failure_reason(error))
                progress(len(batch))
                continue
            store(batch, key, found)
    return counts
