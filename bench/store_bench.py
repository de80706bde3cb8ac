"""Store benchmarks: a save's cost must not depend on the library's size.

    uv run python bench/store_bench.py [--big 100000] [--saves 50] [--dir DIR]

Two libraries are built in a temporary folder on the repository's disk (default:
the folder holding the repository): one of 100 articles and one of --big
articles. Their files are written directly (the text, and the store as
``reader.core.store.initial_store`` lays it out), without fsync, so that
building 100,000 articles takes seconds, not an hour of syncs.

Then, interleaved round by round so that both see the same disk weather:
  - ArticleStore.save_annotation of a new annotation (atomic, fsync'd, under the
    lock) to a different, seeded-random article of each library;
  - one bare reader.core.store.atomic_write (fsync'd) of a file of the size the
    store had after that save, in the same folder.
Prints the medians, save at 100 vs at --big (goal <= 1.2) and save vs bare
write (goal <= 1.5). Last, Library.list_articles() on the big library cold
(no .index.json: every store is read) and warm (the index is present).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.core.anchoring import new_annotation  # noqa: E402
from reader.core.index import INDEX_NAME  # noqa: E402
from reader.core.library import Library  # noqa: E402
from reader.core.models import ArticleInfo  # noqa: E402
from reader.core.store import ArticleStore, atomic_write, initial_store  # noqa: E402
from reader.core.text import sha256, word_count  # noqa: E402

SEED = 20240917
SMALL = 100
WORDS = [
    "the",
    "council",
    "said",
    "on",
    "monday",
    "that",
    "new",
    "bridge",
    "over",
    "river",
    "would",
    "open",
    "in",
    "march",
    "after",
    "talks",
    "between",
    "ministers",
    "and",
    "workers",
    "union",
    "had",
    "ended",
]


def _text(n: int) -> str:
    rng = random.Random(n)
    body = " ".join(rng.choice(WORDS) for _ in range(60))
    return f"Report {n}. Officials in the north region said {body}.\n"


def build(root: Path, count: int) -> Library:
    """A library of ``count`` articles, written directly, without fsync."""
    library = Library(root).ensure()
    for n in range(count):
        article_id = f"2020-03-{n % 28 + 1:02d}-report-{n:06d}"
        text = _text(n)
        info = ArticleInfo(
            id=article_id,
            title=f"Report {n}",
            author="Bench",
            date=f"2020-03-{n % 28 + 1:02d}",
            source=f"/bench/{n}.txt",
            format="text",
            text_sha256=sha256(text),
            word_count=word_count(text),
            added="2020-04-01T00:00:00Z",
        )
        (library.annotations_dir / f"{article_id}.json").write_bytes(initial_store(info))
        (library.articles_dir / f"{article_id}.txt").write_text(text, encoding="utf-8")
    return library


def _ms(seconds: list[float]) -> float:
    return 1000 * statistics.median(seconds)


def _save(library: Library, article_id: str) -> tuple[float, int]:
    """Seconds for one save of a new annotation, and the store's size after it."""
    text = (library.articles_dir / f"{article_id}.txt").read_text(encoding="utf-8")
    annotation = new_annotation(text, 0, text.index("."), ("bench",), "a benchmark note")
    store = ArticleStore(library.annotations_dir, article_id)
    began = time.perf_counter()
    store.save_annotation(annotation)
    seconds = time.perf_counter() - began
    return seconds, store.path.stat().st_size


def _bare(folder: Path, size: int) -> float:
    path = folder / "bench-bare-write.json"
    data = os.urandom(size // 2).hex().encode()[:size].ljust(size, b" ")
    began = time.perf_counter()
    atomic_write(path, data)
    return time.perf_counter() - began


def measure_saves(small: Library, big: Library, saves: int) -> None:
    rng = random.Random(SEED)
    small_ids = rng.sample(small.article_ids(), saves)
    big_ids = rng.sample(big.article_ids(), saves)
    at_small, at_big, bare_small, bare_big, sizes = [], [], [], [], []
    _save(small, small_ids[0])  # warm up imports and the lock folder
    for round_ in range(saves):
        seconds, size = _save(small, small_ids[round_])
        at_small.append(seconds)
        bare_small.append(_bare(small.annotations_dir, size))
        seconds, size = _save(big, big_ids[round_])
        at_big.append(seconds)
        bare_big.append(_bare(big.annotations_dir, size))
        sizes.append(size)
    save_ratio = statistics.median(at_big) / statistics.median(at_small)
    bare_ratio = statistics.median(at_big) / statistics.median(bare_big)
    print(
        f"save_annotation, median of {saves} (a new annotation, fsync'd; "
        f"store {statistics.median(sizes):.0f} bytes after it):"
    )
    print(f"  library of {SMALL:>7,} articles: {_ms(at_small):7.2f} ms")
    print(f"  library of {len(big.article_ids()):>7,} articles: {_ms(at_big):7.2f} ms")
    print(
        f"  ratio big / small:            {save_ratio:7.2f} "
        f"(goal <= 1.2: {'ok' if save_ratio <= 1.2 else 'MISSED'})"
    )
    print("bare atomic_write of the same size, same folder, median:")
    print(f"  in the {SMALL}-article library:     {_ms(bare_small):7.2f} ms")
    print(f"  in the big library:            {_ms(bare_big):7.2f} ms")
    print(
        f"  ratio save / bare (big):       {bare_ratio:7.2f} "
        f"(goal <= 1.5: {'ok' if bare_ratio <= 1.5 else 'MISSED'})"
    )
    small_ratio = statistics.median(at_small) / statistics.median(bare_small)
    print(f"  ratio save / bare (small):     {small_ratio:7.2f}")
    for library in (small, big):
        (library.annotations_dir / "bench-bare-write.json").unlink()


def measure_listing(big: Library) -> None:
    (big.annotations_dir / INDEX_NAME).unlink(missing_ok=True)
    began = time.perf_counter()
    count = len(Library(big.root).list_articles())
    cold = time.perf_counter() - began
    began = time.perf_counter()
    warm_count = len(Library(big.root).list_articles())
    warm = time.perf_counter() - began
    assert count == warm_count
    print(f"Library.list_articles() on {count:,} articles (a new Library object each time):")
    print(f"  cold (no {INDEX_NAME}, every store read): {cold:8.2f} s")
    print(f"  warm (index present):                {warm:8.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", type=int, default=100_000, help="articles in the big library")
    parser.add_argument("--saves", type=int, default=50, help="saves measured in each library")
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(__file__).resolve().parents[2],
        help="where the temporary libraries go (same disk as the repository by default)",
    )
    args = parser.parse_args()
    print(f"reader store benchmark (python {sys.version.split()[0]}, seed {SEED})")
    with tempfile.TemporaryDirectory(prefix="reader-store-bench-", dir=args.dir) as folder:
        began = time.perf_counter()
        small = build(Path(folder) / "small", SMALL)
        big = build(Path(folder) / "big", args.big)
        print(
            f"built libraries of {SMALL} and {args.big:,} articles in "
            f"{time.perf_counter() - began:.1f} s (no fsync) under {folder}"
        )
        measure_saves(small, big, args.saves)
        measure_listing(big)
        began = time.perf_counter()
    print(f"(removing the libraries took {time.perf_counter() - began:.1f} s)")


if __name__ == "__main__":
    main()
