"""Which of an article's entity mentions name the same thing.

"Erdogan" after "Recep Tayyip Erdogan" is that person; "the United Nations",
"United Nations" and "UN" are one organisation. The article's panel lists one
entry per linked entity, named by its longest mention, with all its mentions;
jumping and ``m`` (the library's articles naming it) go by every name.

* Mentions whose names compare equal (``name_key``: any case, no diacritics,
  no leading "the") of one display group are one entity.
* A person's shorter name ("Erdogan", "Tayyip Erdogan") is the person whose
  longer name holds it, word for word, when only one such longer name is in
  the article ("Clinton" with both "Bill Clinton" and "Hillary Clinton" stays
  apart).
* An acronym ("UN", "U.N.") is the one name of its display group in the article
  whose words' initials it spells ("United Nations"; "of", "the", "for"…
  skipped).

Pure Python over the recognised mentions: no spaCy, cheap on every article.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from reader.core.labels import label_group
from reader.core.models import Entity
from reader.core.query import name_key

# Groups whose mentions name things (dates and numbers are linked by name alone).
NAMED_GROUPS = {"person", "organisation", "place", "nationality", "other"}
_ACRONYM = re.compile(r"^(?:[A-Z]\.?){2,8}$")
_SKIPPED_IN_INITIALS = {"of", "the", "for", "and", "&", "on", "in", "to", "de", "a", "an"}
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True)
class LinkedEntity:
    """One thing an article names, with every mention of it in text order."""

    name: str  # its longest mention, without a leading "the"
    label: str  # the label most of its mentions carry (the longest name's on a tie)
    mentions: tuple[Entity, ...]

    @property
    def group(self) -> str:
        return label_group(self.label)

    @property
    def names(self) -> tuple[str, ...]:
        """Its distinct names (``name_key`` apart), longest first."""
        seen: dict[str, str] = {}
        for mention in sorted(self.mentions, key=lambda m: -len(name_key(m.text))):
            seen.setdefault(name_key(mention.text), _display(mention.text))
        return tuple(seen.values())


def _display(text: str) -> str:
    """A mention's text as an entry's name: one line, without a leading "the"."""
    text = " ".join(text.split())
    return text[4:] if text[:4].lower() == "the " and len(text) > 4 else text


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    """Whether ``shorter``'s words are a run of ``longer``'s."""
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _initials(key: str) -> str:
    return "".join(w[0] for w in _words(key) if w not in _SKIPPED_IN_INITIALS)


@lru_cache(maxsize=65536)  # names recur from article to article
def _words(key: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(key))


def link_entities(entities: list[Entity]) -> list[LinkedEntity]:
    """The article's entities, linked (see the module's docstring), in the order
    of their first mentions."""
    by_name: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for entity in entities:
        key = name_key(entity.text)
        if key:
            by_name[(label_group(entity.label), key)].append(entity)
    # Longest first, so that a name's longer holder is settled before it is.
    names = sorted(by_name, key=lambda name: (-len(_words(name[1])), -len(name[1]), name))
    people = _Holders([key for group, key in names if group == "person"])
    written_as_acronym = {
        name for name, mentions in by_name.items() if any(_ACRONYM.match(m.text) for m in mentions)
    }
    acronyms: dict[tuple[str, str], list[str]] = defaultdict(list)
    for group, key in names:
        if (
            group in NAMED_GROUPS
            and len(_words(key)) > 1
            and (group, key) not in written_as_acronym
        ):
            acronyms[(group, _initials(key))].append(key)
    root = {name: name for name in by_name}
    for group, key in names:
        target: str | None = None
        if group == "person":
            target = people.holder(key)
        elif group in NAMED_GROUPS and (group, key) in written_as_acronym:
            expansions = acronyms.get((group, key.replace(".", "")), [])
            target = expansions[0] if len(expansions) == 1 else None
        if target is not None:
            root[(group, key)] = root[(group, target)]
    members: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for name, mentions in by_name.items():
        members[root[name]].extend(mentions)
    linked = [_linked(mentions) for mentions in members.values()]
    return sorted(linked, key=lambda entity: (entity.mentions[0].start, entity.name))


class _Holders:
    """People's names (longest first), and which longer ones hold a shorter one."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.with_word: dict[str, list[int]] = defaultdict(list)
        for n, key in enumerate(keys):
            for word in set(_words(key)):
                self.with_word[word].append(n)

    def holder(self, key: str) -> str | None:
        """The longest name holding ``key``'s words in a run, if every name that
        holds them is held in it (so "Clinton" with "Bill Clinton" and "Hillary
        Clinton" has none)."""
        words = _words(key)
        if not words:
            return None
        holders = [
            self.keys[n]
            for n in self.with_word[words[0]]
            if len(_words(self.keys[n])) > len(words) and _contains(_words(self.keys[n]), words)
        ]
        if not holders:
            return None
        longest = _words(holders[0])
        return holders[0] if all(_contains(longest, _words(k)) for k in holders) else None


def _linked(mentions: list[Entity]) -> LinkedEntity:
    mentions.sort(key=lambda m: (m.start, m.end))
    longest = max(mentions, key=lambda m: (len(name_key(m.text)), -m.start))
    counts = Counter(m.label for m in mentions)
    label = max(counts, key=lambda label: (counts[label], label == longest.label))
    return LinkedEntity(_display(longest.text), label, tuple(mentions))


def entity_query(entity: LinkedEntity) -> str:
    """The library query for the articles naming this entity by any of its names."""
    terms = []
    for name in entity.names:
        value = " ".join(name.replace('"', " ").split())
        if value:
            terms.append(f'entity:"{value}"')
    return " OR ".join(terms)
