"""Selectors for a span, and finding an annotation again in (possibly changed) text.

An annotation keeps its position (code points), its quote with 32 characters
of context, and the sha256 of the text it was made on. When the text is the
same, the position holds. When it changed, :func:`reanchor` places it again:

1. Same text hash, or the quote and its context still exactly at the old
   position: anchored, score 1.0.
2. With the old text: the old span is mapped through a diff of the old and
   the new text. When the mapped span is the quote (or the quote occurs
   overlapping a mapped span of about its size, where the diff slid an edit
   over a boundary): anchored, score 1.0. Otherwise the mapped span is a
   candidate and its start the position hint.
3. Every exact occurrence of the quote is a candidate.
4. When no exact occurrence is convincing, approximate matches are searched
   (not for quotes shorter than :data:`SHORT_QUOTE`): seeds (pieces of the
   quote, of its prefix and of its suffix found verbatim) vote for where the
   quote starts, and the best places are aligned with Levenshtein distance to
   find their exact bounds. A match must keep more than half of the quote.
5. Each candidate is scored as Hypothesis does:
   ``(50*quote + 20*prefix + 20*suffix + 2*position) / 92``; the best is
   anchored when it scores at least :data:`ANCHORED` and beats the best
   candidate not overlapping it by :data:`MARGIN`; it needs review when it
   scores at least :data:`NEEDS_REVIEW` (or is ambiguous); else the
   annotation is an orphan, kept at its old position (clamped to the text)
   with its quote and context, never deleted.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache

from diff_match_patch import diff_match_patch
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from reader.core.models import Annotation, TextQuote, utc_now
from reader.core.text import quote_context, sha256

ANCHORED = 0.80  # the least score of an anchored annotation
NEEDS_REVIEW = 0.60  # the least score of one that needs review (below: orphan)
MARGIN = 0.05  # how far an anchored place must be ahead of any other place
SHORT_QUOTE = 10  # shorter quotes are only found verbatim, and need their context
SHORT_CONTEXT = 0.80  # a short quote's prefix or suffix must be this similar
MAX_ERRORS = 256  # the most edits an approximate match may have
DIFF_TIMEOUT = 0.5  # seconds diff_match_patch may spend on a diff

_W_QUOTE, _W_PREFIX, _W_SUFFIX, _W_POSITION = 50.0, 20.0, 20.0, 2.0
_W_TOTAL = _W_QUOTE + _W_PREFIX + _W_SUFFIX + _W_POSITION
_CONFIDENT = 0.90  # an exact occurrence scoring this (and clearly ahead) ends the search
_MAX_SEED_HITS = 40  # a seed found more often than this says nothing
_MAX_QUOTE_SEEDS = 24
_CONTEXT_SEED = 8
_MAX_CLUSTERS = 6
_MAX_SHIFT = 48  # how far (code points) alignment moves a candidate's bounds


def new_annotation(
    text: str, start: int, end: int, tags: tuple[str, ...] = (), note: str = ""
) -> Annotation:
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}..{end} is outside the text (0..{len(text)})")
    exact, prefix, suffix = quote_context(text, start, end)
    now = utc_now()
    return Annotation(
        id=uuid.uuid4().hex,
        start=start,
        end=end,
        quote=TextQuote(exact, prefix, suffix),
        text_sha256=sha256(text),
        tags=tags,
        note=note,
        created=now,
        modified=now,
    )


# --- mapping positions through a diff ----------------------------------------------


class _DiffMap:
    """Positions of an old text mapped into a new one through their diff."""

    def __init__(self, diffs: list[tuple[int, str]]) -> None:
        # One row per kept or deleted run of the old text:
        # old start, old length, new start, deleted?, length inserted right after it.
        self.old_starts: list[int] = []
        self.rows: list[list[int]] = []
        old = new = 0
        previous = None
        for op, chunk in diffs:
            size = len(chunk)
            if op == diff_match_patch.DIFF_INSERT:
                if previous == diff_match_patch.DIFF_DELETE:
                    self.rows[-1][4] += size
                new += size
            else:
                deleted = op == diff_match_patch.DIFF_DELETE
                self.old_starts.append(old)
                self.rows.append([old, size, new, int(deleted), 0])
                old += size
                if not deleted:
                    new += size
            previous = op
        self.old_length = old
        self.new_length = new

    def start(self, position: int) -> int:
        """Where a span starting at ``position`` starts: after text inserted there."""
        if position >= self.old_length:
            return self.new_length
        old, _, new, deleted, _ = self.rows[bisect_right(self.old_starts, position) - 1]
        return new if deleted else new + position - old

    def end(self, position: int) -> int:
        """Where a span ending at ``position`` ends: before text inserted there,
        but after what replaced a deleted end of the span."""
        if position <= 0:
            return 0
        old, _, new, deleted, inserted = self.rows[bisect_left(self.old_starts, position) - 1]
        return new + inserted if deleted else new + position - old


@lru_cache(maxsize=8)
def _diff_map(old_text: str, text: str) -> _DiffMap:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = DIFF_TIMEOUT
    return _DiffMap(dmp.diff_main(old_text, text))


# --- candidates -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    score: float
    errors: int
    context_ok: bool  # the prefix or the suffix matches (what a short quote needs)

    def overlaps(self, other: _Candidate) -> bool:
        return self.start < other.end and other.start < self.end


def _similarity(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100.0


def _prefix_similarity(text: str, start: int, prefix: str) -> float:
    return _similarity(prefix, text[max(0, start - len(prefix)) : start])


def _suffix_similarity(text: str, end: int, suffix: str) -> float:
    return _similarity(suffix, text[end : end + len(suffix)])


def _candidate(
    text: str, quote: TextQuote, start: int, end: int, errors: int, hint: int
) -> _Candidate:
    prefix = _prefix_similarity(text, start, quote.prefix)
    suffix = _suffix_similarity(text, end, quote.suffix)
    position = max(0.0, 1.0 - abs(start - hint) / max(1, len(text)))
    quote_similarity = 1.0 - errors / len(quote.exact)
    score = (
        _W_QUOTE * quote_similarity
        + _W_PREFIX * prefix
        + _W_SUFFIX * suffix
        + _W_POSITION * position
    ) / _W_TOTAL
    context_ok = (not quote.prefix and not quote.suffix) or (
        (bool(quote.prefix) and prefix >= SHORT_CONTEXT)
        or (bool(quote.suffix) and suffix >= SHORT_CONTEXT)
    )
    return _Candidate(start, end, score, errors, context_ok)


def _occurrences(text: str, exact: str) -> list[int]:
    found = []
    at = text.find(exact)
    while at != -1:
        found.append(at)
        at = text.find(exact, at + 1)
    return found


def _best_and_margin(candidates: list[_Candidate], hint: int) -> tuple[_Candidate, float]:
    """The best candidate, and how far it is ahead of the best one not overlapping it."""
    ranked = sorted(candidates, key=lambda c: (-c.score, abs(c.start - hint)))
    best = ranked[0]
    runner_up = next((c for c in ranked[1:] if not c.overlaps(best)), None)
    return best, (best.score - runner_up.score if runner_up else 1.0)


def _align(
    text: str, quote: TextQuote, start: int, end: int, shift: int
) -> tuple[int, int, int]:
    """(start, end, edits): the bounds near ``start``/``end`` where the text is
    closest (Levenshtein) to the quote; ties go to the better context."""
    exact, length = quote.exact, len(text)
    start = min(max(0, start), length - 1)
    end = min(max(start + 1, end), length)

    def best_start(end: int, around: int, shift: int) -> tuple[int, int]:
        least, ties = None, []
        for s in range(max(0, around - shift), min(end - 1, around + shift) + 1):
            d = Levenshtein.distance(exact, text[s:end], score_cutoff=least)
            if least is None or d < least:
                least, ties = d, [s]
            elif d == least:
                ties.append(s)
        chosen = max(
            ties, key=lambda s: (_prefix_similarity(text, s, quote.prefix), -abs(s - around))
        )
        return chosen, least

    def best_end(start: int, around: int, shift: int) -> tuple[int, int]:
        least, ties = None, []
        for e in range(max(start + 1, around - shift), min(length, around + shift) + 1):
            d = Levenshtein.distance(exact, text[start:e], score_cutoff=least)
            if least is None or d < least:
                least, ties = d, [e]
            elif d == least:
                ties.append(e)
        chosen = max(
            ties, key=lambda e: (_suffix_similarity(text, e, quote.suffix), -abs(e - around))
        )
        return chosen, least

    start, _ = best_start(end, start, shift)
    end, _ = best_end(start, end, shift)
    start, _ = best_start(end, start, 4)
    end, errors = best_end(start, end, 4)
    return start, end, errors


def _seed_starts(text: str, quote: TextQuote, budget: int, hint: int) -> list[int]:
    """Likely starts of the quote: pieces of the quote and of its context found
    verbatim vote for a start; the starts with most votes, best first."""
    exact, prefix, suffix = quote.exact, quote.prefix, quote.suffix
    size = len(exact)
    votes: list[tuple[int, int]] = []  # (estimated start, seed number)
    seeds: list[tuple[str, int]] = []  # (piece, start = where it is + this)
    k = max(4, min(12, size // 4))
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
    tolerance = max(8, min(budget, _MAX_SHIFT))
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
    return [start for _, start in ranked[:_MAX_CLUSTERS]]


# --- re-anchoring -----------------------------------------------------------------


def _placed(annotation: Annotation, start: int, end: int, state: str, score: float) -> Annotation:
    return replace(annotation, start=start, end=end, state=state, score=round(score, 4))


def _orphan(annotation: Annotation, text: str, score: float) -> Annotation:
    start = min(max(0, annotation.start), len(text))
    end = min(max(start, annotation.end), len(text))
    return _placed(annotation, start, end, "orphan", score)


def reanchor(
    annotation: Annotation, text: str, text_hash: str | None = None, old_text: str | None = None
) -> Annotation:
    """The annotation placed on ``text``, with its ``state`` and ``score``.

    ``old_text`` is the text the annotation was made on, when it is known; the
    annotation's start and end then move with the edits between the two.
    """
    quote = annotation.quote
    exact = quote.exact
    start, end = annotation.start, annotation.end
    if (text_hash or sha256(text)) == annotation.text_sha256:
        return replace(annotation, state="anchored", score=1.0)
    if 0 <= start < end <= len(text) and quote_context(text, start, end) == (
        exact,
        quote.prefix,
        quote.suffix,
    ):
        return _placed(annotation, start, end, "anchored", 1.0)
    if not exact or not text:
        return _orphan(annotation, text, 0.0)
    size = len(exact)
    short = size < SHORT_QUOTE
    occurrences = _occurrences(text, exact)

    # 2. Through the diff from the old text.
    hint, mapped = start, None
    if old_text is not None and 0 <= start < end <= len(old_text) and (
        old_text[start:end] == exact
    ):
        diff = _diff_map(old_text, text)
        new_start = diff.start(start)
        new_end = max(new_start, diff.end(end))
        if text[new_start:new_end] == exact:
            return _placed(annotation, new_start, new_end, "anchored", 1.0)
        hint = new_start
        if new_start < new_end:
            mapped = (new_start, new_end)
            if new_end - new_start <= size + max(16, size // 2):
                inside = [s for s in occurrences if s < new_end and new_start < s + size]
                if inside:
                    at = min(inside, key=lambda s: abs(s - new_start) + abs(s + size - new_end))
                    return _placed(annotation, at, at + size, "anchored", 1.0)

    # 3. Exact occurrences.
    candidates = [_candidate(text, quote, s, s + size, 0, hint) for s in occurrences]

    # 4. Approximate matches.
    if not short:
        budget = min(MAX_ERRORS, (size - 1) // 2)  # keep more than half of the quote
        shift = min(budget, _MAX_SHIFT) + 4
        guesses: list[tuple[int, int]] = []
        if mapped:
            guesses.append(mapped)
        if candidates:
            best, margin = _best_and_margin(candidates, hint)
            confident = best.score >= _CONFIDENT and margin >= MARGIN
        else:
            confident = False
        if not confident:
            guesses += [(s, s + size) for s in _seed_starts(text, quote, budget, hint)]
        seen = set()
        for guess in guesses:
            s, e, errors = _align(text, quote, guess[0], guess[1], shift)
            if errors <= budget and (s, e) not in seen:
                seen.add((s, e))
                candidates.append(_candidate(text, quote, s, e, errors, hint))

    if not candidates:
        return _orphan(annotation, text, 0.0)

    # 5. The state.
    best, margin = _best_and_margin(candidates, hint)
    if best.score >= ANCHORED and margin >= MARGIN and (not short or best.context_ok):
        return _placed(annotation, best.start, best.end, "anchored", best.score)
    if best.score >= NEEDS_REVIEW or (short and best.errors == 0):
        return _placed(annotation, best.start, best.end, "needs-review", best.score)
    return _orphan(annotation, text, best.score)
