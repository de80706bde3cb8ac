"""Selectors for a span, and finding an annotation again in (possibly changed) text.

An annotation keeps its position (code points), its quote with 32 characters
of context, and the sha256 of the text it was made on. :func:`reanchor` places
it on the current text and says how sure that is (``state`` and ``score``):

1. Same text hash, or the quote and its context exactly at the old position:
   anchored, score 1.0.
2. With the old text (when the library kept it): the old span is mapped
   through a diff of the old and the new text (diff_match_patch). The mapped
   span is the quote, or the quote overlaps a mapped span of about its size
   (the diff slid an edit over one of its bounds), and its context agrees (it
   scores >= 0.80 as in 5 or keeps one side of its context as a short quote
   must, and no other occurrence of the quote scores higher): anchored, score
   1.0. A diff aligns characters, not passages: it can carry a span onto
   another passage that repeats its words, which only the context shows. A
   verbatim place whose context disagrees is left to the search, with no
   favour. Otherwise what is left of the span is a candidate, and the mapped
   start the position hint (else the hint is the old start).
3. Every exact occurrence of the quote is a candidate.
4. Unless an exact occurrence is convincing (score >= 0.9 and clearly ahead),
   approximate matches: pieces of the quote, of its prefix and of its suffix
   found verbatim vote for where the quote starts; the places most pieces
   agree on are aligned (Levenshtein, with the context) to find their bounds.
   A match must keep more than half of the quote (fewer than len/2 edits, at
   most 256).
5. Each candidate scores as in Hypothesis's anchoring,
   ``(50*quote + 20*prefix + 20*suffix + 2*position) / 92`` (quote: 1 -
   edits/len; prefix, suffix: rapidfuzz ratio; position: closeness to the
   hint). The best is *anchored* when it scores >= 0.80 and is 0.05 ahead of
   the best candidate not overlapping it (no margin is needed for the remains
   of the span found through the diff; and text the diff shows unchanged from
   elsewhere in the old text is never anchored: it was another passage); it
   *needs review* when it scores >= 0.60 (or was ambiguous); else the
   annotation is an *orphan*, kept with its old position (in its old text).

Quotes shorter than :data:`SHORT_QUOTE` are only placed verbatim, and are
anchored only where their prefix or suffix is as it was (ratio >= 0.8);
otherwise they need review, or are orphans when the best place is an edited
one. Annotations are never dropped, and their stored quote never changes.
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
from reader.core.text import QUOTE_CONTEXT, quote_context, sha256

ANCHORED = 0.80  # the least score of an anchored annotation
NEEDS_REVIEW = 0.60  # the least score of one that needs review (below: orphan)
MARGIN = 0.05  # how far an anchored place must be ahead of any other place
SHORT_QUOTE = 10  # shorter quotes are only found verbatim, and need their context
SHORT_CONTEXT = 0.80  # a short quote's prefix or suffix must be this similar
MAX_ERRORS = 256  # the most edits an approximate match may have
DIFF_TIMEOUT = 0.5  # seconds diff_match_patch may spend on a diff

_W_QUOTE, _W_CONTEXT, _W_POSITION = 50.0, 20.0, 2.0  # the prefix and the suffix weigh 20 each
_W_TOTAL = _W_QUOTE + 2 * _W_CONTEXT + _W_POSITION
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
        # The kept runs in the new text: starts and ends.
        self.kept_starts: list[int] = []
        self.kept_ends: list[int] = []
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
                    self.kept_starts.append(new)
                    self.kept_ends.append(new + size)
                    new += size
            previous = op
        self.old_length = old
        self.new_length = new

    def kept(self, start: int, end: int) -> bool:
        """Whether the new text's ``start..end`` was in the old text unchanged."""
        i = bisect_right(self.kept_starts, start) - 1
        return i >= 0 and end <= self.kept_ends[i]

    def start(self, position: int) -> int:
        """Where a span starting at ``position`` starts: after text inserted there."""
        if position >= self.old_length:
            return self.new_length
        old, _, new, deleted, _ = self.rows[bisect_right(self.old_starts, position) - 1]
        return new if deleted else new + position - old

    def near(self, position: int) -> int:
        """Where ``position`` is likely to be: inside a replaced run, as far into
        what replaced it (a hint when the diff is coarse)."""
        if position >= self.old_length:
            return self.new_length
        old, size, new, deleted, inserted = self.rows[bisect_right(self.old_starts, position) - 1]
        if not deleted:
            return new + position - old
        return new + (position - old) * inserted // size

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


def _candidate(
    text: str, quote: TextQuote, start: int, end: int, errors: int, hint: int
) -> _Candidate:
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
    return _Candidate(start, end, score, errors, _context_holds(text, start, end, quote))


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


def _context_agrees(candidates: list[_Candidate], at: int) -> bool:
    """Whether the exact occurrence at ``at`` (where the diff put the span) is the
    annotated passage by its context too: it scores as an anchored place does, or
    one side of its context is as it was (what a short quote needs: a paragraph
    moved to the end of the text has lost the other side), and no other
    occurrence scores higher.

    A diff aligns characters, not passages. A deleted paragraph whose words recur
    in the next one, or a paragraph inserted before a line that repeats its start,
    lets it carry the span onto another passage with the very same quote. The
    context tells them apart, by the measure the search uses; the diff only
    decides between places the context ranks alike (a repeated sentence: its
    copies score the same but for their distance from the diff's place)."""
    mine = next(c for c in candidates if c.start == at)
    rivals = [c.score for c in candidates if not c.overlaps(mine)]
    convincing = mine.score >= ANCHORED or mine.context_ok
    return convincing and max(rivals, default=0.0) <= mine.score


def _align(text: str, quote: TextQuote, start: int, end: int, shift: int) -> tuple[int, int, int]:
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


def _seed_starts(text: str, quote: TextQuote, budget: int, hint: int) -> list[int]:
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
    enough = max(1, ranked[0][0] // 3)  # a place far fewer seeds agree on is noise
    return [start for votes, start in ranked[:_MAX_CLUSTERS] if votes >= enough]


# --- re-anchoring -----------------------------------------------------------------


def _placed(
    annotation: Annotation,
    start: int,
    end: int,
    state: str,
    score: float,
    text: str,
    text_hash: str,
) -> Annotation:
    """Placed on ``text``. Anchored, it now speaks of ``text``: its hash, and its
    quote and context as they read there (an edit inside the passage, "120" made
    "135", shows in the quote), as if it had been made on ``text``, so an export's
    selectors agree with each other. A best guess (needs-review) keeps the hash
    and quote of the text it was made on, so that it is searched for again, and
    never taken as anchored, next time."""
    if state != "anchored":
        return replace(annotation, start=start, end=end, state=state, score=round(score, 4))
    quote = TextQuote(*quote_context(text, start, end))
    return replace(
        annotation,
        start=start,
        end=end,
        quote=quote,
        text_sha256=text_hash,
        state=state,
        score=round(score, 4),
    )


def _orphan(annotation: Annotation, score: float) -> Annotation:
    """Not placed: the position stays the one in the text the annotation was
    made on (its ``text_sha256``), so its selectors still agree with each other
    and an export carries them unchanged. Nothing indexes the current text with it."""
    return replace(annotation, state="orphan", score=round(score, 4))


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
    text_hash = text_hash or sha256(text)
    if text_hash == annotation.text_sha256 and text[start:end] == exact:
        return replace(annotation, state="anchored", score=1.0)
    if 0 <= start < end <= len(text) and quote_context(text, start, end) == (
        exact,
        quote.prefix,
        quote.suffix,
    ):
        return _placed(annotation, start, end, "anchored", 1.0, text, text_hash)
    if not exact or not text:
        return _orphan(annotation, 0.0)
    size = len(exact)
    short = size < SHORT_QUOTE
    occurrences = _occurrences(text, exact)

    # 2. Through the diff from the old text.
    budget = min(MAX_ERRORS, (size - 1) // 2)  # a match keeps more than half of the quote
    hint, mapped, diff, verbatim = start, None, None, None
    if old_text is not None and 0 <= start < end <= len(old_text) and old_text[start:end] == exact:
        diff = _diff_map(old_text, text)
        new_start = diff.start(start)
        new_end = max(new_start, diff.end(end))
        hint = diff.near(start)
        if text[new_start:new_end] == exact:
            verbatim = new_start
        # What is left of the span, unless it is too long to be the quote (a
        # coarse diff replaced a whole region around it).
        elif new_start < new_end <= new_start + size + budget + 8:
            mapped = (new_start, new_end)
            inside = [s for s in occurrences if s < new_end and new_start < s + size]
            if inside:  # the diff slid an edit over a bound of the quote
                verbatim = min(inside, key=lambda s: abs(s - new_start) + abs(s + size - new_end))

    # 3. Exact occurrences. The quote verbatim where the diff put it is anchored
    # only if its context agrees; if not, the diff carried the span onto another
    # passage that repeats it, and the search decides (that place gets no favour).
    # Its whole context as it was (most edits are elsewhere) agrees without
    # scoring every occurrence: no place can match the context better.
    if verbatim == hint and quote_context(text, verbatim, verbatim + size) == (
        exact,
        quote.prefix,
        quote.suffix,
    ):
        return _placed(annotation, verbatim, verbatim + size, "anchored", 1.0, text, text_hash)
    candidates = [_candidate(text, quote, s, s + size, 0, hint) for s in occurrences]
    if verbatim is not None:
        if _context_agrees(candidates, verbatim):
            return _placed(annotation, verbatim, verbatim + size, "anchored", 1.0, text, text_hash)
        mapped = None

    # 4. Approximate matches, unless an exact occurrence is convincing; the remains
    # of the span by the diff always compete. A short quote is never placed on an
    # approximate match, but one (the edited remains of its place) can stop it
    # being anchored on another occurrence.
    shift = min(budget, _MAX_SHIFT) + 4
    guesses: list[tuple[int, int]] = [mapped] if mapped else []
    if candidates:
        best, margin = _best_and_margin(candidates, hint)
        confident = best.score >= _CONFIDENT and margin >= MARGIN
    else:
        confident = short  # a short quote is only ever placed verbatim
    if not confident:
        guesses += [(s, s + size) for s in _seed_starts(text, quote, budget, hint)]
    seen = set()
    for guess in guesses:
        s, e, errors = _align(text, quote, guess[0], guess[1], shift)
        if errors <= budget and (s, e) not in seen:
            seen.add((s, e))
            candidates.append(_candidate(text, quote, s, e, errors, hint))

    if not candidates:
        return _orphan(annotation, 0.0)

    # 5. The state. With the old text, the remains of the span need no margin (the
    # diff tells them from any other place), and text the diff shows unchanged
    # from elsewhere in the old text was another passage then: never anchored. So
    # is the verbatim place of 3 whose context disagreed (no longer ``mapped``).
    best, margin = _best_and_margin(candidates, hint)
    movable = True
    if diff is not None:
        if mapped and best.start < mapped[1] and mapped[0] < best.end:
            margin = 1.0
        else:
            movable = not diff.kept(best.start, best.end)
    if short:
        if best.errors:  # its place is best, but edited: a short quote is only placed verbatim
            return _orphan(annotation, best.score)
        if movable and best.score >= ANCHORED and margin >= MARGIN and best.context_ok:
            return _placed(
                annotation, best.start, best.end, "anchored", best.score, text, text_hash
            )
        return _placed(
            annotation, best.start, best.end, "needs-review", best.score, text, text_hash
        )
    if movable and best.score >= ANCHORED and margin >= MARGIN:
        return _placed(annotation, best.start, best.end, "anchored", best.score, text, text_hash)
    if best.score >= NEEDS_REVIEW:
        return _placed(
            annotation, best.start, best.end, "needs-review", best.score, text, text_hash
        )
    return _orphan(annotation, best.score)
