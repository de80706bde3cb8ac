"""Entity quality on development sets no one here wrote (issue 11): typed F1 of
the bare model, of each of reader's rule families alone on top of it, and of
the whole pipeline, per class.

    uv run python -m bench.ner_eval [--data .devdata] [--limit N] [--write]

With ``--write`` (and no ``--limit``) its tables replace its section of
BENCHMARKS.md (bench/sections.py).

The sets are third-party texts, for measurement only: kept in a git-ignored
folder (``.devdata/``), never committed, shipped or quoted.

* ``ontonotes-dev/*.gold_conll``: the OntoNotes 5.0 development split,
  newswire (nw) and broadcast news (bn), CoNLL-2012 layout (GitHub
  marcovzla/OntoNotes-5.0-NER-BIO, conll-formatted-ontonotes-5.0/data/
  development/data/english/annotations/{nw,bn}/…).
* ``conll2003/eng.testa``: the CoNLL-2003 validation file (GitHub
  NguyenHoangAn0511/Name-entity-recognition-using-BERT, conll2003/eng.testa).

Each document becomes one text (its tokens joined as a news text would have
them), given whole to the model, as an article is. Classes: PERSON; ORG;
PLACE = GPE+LOC+FAC; MISC = NORP+EVENT+WORK_OF_ART+LAW+LANGUAGE+PRODUCT;
DATE = DATE+TIME; NUMBER = CARDINAL+ORDINAL+MONEY+PERCENT+QUANTITY (CoNLL:
PER, ORG, LOC, MISC only; predictions of the other classes are not scored
there). A prediction counts when its span and class are the gold one's.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import REPO, code_version
from bench.sections import write_section

CLASSES = ("PERSON", "ORG", "PLACE", "MISC", "DATE", "NUMBER")
CONLL_CLASSES = ("PERSON", "ORG", "PLACE", "MISC")
CLASS_OF = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
    "DATE": "DATE",
    "TIME": "DATE",
    "CARDINAL": "NUMBER",
    "ORDINAL": "NUMBER",
    "MONEY": "NUMBER",
    "PERCENT": "NUMBER",
    "QUANTITY": "NUMBER",
    # CoNLL-2003's
    "PER": "PERSON",
    "MISC": "MISC",
}
CONLL_CLASS_OF = {"PER": "PERSON", "ORG": "ORG", "LOC": "PLACE", "MISC": "MISC"}

Span = tuple[int, int, str]  # start, end (characters), class


@dataclass
class Document:
    name: str
    text: str
    gold: set[Span]
    words: int


# --- reading the sets ---------------------------------------------------------------------

_TOKENS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_TOKENS |= {"``": "“", "''": "”", "`": "‘"}
_NO_SPACE_BEFORE = re.compile(r"^(?:[,.;:!?%)\]}”’']|'s|'S|n't|'re|'ve|'ll|'d|'m)$")
_NO_SPACE_AFTER = {"(", "[", "{", "“", "‘", "$", "#"}


def _join(sentences: list[list[str]]) -> tuple[str, list[list[tuple[int, int]]]]:
    """The sentences' tokens as one text, and each token's (start, end) in it."""
    parts: list[str] = []
    offsets: list[list[tuple[int, int]]] = []
    length = 0
    for sentence in sentences:
        spans = []
        glue = bool(parts)  # a space before the sentence, after the first
        for n, raw in enumerate(sentence):
            token = _TOKENS.get(raw, raw)
            if token == "." and parts and len(parts[-1]) > 1 and parts[-1].endswith("."):
                spans.append((length, length))  # "U.S." ending a sentence: one period, as written
                continue
            space = glue and not _NO_SPACE_BEFORE.match(token)
            if (
                n
                and sentence[n - 1]
                and _TOKENS.get(sentence[n - 1], sentence[n - 1]) in (_NO_SPACE_AFTER)
            ):
                space = False
            if space:
                parts.append(" ")
                length += 1
            spans.append((length, length + len(token)))
            parts.append(token)
            length += len(token)
            glue = True
        offsets.append(spans)
    return "".join(parts), offsets


def read_ontonotes(folder: Path, limit: int | None = None) -> list[Document]:
    """The documents of the ``*.gold_conll`` files in ``folder`` (one part each)."""
    documents: list[Document] = []
    for path in sorted(folder.glob("*.gold_conll")):
        for name, rows in _conll2012_parts(path):
            sentences = [[row[3] for row in sentence] for sentence in rows]
            text, offsets = _join(sentences)
            gold: set[Span] = set()
            for sentence, spans in zip(rows, offsets, strict=True):
                label, start = "", 0
                for row, (begin, end) in zip(sentence, spans, strict=True):
                    tag = row[10]
                    if tag.startswith("("):
                        label, start = tag.strip("()*"), begin
                    if tag.endswith(")") and label:
                        if label in CLASS_OF:
                            gold.add((start, end, CLASS_OF[label]))
                        label = ""
            words = sum(len(s) for s in sentences)
            documents.append(Document(name, text, gold, words))
            if limit and len(documents) >= limit:
                return documents
    return documents


def _conll2012_parts(path: Path) -> Iterator[tuple[str, list[list[list[str]]]]]:
    name, sentences, sentence = "", [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#begin document"):
            name, sentences, sentence = line[len("#begin document ") :], [], []
        elif line.startswith("#end document"):
            if sentence:
                sentences.append(sentence)
            yield name, sentences
        elif not line.strip():
            if sentence:
                sentences.append(sentence)
            sentence = []
        else:
            sentence.append(line.split())


_DATELINE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_conll2003(path: Path, limit: int | None = None) -> list[Document]:
    """The documents of a CoNLL-2003 file; tags in IOB1 or IOB2. Its documents
    are between ``-DOCSTART-`` lines, or, in a copy without them, start with the
    headline before each dateline ("LONDON 1996-08-30")."""
    sentences = [
        [line.split() for line in block.splitlines() if line.strip()]
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
    ]
    documents: list[list[list[list[str]]]] = [[]]
    for n, sentence in enumerate(sentences):
        if not sentence:
            continue
        if sentence[0][0] == "-DOCSTART-":
            documents.append([])
            continue
        following = sentences[n + 1] if n + 1 < len(sentences) else []
        if following and len(following) <= 6 and _DATELINE.match(following[-1][0]):
            documents.append([])  # a headline: its document starts here
        documents[-1].append(sentence)
    out: list[Document] = []
    for number, rows in enumerate(d for d in documents if d):
        out.append(_conll2003_document(f"conll2003 testa {number}", rows))
        if limit and len(out) >= limit:
            break
    return out


def _conll2003_document(name: str, rows: list[list[list[str]]]) -> Document:
    text, offsets = _join([[row[0] for row in sentence] for sentence in rows])
    gold: set[Span] = set()
    for sentence, spans in zip(rows, offsets, strict=True):
        current: list[int] | None = None  # [start, end]
        kind = ""
        for row, (begin, end) in zip(sentence, spans, strict=True):
            tag = row[-1]
            prefix, _, label = tag.partition("-")
            if tag == "O" or prefix == "B" or label != kind:
                if current is not None:
                    gold.add((current[0], current[1], CONLL_CLASS_OF[kind]))
                current, kind = (None, "") if tag == "O" else ([begin, end], label)
            else:
                current[1] = end  # type: ignore[index]
        if current is not None:
            gold.add((current[0], current[1], CONLL_CLASS_OF[kind]))
    return Document(name, text, gold, sum(len(s) for s in rows))


# --- the pipelines compared ---------------------------------------------------------------


# The last step of reader's recogniser, after the rules: each span trimmed of
# surrounding punctuation and cut at a line break (spans.clean_span).
CLEANING = "span cleaning"


def _families() -> dict[str, Callable[[object, list, object], list]]:
    from reader.core.entity_rules import FAMILIES

    return dict(FAMILIES)  # in reader's order


@dataclass
class Pipeline:
    """The bare model, with ``families`` of reader's rules applied after it in
    reader's order (all of them: the pipeline reader runs)."""

    name: str
    families: tuple[str, ...]
    seconds: float = 0.0
    found: dict[str, set[Span]] = field(default_factory=dict)


def run(pipelines: list[Pipeline], documents: list[Document]) -> None:
    """Each document through the model once, then each pipeline's rules over a
    copy of the model's entities (the model's time is counted for each)."""
    import spacy
    from spacy.util import filter_spans

    from reader.core.gazetteer import load_gazetteer
    from reader.core.recogniser import EXCLUDED_COMPONENTS, find_model
    from reader.core.spans import entities_from_doc

    found = find_model()
    assert found is not None, "no English model installed"
    nlp = spacy.load(found[0], exclude=EXCLUDED_COMPONENTS)
    gazetteer = load_gazetteer()
    families = _families()
    for document in documents:
        started = time.perf_counter()
        doc = nlp(document.text)
        model_seconds = time.perf_counter() - started
        for pipeline in pipelines:
            started = time.perf_counter()
            ents = list(doc.ents)
            for family in families:  # reader's order
                if family in pipeline.families:
                    ents = families[family](doc, ents, gazetteer)
            spans = [(e.start_char, e.end_char, e.label_) for e in filter_spans(ents)]
            if CLEANING in pipeline.families:  # as reader's recogniser gives them
                spans = [(e.start, e.end, e.label) for e in entities_from_doc(doc.text, spans)]
            pipeline.seconds += model_seconds + time.perf_counter() - started
            pipeline.found[document.name] = {
                (start, end, CLASS_OF[label]) for start, end, label in spans if label in CLASS_OF
            }


def score(
    pipeline: Pipeline, documents: list[Document], classes: tuple[str, ...]
) -> dict[str, tuple[float, float, float]]:
    """Precision, recall and F1 per class and overall ("ALL")."""
    true, predicted, gold = Counter(), Counter(), Counter()
    for document in documents:
        found = {s for s in pipeline.found[document.name] if s[2] in classes}
        wanted = {s for s in document.gold if s[2] in classes}
        for span in found:
            predicted[span[2]] += 1
            predicted["ALL"] += 1
        for span in wanted:
            gold[span[2]] += 1
            gold["ALL"] += 1
        for span in found & wanted:
            true[span[2]] += 1
            true["ALL"] += 1
    out = {}
    for name in (*classes, "ALL"):
        p = true[name] / predicted[name] if predicted[name] else 0.0
        r = true[name] / gold[name] if gold[name] else 0.0
        out[name] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return out


def table(
    title: str,
    pipelines: list[Pipeline],
    documents: list[Document],
    classes: tuple[str, ...],
) -> str:
    words = sum(d.words for d in documents)
    scores = {p.name: score(p, documents, classes) for p in pipelines}
    bare = scores[pipelines[0].name]
    lines = [
        f"**{title}**: {len(documents):,} documents, {words:,} words, "
        f"{sum(len(d.gold) for d in documents):,} gold entities. Typed F1, and its "
        "change from the bare model.",
        "",
        "| pipeline | " + " | ".join(classes) + " | all (F1) | worst class | words/s |",
        "|---|" + "---:|" * (len(classes) + 3),
    ]
    for pipeline in pipelines:
        cells = []
        for name in (*classes, "ALL"):
            f1 = scores[pipeline.name][name][2]
            delta = f1 - bare[name][2]
            mark = "" if pipeline is pipelines[0] else f" ({delta:+.3f})"
            cells.append(f"{f1:.3f}{mark}")
        worst = min(scores[pipeline.name][c][2] - bare[c][2] for c in classes)
        cells.append("" if pipeline is pipelines[0] else f"{worst:+.3f}")
        speed = words / pipeline.seconds if pipeline.seconds else 0.0
        lines.append(f"| {pipeline.name} | " + " | ".join(cells) + f" | {speed:,.0f} |")
    return "\n".join(lines)


def verdicts(
    pipelines: list[Pipeline], documents: list[Document], classes: tuple[str, ...]
) -> list[str]:
    """The issue's checks on one set: each rule family within 0.005 of the bare
    model in every class; the whole pipeline's F1 against bare + 0.02, each
    class against bare, and its speed against 0.9x the bare model's."""
    scores = {p.name: score(p, documents, classes) for p in pipelines}
    bare, whole = scores[pipelines[0].name], scores[pipelines[-1].name]
    out = []
    for pipeline in pipelines[1:-1]:
        worst = min(scores[pipeline.name][c][2] - bare[c][2] for c in classes)
        out.append(f"{pipeline.name}: worst class {worst:+.3f} ({_met(worst >= -0.005)})")
    gain = whole["ALL"][2] - bare["ALL"][2]
    below = [c for c in classes if whole[c][2] < bare[c][2]]
    speed = pipelines[0].seconds / pipelines[-1].seconds if pipelines[-1].seconds else 0.0
    out.append(f"reader: F1 {gain:+.3f} over the bare model, goal +0.020 ({_met(gain >= 0.02)})")
    out.append(
        "reader: classes below the bare model: "
        f"{', '.join(below) if below else 'none'} ({_met(not below)})"
    )
    out.append(f"reader: {speed:.2f}x the bare model's words/s, goal 0.9x ({_met(speed >= 0.9)})")
    return out


def _met(ok: bool) -> str:
    return "PASS" if ok else "MISS"


SECTION = "entity-quality"
COMMAND = "uv run python -m bench.ner_eval --write"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / ".devdata")
    parser.add_argument("--limit", type=int, default=None, help="documents per set")
    parser.add_argument("--write", action="store_true", help="(re)write its BENCHMARKS.md section")
    args = parser.parse_args()
    ontonotes = read_ontonotes(args.data / "ontonotes-dev", args.limit)
    conll = read_conll2003(args.data / "conll2003" / "eng.testa", args.limit)
    sets = [
        ("OntoNotes 5 development (nw, bn)", ontonotes, CLASSES),
        ("CoNLL-2003 validation (eng.testa)", conll, CONLL_CLASSES),
    ]
    names = (*_families(), CLEANING)
    parts = []
    for title, documents, classes in sets:
        if not documents:
            raise SystemExit(f"no documents for {title} under {args.data} (see bench/ner_eval.py)")
        pipelines = [Pipeline("bare model", ())]
        pipelines += [Pipeline(f"+ {name} alone", (name,)) for name in names]
        pipelines.append(Pipeline("reader (all rules)", names))
        run(pipelines, documents)
        part = table(title, pipelines, documents, classes)
        part += "\n\n" + "\n".join(f"- {line}" for line in verdicts(pipelines, documents, classes))
        print(part, end="\n\n")
        parts.append(part)
    if args.write and not args.limit:
        write_section(SECTION, _section(parts))


def _section(parts: list[str]) -> str:
    from reader.core.recogniser import RULES_VERSION, find_model

    found = find_model()
    model = found[1].split("+")[0] if found else "no model"  # package==version
    return "\n\n".join(
        [
            "## Entity quality on news no one here wrote (issue 11)",
            f"Written by `{COMMAND}` (bench/ner_eval.py; its docstring says where the "
            "development sets come from: they are kept out of git). The bare model "
            f"({model}, NER only), each of reader's rule families alone on top of it, and "
            f"the whole pipeline (rules version {RULES_VERSION}), scored with typed F1 per "
            "class. A family that lowers a class by more than 0.005 is narrowed or removed. "
            f"Code {code_version()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            *parts,
        ]
    )


if __name__ == "__main__":
    main()
