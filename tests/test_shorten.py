"""Quotes shortened for a prompt, the status line or an orphan's context cut at a
word's edge, never inside one (issue 12, 9)."""

from __future__ import annotations

import pytest

from reader.core.text import shorten

QUOTE = "Recep Tayyip Erdogan had threatened reprisals for the killing"


@pytest.mark.parametrize("limit", range(12, len(QUOTE)))
def test_a_quote_is_cut_between_words(limit: int) -> None:
    short = shorten(QUOTE, limit)
    assert len(short) <= limit and short.endswith("…")
    kept = short[:-1]
    assert QUOTE.startswith(kept) and QUOTE[len(kept)] == " ", short
    tail = shorten(QUOTE, limit, tail=True)
    assert len(tail) <= limit and tail.startswith("…")
    assert QUOTE.endswith(tail[1:]) and QUOTE[-len(tail[1:]) - 1] == " ", tail


def test_what_fits_is_kept_whole_on_one_line() -> None:
    assert shorten("  two\nlines ", 20) == "two lines"
    assert shorten(QUOTE, len(QUOTE)) == QUOTE


def test_one_long_word_is_cut_inside() -> None:
    assert shorten("Supercalifragilisticexpialidocious", 10) == "Supercali…"
