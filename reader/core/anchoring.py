"""Selectors for a span, and finding an annotation again in (possibly changed) text.

An annotation keeps its position (code points), its quote with 32 characters
of context, and the sha256 of the text it was made on. :func:`reanchor` places
it on the current text and says how sure that is (``state`` and ``score``):

1. Same text hash, or the quote and its context exactly at the old position:
   anchored, score 1.0.
2. With the old text (when the library kept it): the old span is mapped
   through a diff of the old and the new text (:mod:`reader.core.diff_map`).
   The mapped span is the quote, or the quote overlaps a mapped span of about
   its size (the diff slid an edit over one of its bounds), and its context
   agrees (it scores >= 0.80 as in 5 or keeps one side of its context as a
   short quote must, and no other occurrence of the quote scores higher):
   anchored, score 1.0. A diff aligns characters, not passages: it can carry a
   span onto another passage that repeats its words, which only the context
   shows. A verbatim place whose context disagrees is left to the search, with
   no favour. Otherwise what is left of the span is a candidate, and the mapped
   start the position hint (else the hint is the old start).
3. Every exact occurrence of the quote is a candidate.
4. Unless an exact occurrence is convincing (score >= 0.9 and clearly ahead),
   approximate matches, found as :mod:`reader.core.quote_search` explains
   (pieces of the quote and of its context vote for where it starts, and the
   places most pieces agree on are aligned to find their bounds). A match must
   keep more than half of the quote (fewer than len/2 edits, at most 256).
5. Each candidate scores as in Hypothesis's anchoring
   (:mod:`reader.core.quote_search`). The best is *anchored* when it scores
   >= 0.80 and is 0.05 ahead of the best candidate not overlapping it (no
   margin is needed for the remains of the span found through the diff; and
   text the diff shows unchanged from elsewhere in the old text is never
   anchored: it was another passage); it *needs review* when it scores >= 0.60
   (or was ambiguous); else the annotation is an *orphan*, kept with its old
   position (in its old text).

Quotes shorter than :data:`SHORT_QUOTE` are only placed verbatim, and are
anchored only where their prefix or suffix is as it was (ratio >= 0.8);
otherwise they need review, or are orphans when the best place is an edited
one. Annotations are never dropped, and their stored quote never changes.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from reader.core.diff_map import diff_map
from reader.core.models import Annotation, TextQuote, utc_now
from reader.core.quote_search import (
    MAX_SHIFT,
    Candidate,
    align,
    candidate,
    exact_occurrences,
    seed_starts,
)
from reader.core.text import quote_context, sha256

ANCHORED = 0.80  # the least score of an anchored annotation
NEEDS_REVIEW = 0.60  # the least score of one that needs review (below: orphan)
MARGIN = 0.05  # how far an anchored place must be ahead of any other place
SHORT_QUOTE = 10  # shorter quotes are only found verbatim, and need their context
MAX_ERRORS = 256  # the most edits an approximate match may have
_CONFIDENT = 0.90  # an exact occurrence scoring this (and clearly ahead) ends the search


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


# --- re-anchoring -----------------------------------------------------------------


def _best_and_margin(candidates: list[Candidate], hint: int) -> tuple[Candidate, float]:
    """The best candidate, and how far it is ahead of the best one not overlapping it."""
    ranked = sorted(candidates, key=lambda c: (-c.score, abs(c.start - hint)))
    best = ranked[0]
    runner_up = next((c for c in ranked[1:] if not c.overlaps(best)), None)
    return best, (best.score - runner_up.score if runner_up else 1.0)


def _context_agrees(candidates: list[Candidate], at: int) -> bool:
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
    occurrences = exact_occurrences(text, exact)

    # 2. Through the diff from the old text.
    budget = min(MAX_ERRORS, (size - 1) // 2)  # a match keeps more than half of the quote
    hint, mapped, diff, verbatim = start, None, None, None
    if old_text is not None and 0 <= start < end <= len(old_text) and old_text[start:end] == exact:
        diff = diff_map(old_text, text)
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
    candidates = [candidate(text, quote, s, s + size, 0, hint) for s in occurrences]
    if verbatim is not None:
        if _context_agrees(candidates, verbatim):
            return _placed(annotation, verbatim, verbatim + size, "anchored", 1.0, text, text_hash)
        mapped = None

    # 4. Approximate matches, unless an exact occurrence is convincing; the remains
    # of the span by the diff always compete. A short quote is never placed on an
    # approximate match, but one (the edited remains of its place) can stop it
    # being anchored on another occurrence.
    shift = min(budget, MAX_SHIFT) + 4
    guesses: list[tuple[int, int]] = [mapped] if mapped else []
    if candidates:
        best, margin = _best_and_margin(candidates, hint)
        confident = best.score >= _CONFIDENT and margin >= MARGIN
    else:
        confident = short  # a short quote is only ever placed verbatim
    if not confident:
        guesses += [(s, s + size) for s in seed_starts(text, quote, budget, hint)]
    seen = set()
    for guess in guesses:
        s, e, errors = align(text, quote, guess[0], guess[1], shift)
        if errors <= budget and (s, e) not in seen:
            seen.add((s, e))
            candidates.append(candidate(text, quote, s, e, errors, hint))

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
