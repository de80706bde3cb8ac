"""Named entities for the app: the service that loads the recogniser once,
serves cached entities and applies the reader's corrections, in the app's own
process or (the app's way) in a process of its own.

The recogniser itself is reader.core.recogniser; spaCy is imported only when
it loads its model, never at start-up.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from typing import TYPE_CHECKING, Protocol

from reader.core.corrections import apply_corrections, rules_key
from reader.core.language import LanguageUnsupported, check_language
from reader.core.models import Article, Correction, Entity
from reader.core.recogniser import MODEL_PACKAGES, ModelUnavailable, SpacyRecogniser, find_model

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from reader.core.store import ArticleStore


class RuleSource(Protocol):
    def corrections(self) -> list[Correction]: ...


# --- recognising in a process of its own (the app's way) ----------------------------

_process_recogniser: SpacyRecogniser | None = None
RECOGNISER_NICENESS = 10  # background work: the app's own process comes first


def _start_recogniser_process() -> None:
    os.nice(RECOGNISER_NICENESS)


def _recognise_in_process(
    packages: tuple[str, ...], rules: list[Correction], text: str | None
) -> tuple[list[Entity], str]:
    """In the recogniser process: (entities of ``text``, cache key); no text: load only."""
    global _process_recogniser
    if _process_recogniser is None:
        _process_recogniser = SpacyRecogniser(packages, rules)
        gc.freeze()
    recogniser = _process_recogniser
    recogniser.set_rules(rules)
    if text is None:
        return [], recogniser.key
    check_language(text)
    return recogniser.recognise(text), recogniser.key


class EntityService:
    """Loads the recogniser once (thread-safe), serves cached entities, and
    applies the reader's corrections on top."""

    def __init__(
        self,
        packages: tuple[str, ...] = MODEL_PACKAGES,
        rules: RuleSource | None = None,
        *,
        isolated: bool = False,
    ) -> None:
        self._packages = packages
        self._rules = rules
        self._lock = threading.Lock()
        self._recogniser: SpacyRecogniser | None = None
        self._error: ModelUnavailable | None = None
        # With ``isolated``, spaCy lives in a process of its own, at a lower priority:
        # loading and running it never holds the app's GIL (a 40-60 ms stall of every
        # key while the model loads in-process). Started when first needed.
        self._isolated = isolated
        self._pool: ProcessPoolExecutor | None = None

    def library_rules(self) -> list[Correction]:
        return self._rules.corrections() if self._rules is not None else []

    def recogniser(self) -> SpacyRecogniser:
        """The loaded recogniser; loads it on first call (slow: call in a worker)."""
        with self._lock:
            if self._recogniser is None and self._error is None:
                try:
                    self._recogniser = SpacyRecogniser(self._packages, self.library_rules())
                except ModelUnavailable as error:
                    self._error = error
                else:
                    # The model is hundreds of thousands of long-lived objects: out of
                    # the collector's sight, a full collection no longer walks them
                    # (measured: a 150 ms pause of every thread, the UI's included).
                    gc.freeze()
            if self._error is not None:
                raise self._error
            assert self._recogniser is not None
            return self._recogniser

    def _in_process(self, text: str | None) -> tuple[list[Entity], str]:
        from concurrent.futures.process import BrokenProcessPool

        if self._error is not None:
            raise self._error
        with self._lock:
            if self._pool is None:
                from reader.core.processes import process_pool

                self._pool = process_pool(1, _start_recogniser_process)
        try:
            return self._pool.submit(
                _recognise_in_process, self._packages, self.library_rules(), text
            ).result()
        except LanguageUnsupported:
            raise
        except ModelUnavailable as error:
            self._error = error
            raise
        except BrokenProcessPool as error:
            self._error = ModelUnavailable(f"the entity recogniser stopped ({error})")
            raise self._error from None

    def load(self) -> None:
        """Load the model now (slow: call in a worker), so entities come quickly later."""
        if self._isolated:
            self._in_process(None)
        else:
            self.recogniser()

    def close(self) -> None:
        """Stop the recogniser process, if any."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def cache_key(self) -> str | None:
        """The key entities are cached under, known without loading spaCy."""
        found = find_model(self._packages)
        return f"{found[1]}+lib{rules_key(self.library_rules())}" if found else None

    def raw_entities(self, article: Article, store: ArticleStore) -> tuple[list[Entity], bool]:
        """The pipeline's entities (cached, or recognised and cached), before corrections."""
        key = self.cache_key()
        if key is not None:
            cached = store.cached_entities(key, article.info.text_sha256)
            text = article.text
            # Each on the text, as it says (a cache edited by hand may not be).
            if cached is not None and all(
                e.end <= len(text) and text[e.start : e.end] == e.text for e in cached
            ):
                return cached, True
        if self._isolated:
            entities, key = self._in_process(article.text)
        else:
            check_language(article.text)
            recogniser = self.recogniser()
            with self._lock:
                recogniser.set_rules(self.library_rules())
                entities = recogniser.recognise(article.text)
                key = recogniser.key
        # A cache: a library that cannot be written (read-only, a full disk) still
        # gets its entities, found again next time.
        with contextlib.suppress(OSError):
            store.cache_entities(key, article.info.text_sha256, entities)
        return entities, False

    def entities_for(self, article: Article, store: ArticleStore) -> tuple[list[Entity], bool]:
        """The article's entities with the reader's corrections, and whether the
        recognised part came from the cache."""
        entities, cached = self.raw_entities(article, store)
        corrections = self.library_rules() + store.corrections()
        return apply_corrections(article.text, entities, corrections), cached
