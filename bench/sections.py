"""Sections of BENCHMARKS.md that other benches own.

``python -m bench --write`` rewrites the file; a section between these
markers is someone else's (the entity quality of ``bench.ner_eval``, the
model comparison of ``bench.model_compare``): it is carried over as it is,
and its own bench replaces it alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.harness import REPO

BENCHMARKS = REPO / "BENCHMARKS.md"
_SECTION = re.compile(
    r"<!-- section: (?P<name>[\w.-]+) -->\n.*?<!-- end of section: (?P=name) -->\n?", re.S
)


def marked(name: str, body: str) -> str:
    return f"<!-- section: {name} -->\n{body.rstrip()}\n<!-- end of section: {name} -->\n"


def sections(text: str) -> list[str]:
    """The marked sections of a BENCHMARKS.md, in order, each with its markers."""
    return [match.group() for match in _SECTION.finditer(text)]


def write_section(name: str, body: str, path: Path = BENCHMARKS) -> Path:
    """Put ``body`` in the file's section ``name``: in place of the old one, else
    at the end."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    new = marked(name, body)
    for match in _SECTION.finditer(text):
        if match["name"] == name:
            text = text[: match.start()] + new + text[match.end() :]
            break
    else:
        text = text.rstrip() + "\n\n" + new
    path.write_text(text, encoding="utf-8")
    return path
