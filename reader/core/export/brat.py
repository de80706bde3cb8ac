"""brat standoff: ``<id>.txt`` with the text and ``<id>.ann`` with ``T`` lines
for entities and tagged spans and ``#`` AnnotatorNotes for notes. A span
that crosses a line break is split into fragments (``start end;start end``)
as brat needs; types are made safe for brat (letters, digits, - and _), and
``annotation.conf`` declares them, so that brat opens the folder without warnings."""

from __future__ import annotations

import re

from reader.core.export import ArticleExport, Options


def brat_type(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")
    return cleaned or "Tag"


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut at line breaks, without empty pieces or edge whitespace."""
    out = []
    pos = start
    for piece in text[start:end].split("\n"):
        s, e = pos, pos + len(piece)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
        pos += len(piece) + 1
    return out


def ann(item: ArticleExport) -> str:
    text = item.article.text
    lines: list[str] = []
    number = 0

    def t_line(kind: str, start: int, end: int) -> str | None:
        nonlocal number
        pieces = fragments(text, start, end)
        if not pieces:
            return None
        number += 1
        where = ";".join(f"{s} {e}" for s, e in pieces)
        shown = " ".join(text[s:e] for s, e in pieces)
        lines.append(f"T{number}\t{brat_type(kind)} {where}\t{shown}")
        return f"T{number}"

    for entity in item.entities:
        t_line(entity.label, entity.start, entity.end)
    notes = 0
    for a in item.annotations:
        if a.state == "orphan":
            continue
        ids = [t_line(tag, a.start, a.end) for tag in a.tags or ("Note",)]
        if a.note and ids[0]:
            notes += 1
            lines.append(f"#{notes}\tAnnotatorNotes {ids[0]}\t{' '.join(a.note.split())}")
    return "".join(line + "\n" for line in lines)


def annotation_conf(anns: list[str]) -> str:
    """brat's configuration for the folder: every type the ``.ann`` files use
    (brat flags a type it is not told of), and overlaps allowed (a tagged span
    is often an entity too)."""
    used = dict.fromkeys(
        line.split("\t")[1].split(" ")[0]
        for text in anns
        for line in text.splitlines()
        if line.startswith("T")
    )
    return (
        "[entities]\n"
        + "".join(f"{name}\n" for name in used)
        + "\n[relations]\n"
        + "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n"
        + "\n[events]\n\n[attributes]\n"
    )


def files(items: list[ArticleExport], options: Options) -> dict[str, str]:
    out = {}
    for item in items:
        out[f"{item.article.id}.txt"] = item.article.text
        out[f"{item.article.id}.ann"] = ann(item)
    out["annotation.conf"] = annotation_conf([v for k, v in out.items() if k.endswith(".ann")])
    return out
