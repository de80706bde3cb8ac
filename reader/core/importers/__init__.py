"""Importers: one module per input format, each returning ArticleDrafts.

This package holds what they share: :class:`Imported`, :class:`ImportFailed`
(the only exception a parser raises for bad input), :class:`ImportBug` and
:data:`MAX_BYTES`. The rest, one job a module:

- :mod:`.inputs` takes what a user typed (files, folders, standard input, URLs)
  and yields one :class:`Imported` per input (:func:`~.inputs.read_inputs`): its
  drafts, or a one-line reason it failed; :func:`~.inputs.import_path` reads one file.
- :mod:`.parsing`: one input's bytes to drafts (:func:`~.parsing.parse_bytes`).
- :mod:`.detect`: what kind of input the bytes are; formats are told by content,
  not only by extension.
- :mod:`.decoding`: bytes to text.
- :mod:`.cleaning`: metadata cleaned, and URLs' credentials left out.
- :mod:`.feed`, :mod:`.html`, :mod:`.markdown`, :mod:`.plaintext`: the formats;
  :mod:`.fetch` (with :mod:`.addresses`): http(s) URLs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.core.models import ArticleDraft

MAX_BYTES = 20 * 1024 * 1024


class ImportFailed(Exception):
    """An input that cannot be imported; ``str(error)`` is a one-line reason."""


class ImportBug(ImportFailed):
    """An input not imported because of an error in reader's own code, not in
    the input: one input's failure still (the batch goes on), but said as a bug,
    with its traceback in the log (reader.core.errorlog), and failing the tests."""


@dataclass
class Imported:
    """What one input gave: drafts, or the reason it failed, plus notes to show."""

    source: str
    drafts: list[ArticleDraft] = field(default_factory=list)
    error: str = ""
    bug: bool = False  # the error is reader's own (ImportBug), not the input's
    skipped: str = ""  # a folder member that is not an article (an image, say)
    notes: list[str] = field(default_factory=list)
