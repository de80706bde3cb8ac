"""What reader adds to spaCy's model, as one pipeline component after ``ner``.

Applied in this order on ``doc.ents``:

1. **Places and demonyms** (gazetteer): a model entity whose whole text is a
   known place is a place (GPE) where the model took it for a nationality or
   a language, or for an organisation after "in", "near"…; never a person;
   a demonym is a nationality (NORP), not a language, unless "language"
   follows; a capitalised demonym the model missed is added, a news agency
   ("Photo by AFP") is an organisation, and a known place after "in",
   "near"… is a place.
   **Name particles**: a person runs on through "von der", "bin", "van" to
   the next capitalised word ("Ursula von der Leyen", not "Leyen" a place).
   **Place contexts**: "the town of X", "X, north of Y": X is a place.
2. **Years**: a four-digit number 1800-2099 read as a cardinal is a date.
3. **Acronyms**: ``Name (ACR)``: the acronym takes the name's label, and so
   do its later mentions.
4. **Document consistency**: one surface form gets one label in an article
   (a vote across its mentions, the first mention breaking ties), and a later
   bare mention of a person seen in full ("Erdogan" after "Recep Tayyip
   Erdogan") is that person.
5. **Repeats**: a capitalised name the model found is found where it is
   repeated and the model missed it (not inside a longer name, "S&P 500" or
   "Israeli-Palestinian").

Only imported by the spaCy recogniser (it imports spaCy).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from reader.core.gazetteer import Gazetteer, load_gazetteer

COMPONENT = "reader_rules"
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,7}$")
# What the model calls a known place that the gazetteer corrects: a nationality or
# a language, and an organisation after a word that says where ("near Saraqeb").
# Never a person, nor an organisation elsewhere: towns are named after people,
# and Hamas, ABC and Clinton are towns too (measured on the development sets,
# bench/ner_eval.py: those corrections cost 0.03-0.07 F1 of PERSON, ORG, PLACE).
PLACE_MISTAKES = {"NORP", "LANGUAGE"}
LOCATIVE = {"in", "near", "outside", "around", "across", "towards", "toward"}
# Wire services, named in credits and datelines ("Photo by AFP", "(Reuters)").
NEWS_AGENCIES = {
    "AFP", "AP", "Reuters", "Xinhua", "TASS", "Anadolu", "dpa", "EFE", "ANSA", "Kyodo",
    "Yonhap", "UPI", "Bernama", "Interfax", "IRNA", "SANA", "WAFA", "PTI", "IANS",
}  # fmt: skip
NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART"}


def _relabel(span: Span, label: str) -> Span:
    return Span(span.doc, span.start, span.end, label=label)


def apply_gazetteer(doc: Doc, ents: list[Span], gazetteer: Gazetteer) -> list[Span]:
    out = []
    covered: set[int] = set()
    for ent in ents:
        text = ent.text
        before = doc[ent.start - 1].lower_ if ent.start else ""
        if text in gazetteer.places and (
            ent.label_ in PLACE_MISTAKES or (ent.label_ == "ORG" and before in LOCATIVE)
        ):
            ent = _relabel(ent, "GPE")
        elif text in gazetteer.demonyms and ent.label_ != "NORP":
            after = doc[ent.end].lower_ if ent.end < len(doc) else ""
            if not (ent.label_ == "LANGUAGE" and after == "language"):
                ent = _relabel(ent, "NORP")
        out.append(ent)
        covered.update(range(ent.start, ent.end))
    for token in doc:
        if token.i not in covered and token.text in gazetteer.demonyms:
            out.append(Span(doc, token.i, token.i + 1, label="NORP"))
            covered.add(token.i)
    # A news agency the model missed ("Photo by AFP"): an organisation.
    for token in doc:
        if token.i not in covered and token.text in NEWS_AGENCIES:
            out.append(Span(doc, token.i, token.i + 1, label="ORG"))
            covered.add(token.i)
    # A known place the model missed, where a word says it is one ("in Edirne").
    for token in doc:
        if token.lower_ not in LOCATIVE or token.i + 1 in covered:
            continue
        for length in (3, 2, 1):
            end = token.i + 1 + length
            words = doc[token.i + 1 : end]
            if (
                end <= len(doc)
                and all(w.is_title for w in words)
                and not covered.intersection(range(token.i + 1, end))
                and words.text in gazetteer.places
            ):
                out.append(Span(doc, token.i + 1, end, label="GPE"))
                covered.update(range(token.i + 1, end))
                break
    return out


# Where the words around a name say it is a place: "the town of X", "X, north of
# Aleppo".
_PLACE_BEFORE = {"town", "village", "city", "area", "province", "region", "district"}
_DIRECTIONS = {
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
}  # fmt: skip


def apply_place_contexts(doc: Doc, ents: list[Span]) -> list[Span]:
    out = []
    for ent in ents:
        before = doc[ent.start - 2 : ent.start] if ent.start >= 2 else None
        after = doc[ent.end : ent.end + 3]
        placed = (
            before is not None and before[0].lower_ in _PLACE_BEFORE and before[1].lower_ == "of"
        ) or (
            len(after) == 3
            and after[0].text == ","
            and after[1].lower_ in _DIRECTIONS
            and after[2].lower_ == "of"
        )
        if placed and ent.label_ in NAME_LABELS and ent.label_ not in ("GPE", "LOC", "FAC"):
            ent = _relabel(ent, "GPE")
        out.append(ent)
    return out


# Name particles: "Ursula von der Leyen", not a person "Ursula von der" and a place
# "Leyen"; "Osama bin Laden", "Vincent van Gogh".
PARTICLES = {
    "von",
    "der",
    "van",
    "de",
    "den",
    "del",
    "della",
    "da",
    "di",
    "du",
    "bin",
    "ibn",
    "al",
    "el",
    "le",
    "la",
    "ter",
    "ten",
}


def apply_particles(doc: Doc, ents: list[Span]) -> list[Span]:
    """A person whose name runs on through particles to a capitalised word keeps
    it whole (the entity the model made of that word goes)."""
    by_start = {e.start: e for e in ents}
    out = list(ents)
    for ent in ents:
        if ent.label_ != "PERSON":
            continue
        end = ent.end
        while end < len(doc) and doc[end].lower_ in PARTICLES and doc[end].is_lower:
            end += 1
        has_particle = end > ent.end or doc[ent.end - 1].lower_ in PARTICLES
        if not has_particle or end >= len(doc) or not doc[end].is_title:
            continue
        tail = by_start.get(end)
        last = tail.end if tail is not None and tail.label_ != "PERSON" else end + 1
        if tail is not None and tail in out:
            out.remove(tail)
        out[out.index(ent)] = Span(doc, ent.start, last, label="PERSON")
    return out


def apply_years(ents: list[Span]) -> list[Span]:
    """A year the model read as a cardinal is a date, unless it follows a name
    ("Mirage 2000", "Windows 2000": a model, not a year)."""
    return [_relabel(e, "DATE") if _is_year(e) else e for e in ents]


def _is_year(ent: Span) -> bool:
    if ent.label_ != "CARDINAL" or not _YEAR.match(ent.text):
        return False
    return not ent.start or not _name_word(ent.doc[ent.start - 1])


def _name_word(token: Token) -> bool:
    """A word that may be part of a name: capitalised, not a stop word."""
    return (token.is_title or token.is_upper) and not token.is_stop


def _initials_match(name: str, acronym: str) -> bool:
    """Whether the acronym's letters appear, in order, as word initials of the name."""
    initials = "".join(word[0] for word in re.findall(r"[A-Za-z]+", name)).upper()
    letters = iter(initials)
    return all(letter in letters for letter in acronym.replace("&", ""))


def _split_swallowed_acronym(doc: Doc, ents: list[Span]) -> list[Span]:
    """The model sometimes takes "Name (ACR" as one entity: cut it before the bracket."""
    out = []
    for ent in ents:
        if (
            ent.end - ent.start > 2
            and doc[ent.end - 2].text == "("
            and _ACRONYM.match(doc[ent.end - 1].text)
            and ent.end < len(doc)
            and doc[ent.end].text == ")"
        ):
            ent = Span(doc, ent.start, ent.end - 2, label=ent.label_)
        out.append(ent)
    return out


def apply_acronyms(doc: Doc, ents: list[Span]) -> list[Span]:
    ents = _split_swallowed_acronym(doc, ents)
    labels: dict[str, str] = {}
    by_start = {e.start: e for e in ents}
    for ent in ents:
        # Name ( ACR )
        if ent.end + 2 < len(doc) and doc[ent.end].text == "(" and doc[ent.end + 2].text == ")":
            acronym = doc[ent.end + 1].text
            if _ACRONYM.match(acronym) and _initials_match(ent.text, acronym):
                labels.setdefault(acronym, ent.label_)
    if not labels:
        return ents
    out = [e for e in ents if not (e.end - e.start == 1 and e.text in labels)]
    for token in doc:
        if token.text in labels:
            existing = by_start.get(token.i)
            if existing is not None and existing.end - existing.start > 1:
                continue  # part of a longer entity
            out.append(Span(doc, token.i, token.i + 1, label=labels[token.text]))
    return out


def apply_consistency(
    doc: Doc, ents: list[Span], places: frozenset[str] = frozenset()
) -> list[Span]:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[str, str] = {}
    for ent in ents:
        if ent.label_ in NAME_LABELS:
            votes[ent.text][ent.label_] += 1
            first.setdefault(ent.text, ent.label_)

    def winner(text: str) -> str:
        counts = votes[text].most_common()
        best = counts[0][1]
        tied = {label for label, n in counts if n == best}
        return first[text] if first[text] in tied else counts[0][0]

    out = [_relabel(e, winner(e.text)) if e.label_ in NAME_LABELS else e for e in ents]
    # Bare later mentions of a person's full name: "Erdogan" after "Recep Tayyip
    # Erdogan". Only people: an organisation's last word is often generic
    # ("Rights" in "... for Human Rights", "Council", "Party").
    full_names: dict[str, tuple[int, str]] = {}
    for ent in out:
        if ent.label_ == "PERSON" and ent.end - ent.start > 1:
            last = doc[ent.end - 1]
            if last.is_title and not last.is_stop:
                full_names.setdefault(last.text, (ent.end, ent.label_))
    if not full_names:
        return out
    by_token = {i: e for e in out for i in range(e.start, e.end)}
    for token in doc:
        seen = full_names.get(token.text)
        if seen is None or token.i < seen[0]:
            continue
        if token.text in places:  # "Washington" after "George Washington": the city too
            continue
        found = by_token.get(token.i)
        if found is None:
            out.append(Span(doc, token.i, token.i + 1, label=seen[1]))
        elif found.end - found.start == 1 and found.label_ != seen[1]:
            out[out.index(found)] = _relabel(found, seen[1])
    return out


def apply_repeats(doc: Doc, ents: list[Span]) -> list[Span]:
    """A name the model found once is the same thing where it is repeated and
    the model missed it: each later or earlier mention of the same capitalised
    words, free of other entities, gets its label (the label of most of its
    found mentions)."""
    labels: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for ent in ents:
        tokens = [t for t in ent if not t.is_punct]
        capitalised = tokens and all(t.is_title or t.is_upper for t in tokens)
        if ent.label_ in NAME_LABELS and capitalised and (len(ent) > 1 or not ent[0].is_stop):
            labels[tuple(t.text for t in ent)][ent.label_] += 1
    if not labels:
        return ents
    covered = {i for e in ents for i in range(e.start, e.end)}
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for words in sorted(labels, key=len, reverse=True):
        by_first[words[0]].append(words)
    out = list(ents)
    for token in doc:
        if token.i in covered:
            continue
        for words in by_first.get(token.text, ()):
            end = token.i + len(words)
            if end > len(doc) or covered.intersection(range(token.i, end)):
                continue
            if tuple(t.text for t in doc[token.i : end]) != words:
                continue
            if not _stands_alone(doc, token.i, end):
                continue
            out.append(Span(doc, token.i, end, label=labels[words].most_common(1)[0][0]))
            covered.update(range(token.i, end))
            break
    return out


def _stands_alone(doc: Doc, start: int, end: int) -> bool:
    """Whether ``doc[start:end]`` is not part of something longer: a longer name
    ("Washington Post", "New Hezbollah"), a name and a number ("S&P 500"), a
    compound ("Israeli-Palestinian")."""
    after = doc[end] if end < len(doc) else None
    if after is not None and (_name_word(after) or after.like_num or after.text in _DASHES):
        return False
    before = doc[start - 1] if start else None
    return before is None or not (
        before.text in _DASHES or (_name_word(before) and not _starts_sentence(before))
    )


_DASHES = ("-", "–")


def _starts_sentence(token: Token) -> bool:
    """Whether a word begins a sentence (no parser here: after . ! ? or a line break)."""
    if token.i == 0:
        return True
    before = token.doc[token.i - 1]
    return before.text in (".", "!", "?", "…") or "\n" in before.text_with_ws


# The rule families in the order they run (bench.ner_eval measures each alone):
# each takes the doc, its entities so far and the gazetteer.
FAMILIES: dict[str, Callable[[Doc, list[Span], Gazetteer], list[Span]]] = {
    "gazetteer": apply_gazetteer,
    "particles": lambda doc, ents, gazetteer: apply_particles(doc, ents),
    "place contexts": lambda doc, ents, gazetteer: apply_place_contexts(doc, ents),
    "years": lambda doc, ents, gazetteer: apply_years(ents),
    "acronyms": lambda doc, ents, gazetteer: apply_acronyms(doc, ents),
    "consistency": lambda doc, ents, gazetteer: apply_consistency(doc, ents, gazetteer.places),
    "repeats": lambda doc, ents, gazetteer: apply_repeats(doc, ents),
}


@Language.factory(COMPONENT)
def make_reader_rules(nlp: Language, name: str) -> ReaderRules:  # noqa: ARG001
    return ReaderRules(load_gazetteer())


class ReaderRules:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        for family in FAMILIES.values():
            ents = family(doc, ents, self.gazetteer)
        doc.ents = filter_spans(ents)
        return doc
