"""A small fixed library for the export tests (golden files, round trips).

:func:`build_library` writes three short articles, written for these tests,
into a folder with the real :class:`~reader.core.library.Library` and
:class:`~reader.core.store.ArticleStore` APIs. Everything is fixed, so that
every export of it is byte-for-byte the same on every run: the ids, titles,
authors, dates, ``added`` times and sources (one http URL, one file path, one
none), the annotations' ids (uuid hex) and times, their tags (one with a
space) and notes (several multi-line), a nested and an overlapping pair, an
annotation across a line break, an orphan (the text file is written without
its quote), the first article's tags and note, one article correction, one
library-wide rule, and the entities, cached under the key the entity service
looks for so no model ever runs.

``build_library(root, annotated=False)`` gives the same articles with none
of the reader's own work (no annotations, corrections, rules, article tags
or note): the empty copy that notes are imported into.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reader.core.converters import initial_store
from reader.core.durable import atomic_write
from reader.core.entities import EntityService
from reader.core.library import Library
from reader.core.models import Annotation, ArticleInfo, Correction, Entity, TextQuote
from reader.core.text import normalise, quote_context, sha256, word_count

CREATOR = "Test Reader"

HARBOUR = "2024-03-05-harbour-council-votes-to-rebuild-pier"
CAFE = "2024-04-12-cafe-aout-opens-in-zurich"
LIBRARY_HOURS = "2023-11-30-library-opens-on-sundays"
ARTICLE_IDS = (LIBRARY_HOURS, HARBOUR, CAFE)  # the library's order (sorted ids)

HARBOUR_TEXT = (
    "The Harbour Council voted on Tuesday to rebuild the old pier in Portsmouth.\n"
    "Mayor Alice Okafor said the work would start in May.\n"
    "\n"
    "Funding and delays\n"
    "\n"
    "The project will cost £4.2 million, according to the council's own figures. "
    'Critics, led by the Harbour Trust, called the plan "rushed".\n'
    "\n"
    "A second vote is expected next year."
)

CAFE_TEXT = (
    "Zoë Müller opened Café Août in Zürich on 3 June 2023 ☕.\n"
    "Her menu lists 抹茶ラテ (matcha latte) and 北京烤鸭 for ¥88.\n"
    "\n"
    "Regulars 👩\u200d👩\u200d👧 arrive early 👍🏽; visitors from 🇯🇵 and 🇨🇭 leave notes.\n"
    "The façade was repainted in naïve pastel tones 🎨, says Müller."
)

REMOVED = " The mayor promised free coffee for every visitor on opening day."
LIBRARY_HOURS_TEXT = (
    "The city library will open on Sundays from January.\n"
    "Staff agreed to the new hours after a long dispute.\n"
    "\n"
    "Members can borrow up to twelve books at a time."
)
# The text the orphan was made on: the sentence has since been removed.
LIBRARY_HOURS_OLD_TEXT = LIBRARY_HOURS_TEXT.replace("dispute.", "dispute." + REMOVED)


@dataclass(frozen=True)
class Meta:
    id: str
    title: str
    author: str
    date: str
    source: str
    added: str
    text: str


ARTICLES = (
    Meta(
        HARBOUR,
        'Harbour Council votes to rebuild the "old pier"',
        "Dana O'Neill",
        "2024-03-05",
        "https://news.example.com/2024/03/harbour-pier?ref=rss&lang=en",
        "2024-03-06T08:00:00Z",
        HARBOUR_TEXT,
    ),
    Meta(
        CAFE,
        "Café Août opens in Zürich ☕",
        "Léa Dubois",
        "2024-04-12",
        "/home/reader/clippings/café-zürich.md",
        "2024-04-13T07:30:00Z",
        CAFE_TEXT,
    ),
    Meta(
        LIBRARY_HOURS,
        "Library opens on Sundays",
        "",
        "2023-11-30",
        "",
        "2023-12-01T12:00:00Z",
        LIBRARY_HOURS_TEXT,
    ),
)

ARTICLE_TAGS = {HARBOUR: ("harbour", "follow up")}
ARTICLE_NOTES = {HARBOUR: "Compare with the 2019 plan.\nAsk the council for the budget."}


@dataclass(frozen=True)
class Spec:
    """An annotation: the ``occurrence``-th (1-based) ``quote`` of the text."""

    id: str
    quote: str
    tags: tuple[str, ...] = ()
    note: str = ""
    created: str = "2024-05-01T10:00:00Z"
    modified: str = ""
    occurrence: int = 1


ANNOTATIONS: dict[str, tuple[Spec, ...]] = {
    HARBOUR: (
        Spec(
            "3f2b8c1e9d4a4f6b8e2c7a1d5b9e0a01",
            "The Harbour Council voted on Tuesday to rebuild the old pier",
            ("local politics", "harbour"),
            "Unanimous, according to the minutes.\nCheck the vote count.\n\n"
            "See also the 2019 plan.",
            "2024-03-06T09:15:00Z",
            "2024-03-07T18:40:00Z",
        ),
        # Nested in the first.
        Spec(
            "3f2b8c1e9d4a4f6b8e2c7a1d5b9e0a02",
            "rebuild the old pier",
            ("infrastructure",),
            "",
            "2024-03-06T09:16:30Z",
        ),
        # Overlaps both, and crosses a line break.
        Spec(
            "3f2b8c1e9d4a4f6b8e2c7a1d5b9e0a03",
            "the old pier in Portsmouth.\nMayor Alice Okafor",
            ("people",),
            "Check the spelling of her name.",
            "2024-03-06T09:20:00Z",
        ),
        Spec(
            "3f2b8c1e9d4a4f6b8e2c7a1d5b9e0a04",
            'called the plan "rushed"',
            (),
            'They said "rushed", not "hasty".',
            "2024-03-06T09:25:00Z",
            "2024-03-06T09:26:00Z",
        ),
        Spec(
            "3f2b8c1e9d4a4f6b8e2c7a1d5b9e0a05",
            "A second vote is expected next year.",
            created="2024-03-06T09:30:00Z",
        ),
    ),
    CAFE: (
        Spec(
            "7c4e2a9b1f3d4e5a9b8c6d7e8f9a0b01",
            "Zoë Müller opened Café Août in Zürich",
            ("people", "cafés"),
            "Née à Genève 🇨🇭.\nMoved here in 2019.",
            "2024-04-13T08:00:00Z",
        ),
        Spec(
            "7c4e2a9b1f3d4e5a9b8c6d7e8f9a0b02",
            "抹茶ラテ (matcha latte)",
            ("日本",),
            "",
            "2024-04-13T08:05:00Z",
        ),
        Spec(
            "7c4e2a9b1f3d4e5a9b8c6d7e8f9a0b03",
            "Regulars 👩\u200d👩\u200d👧 arrive early 👍🏽",
            (),
            "Family emoji: 👩\u200d👩\u200d👧 (a ZWJ sequence).",
            "2024-04-13T08:10:00Z",
        ),
        Spec(
            "7c4e2a9b1f3d4e5a9b8c6d7e8f9a0b04",
            "visitors from 🇯🇵 and 🇨🇭",
            ("travel",),
            "",
            "2024-04-13T08:15:00Z",
        ),
        Spec(
            "7c4e2a9b1f3d4e5a9b8c6d7e8f9a0b05",
            "naïve pastel tones 🎨",
            (),
            "Colour words:\n- naïve\n- pastel",
            "2024-04-13T08:20:00Z",
        ),
    ),
    LIBRARY_HOURS: (
        Spec(
            "c9d8e7f6a5b44c3d8e2f1a0b9c8d7e01",
            "open on Sundays from January",
            ("hours",),
            "",
            "2023-12-01T12:30:00Z",
        ),
    ),
}

# Made on the old text; its sentence is not in the article's text any more.
ORPHAN = Spec(
    "c9d8e7f6a5b44c3d8e2f1a0b9c8d7e02",
    REMOVED.strip(),
    ("promises",),
    "Did this happen?\nNobody mentions it now.",
    "2023-12-01T12:35:00Z",
)

# The recogniser's entities (as if cached by a run of the model): (surface, label, occurrence).
ENTITIES: dict[str, tuple[tuple[str, str, int], ...]] = {
    HARBOUR: (
        ("Harbour Council", "ORG", 1),
        ("Tuesday", "DATE", 1),
        ("Portsmouth", "GPE", 1),
        ("Alice Okafor", "PERSON", 1),
        ("May", "DATE", 2),  # 1 is in "Mayor"
        ("£4.2 million", "MONEY", 1),
        ("Harbour Trust", "PERSON", 1),  # wrong: corrected to ORG for this article
        ("next year", "DATE", 1),
    ),
    CAFE: (
        ("Zoë Müller", "PERSON", 1),
        ("Zürich", "GPE", 1),
        ("3 June 2023", "DATE", 1),
        ("北京", "GPE", 1),  # inside a word (the tokeniser's token is 北京烤鸭)
        ("¥88", "MONEY", 1),
        ("Müller", "PERSON", 2),
    ),
    LIBRARY_HOURS: (
        ("Sundays", "DATE", 1),
        ("January", "DATE", 1),
        ("twelve", "CARDINAL", 1),
    ),
}

CORRECTION = Correction(
    "5e6f7a8b9c0d4e1f8a2b3c4d5e6f7a01",
    "label",
    "Harbour Trust",
    "ORG",
    created="2024-03-06T09:40:00Z",
)
# "Café Août" is no entity of the recogniser's: the rule adds it wherever it occurs.
RULE = Correction(
    "5e6f7a8b9c0d4e1f8a2b3c4d5e6f7a02", "label", "Café Août", "ORG", created="2024-04-13T08:30:00Z"
)


def find(text: str, quote: str, occurrence: int = 1) -> int:
    """The start of the ``occurrence``-th (1-based) ``quote`` in ``text``."""
    at = -1
    for _ in range(occurrence):
        at = text.index(quote, at + 1)
    return at


def annotation(text: str, spec: Spec) -> Annotation:
    start = find(text, spec.quote, spec.occurrence)
    end = start + len(spec.quote)
    exact, prefix, suffix = quote_context(text, start, end)
    return Annotation(
        id=spec.id,
        start=start,
        end=end,
        quote=TextQuote(exact, prefix, suffix),
        text_sha256=sha256(text),
        tags=spec.tags,
        note=spec.note,
        created=spec.created,
        modified=spec.modified or spec.created,
    )


def entities(text: str, specs: tuple[tuple[str, str, int], ...]) -> list[Entity]:
    out = []
    for surface, label, occurrence in specs:
        start = find(text, surface, occurrence)
        out.append(Entity(start, start + len(surface), label, surface))
    return out


def info(meta: Meta) -> ArticleInfo:
    return ArticleInfo(
        id=meta.id,
        title=meta.title,
        author=meta.author,
        date=meta.date,
        source=meta.source,
        format="text",
        text_sha256=sha256(meta.text),
        word_count=word_count(meta.text),
        added=meta.added,
    )


def cache_entities(library: Library) -> None:
    """Cache every article's entities under the key the entity service uses now
    (it depends on the library-wide rules, so call it after changing them)."""
    key = EntityService(rules=library.rule_store()).cache_key()
    assert key is not None, "no entity model package is installed (the cache key names it)"
    for meta in ARTICLES:
        library.store(meta.id).cache_entities(
            key, sha256(meta.text), entities(meta.text, ENTITIES[meta.id])
        )


def build_library(root: Path, *, annotated: bool = True) -> Library:
    """The fixed library in ``root`` (see the module's docstring)."""
    library = Library(root).ensure()
    for meta in ARTICLES:
        assert normalise(meta.text) == meta.text, meta.id
        atomic_write(library.store(meta.id).path, initial_store(info(meta)))
        atomic_write(library.articles_dir / f"{meta.id}.txt", meta.text.encode("utf-8"))
    if annotated:
        for meta in ARTICLES:
            store = library.store(meta.id)
            for spec in ANNOTATIONS[meta.id]:
                store.save_annotation(annotation(meta.text, spec))
            if meta.id in ARTICLE_TAGS or meta.id in ARTICLE_NOTES:
                store.update_article(
                    info(meta),
                    tags=ARTICLE_TAGS.get(meta.id, ()),
                    note=ARTICLE_NOTES.get(meta.id, ""),
                )
        library.store(LIBRARY_HOURS).save_annotation(annotation(LIBRARY_HOURS_OLD_TEXT, ORPHAN))
        start = find(HARBOUR_TEXT, CORRECTION.text)
        library.store(HARBOUR).save_correction(
            Correction(
                CORRECTION.id,
                CORRECTION.action,
                CORRECTION.text,
                CORRECTION.label,
                start,
                start + len(CORRECTION.text),
                CORRECTION.created,
            )
        )
        library.rule_store().save_correction(RULE)
    cache_entities(library)
    return library
