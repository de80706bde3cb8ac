"""Places in a text where an annotation's quote may be, each scored.

Where the quote is verbatim (:func:`exact_occurrences`), and where it may be,
edited: pieces of the quote, of its prefix and of its suffix found verbatim vote
for where the quote starts (:func:`seed_starts`; a piece found more than 40
times says nothing, and the starts most pieces agree on come first); each guess
is aligned (:func:`align`) to the bounds near it that score best, weighing the
quote's edits (Levenshtein) against its context's similarity as the score does.

A place (:class:`Candidate`, from :func:`candidate`) scores as in Hypothesis's
anchoring, ``(50*quote + 20*prefix + 20*suffix + 2*position) / 92`` (quote: 1 -
edits/len; prefix, suffix: rapidfuzz ratio; position: closeness to the hint),
and knows whether its prefix or its suffix is as it was (ratio >=
:data:`SHORT_CONTEXT`, the edge of the text included), what a short quote needs
to be anchored. Which place is chosen, and how sure that is, the re-anchoring
decides (:mod:`reader.core.anchoring`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from reader.core.models import TextQuote
from reader.core.text import QUOTE_CONTEXT

SHORT_CONTEXT = 0.80  # a short quote's prefix or suffix must be this similar

_W_QUOTE, _W_CONTEXT, _W_POSITION = 50.0, 20.0, 2.0  # the prefix and the suffix weigh 20 each
_W_TOTAL = _W_QUOTE + 2 * _W_CONTEXT + _W_POSITION
_MAX_SEED_HITS = 40  # a seed found more often than this says nothing
_MAX_QUOTE_SEEDS = 24
_CONTEXT_SEED = 8
_MAX_CLUSTERS = 6
MAX_SHIFT = 48  # how far (code points) alignment moves a candidate's bounds


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    score: float
    errors: int
    context_ok: bool  # the prefix or the suffix matches (what a short quote needs)

    def overlaps(self, other: Candidate) -> bool:
        return self.start < other.end and other.start < self.end


def _similarity(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100.0


# A stored side of the context shorter than QUOTE_CONTEXT was cut by the start
# or the end of the text. It is compared padded with a character of its own for
# the edge of the text, as is the place's (so it matches at a place as near the
# edge); and it scores at least as if its missing part matched by half, so that
# text added at the start or the end does not count against the place.
_EDGE = "\x00"  # never in normalised text
_UNKNOWN = 0.5


def _context_similarity(stored: str, seen: str, window: str, before: bool) -> float:
    """``seen``: as many characters of the place as ``stored`` has; ``window``:
    the place's whole QUOTE_CONTEXT characters (fewer at an edge)."""
    if len(stored) >= QUOTE_CONTEXT:
        return _similarity(stored, seen)
    return max(_padded_similarity(stored, window, before), _blend(stored, seen))


def _padded_similarity(stored: str, window: str, before: bool) -> float:
    def pad(context: str) -> str:
        edge = _EDGE * (QUOTE_CONTEXT - len(context))
        return edge + context if before else context + edge

    return _similarity(pad(stored), pad(window))


def _blend(stored: str, seen: str) -> float:
    known = len(stored) / QUOTE_CONTEXT
    return known * _similarity(stored, seen) + (1.0 - known) * _UNKNOWN


def _prefix_similarity(text: str, start: int, prefix: str) -> float:
    return _context_similarity(
        prefix,
        text[max(0, start - len(prefix)) : start],
        text[max(0, start - QUOTE_CONTEXT) : start],
        before=True,
    )


def _suffix_similarity(text: str, end: int, suffix: str) -> float:
    return _context_similarity(
        suffix, text[end : end + len(suffix)], text[end : end + QUOTE_CONTEXT], before=False
    )


def _context_holds(text: str, start: int, end: int, quote: TextQuote) -> bool:
    """Whether the prefix or the suffix is (nearly) as it was, the edge of the
    text included: what a short quote needs to be anchored."""
    before = text[max(0, start - QUOTE_CONTEXT) : start]
    after = text[end : end + QUOTE_CONTEXT]
    return (
        _padded_similarity(quote.prefix, before, before=True) >= SHORT_CONTEXT
        or _padded_similarity(quote.suffix, after, before=False) >= SHORT_CONTEXT
    )


def candidate(
    text: str, quote: TextQuote, start: int, end: int, errors: int, hint: int
) -> Candidate:
    prefix = _prefix_similarity(text, start, quote.prefix)
    suffix = _suffix_similarity(text, end, quote.suffix)
    position = max(0.0, 1.0 - abs(start - hint) / max(1, len(text)))
    quote_similarity = 1.0 - errors / len(quote.exact)
    score = (
        _W_QUOTE * quote_similarity
        + _W_CONTEXT * prefix
        + _W_CONTEXT * suffix
        + _W_POSITION * position
    ) / _W_TOTAL
    return Candidate(start, end, score, errors, _context_holds(text, start, end, quote))


def exact_occurrences(text: str, exact: str) -> list[int]:
    found = []
    at = text.find(exact)
    while at != -1:
        found.append(at)
        at = text.find(exact, at + 1)
    return found


def align(text: str, quote: TextQuote, start: int, end: int, shift: int) -> tuple[int, int, int]:
    """(start, end, edits): the bounds near ``start``/``end`` that score best,
    weighing the quote's similarity (Levenshtein) and its context's as the
    score does; ties go to the bounds nearer the guess."""
    exact, length = quote.exact, len(text)
    per_edit = _W_QUOTE / len(exact)
    start = min(max(0, start), length - 1)
    end = min(max(start + 1, end), length)

    # Context can make up for at most this many edits: positions further off
    # the fewest edits are not worth comparing contexts for.
    slack = _W_CONTEXT / per_edit

    def best(positions: range, edits, context, around: int) -> tuple[int, int]:
        distances = [(p, edits(p)) for p in positions]
        least = min(d for _, d in distances)
        return max(
            (
                (_W_CONTEXT * context(p) - per_edit * d, -abs(p - around), p, d)
                for p, d in distances
                if d <= least + slack
            )
        )[2:]

    def best_start(end: int, around: int, shift: int) -> tuple[int, int]:
        return best(
            range(max(0, around - shift), min(end - 1, around + shift) + 1),
            lambda s: Levenshtein.distance(exact, text[s:end]),
            lambda s: _prefix_similarity(text, s, quote.prefix),
            around,
        )

    def best_end(start: int, around: int, shift: int) -> tuple[int, int]:
        return best(
            range(max(start + 1, around - shift), min(length, around + shift) + 1),
            lambda e: Levenshtein.distance(exact, text[start:e]),
            lambda e: _suffix_similarity(text, e, quote.suffix),
            around,
        )

    start, _ = best_start(end, start, shift)
    end, _ = best_end(start, end, shift)
    start, _ = best_start(end, start, 4)
    end, errors = best_end(start, end, 4)
    return start, end, errors


def seed_starts(text: str, quote: TextQuote, budget: int, hint: int) -> list[int]:
    """Likely starts of the quote: pieces of the quote and of its context found
    verbatim vote for a start; the starts with most votes, best first."""
    exact, prefix, suffix = quote.exact, quote.prefix, quote.suffix
    size = len(exact)
    votes: list[tuple[int, int]] = []  # (estimated start, seed number)
    seeds: list[tuple[str, int]] = []  # (piece, start = where it is + this)
    k = min(size, max(4, min(12, size // 4)))
    offsets = list(range(0, size - k + 1, k))
    if offsets[-1] != size - k:
        offsets.append(size - k)
    if len(offsets) > _MAX_QUOTE_SEEDS:
        step = len(offsets) / _MAX_QUOTE_SEEDS
        offsets = [offsets[int(i * step)] for i in range(_MAX_QUOTE_SEEDS)]
    seeds += [(exact[o : o + k], -o) for o in offsets]
    for o in range(len(prefix) - _CONTEXT_SEED, -1, -_CONTEXT_SEED):
        seeds.append((prefix[o : o + _CONTEXT_SEED], len(prefix) - o))
    for o in range(0, len(suffix) - _CONTEXT_SEED + 1, _CONTEXT_SEED):
        seeds.append((suffix[o : o + _CONTEXT_SEED], -o - size))
    for number, (piece, offset) in enumerate(seeds):
        if not piece.strip() or text.count(piece) > _MAX_SEED_HITS:
            continue
        at = text.find(piece)
        while at != -1:
            votes.append((at + offset, number))
            at = text.find(piece, at + 1)
    if not votes:
        return []
    votes.sort()
    tolerance = max(8, min(budget, MAX_SHIFT))
    clusters: list[list[tuple[int, int]]] = [[votes[0]]]
    for vote in votes[1:]:
        if vote[0] - clusters[-1][0][0] <= tolerance:
            clusters[-1].append(vote)
        else:
            clusters.append([vote])
    ranked = sorted(
        (
            (len({number for _, number in cluster}), cluster[len(cluster) // 2][0])
            for cluster in clusters
        ),
        key=lambda c: (-c[0], abs(c[1] - hint)),
    )
    enough = max(1, ranked[0][0] // 3)  # a place far fewer seeds agree on is noise
    return [start for votes, start in ranked[:_MAX_CLUSTERS] if votes >= enough]
