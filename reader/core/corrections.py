"""The reader's corrections to recognised entities: applying them over what the
model found, and the digest of the library-wide rules that keys the cache."""

from __future__ import annotations

import hashlib
import re

from reader.core.models import Correction, Entity


def rules_key(rules: list[Correction]) -> str:
    """A short digest of the library-wide rules, part of the cache key."""
    digest = hashlib.sha256(
        "\n".join(
            f"{r.action}\t{r.label}\t{r.text}"
            for r in sorted(rules, key=lambda r: (r.text, r.action, r.label))
        ).encode()
    ).hexdigest()
    return digest[:8] if rules else "none"


def apply_corrections(
    text: str, entities: list[Entity], corrections: list[Correction]
) -> list[Entity]:
    """The reader's corrections over recognised entities: library-wide rules
    (by text) and this article's corrections (by position), in that order. An
    article's relabelling holds for the name's other mentions in the article
    too (one label per name within an article); a removal or an added entity
    is that span only."""
    if not corrections:
        return list(entities)
    out = list(entities)
    for rule in (c for c in corrections if c.library_wide):
        if rule.action == "remove":
            out = [e for e in out if e.text != rule.text]
        elif rule.action == "label":
            out = [
                Entity(e.start, e.end, rule.label, e.text) if e.text == rule.text else e
                for e in out
            ]
            out += [
                Entity(s, s + len(rule.text), rule.label, rule.text)
                for s in _occurrences(text, rule.text)
                if not any(e.start < s + len(rule.text) and s < e.end for e in out)
            ]
    for fix in (c for c in corrections if not c.library_wide):
        if text[fix.start : fix.end] != fix.text:
            continue  # the text changed under the correction: it no longer applies
        out = [e for e in out if not (e.start < fix.end and fix.start < e.end)]
        if fix.action == "label":
            out = [
                Entity(e.start, e.end, fix.label, e.text) if e.text == fix.text else e for e in out
            ]
        if fix.action in {"label", "add"}:
            out.append(Entity(fix.start, fix.end, fix.label, fix.text))
    return sorted(out, key=lambda e: (e.start, e.end))


def _occurrences(text: str, word: str) -> list[int]:
    if not word:
        return []
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    return [m.start() for m in pattern.finditer(text)]
