"""Import benchmarks, printed as plain text.

    uv run python bench/import_bench.py [--articles 1000] [--pages 50]

(a) Plain text: N distinct synthetic articles (~500 words each, seeded) are written
    to a temporary folder and imported into a fresh temporary library with
    read_inputs + Library.add. Prints articles/s for the whole import (goal >= 500)
    and for parsing alone (read_inputs, no library).
(b) HTML: synthetic news pages (menus, ads, related links, comments, footer, meta
    author and date, an article of several paragraphs with sub-headings) are
    extracted with reader's parse_html and with trafilatura.bare_extraction alone,
    with the same options, best of 3 runs each. Prints ms/page for both and their
    ratio (goal <= 1.1).
"""

from __future__ import annotations

import argparse
import html
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.core.importers.html import parse_html  # noqa: E402
from reader.core.importers.inputs import read_inputs  # noqa: E402
from reader.core.importing import ImportRun  # noqa: E402
from reader.core.library import Library  # noqa: E402

SEED = 20240611
RUNS = 3


def _split(text: str) -> list[str]:
    return text.split()


WORDS = _split("""
the of and to in a is that for it as was with be by on not he this are or his from at
which but have an they you were her she there been one all we their has would when if
so no will more can about said up out them some could into than then its only other new
time people year years way day man government country world city council minister
police court week month state public report party president election vote voters law
water river bridge harbour school hospital market prices workers union company bank
money budget plan plans talks officials spokesman residents village town region north
south east west border army troops forces attack strike drone ceasefire agreement deal
meeting statement announced told reporters added warned expected according last first
second third early late morning evening night monday tuesday wednesday thursday friday
saturday sunday january february march april may june july august september october
november december small large long short high low old young local national foreign
economic political military public private several many few most every each both
between against during after before under over through since while where because
although however still already again also even well much very never often almost
""")
NAMES = _split("""
Amara Okafor Jonas Whitfield Priya Raman Tomas Lindqvist Hana Sato Pedro Alves Lena Brandt
Omar Haddad Agnes Moreau Ingrid Halvorsen Beatrice Nwosu Kofi Mensah Elena Petrova
""")
PLACES = _split("""
Aleppo Idlib Ankara Moscow Geneva Lisbon Nairobi Oslo Lima Hanoi Quito Tbilisi Dakar
Harbour Town Northport Rivermouth Eastvale
""")


def sentence(rng: random.Random, low: int = 8, high: int = 24) -> str:
    words = []
    for _ in range(rng.randint(low, high)):
        pick = rng.random()
        if pick < 0.06:
            words.append(rng.choice(NAMES))
        elif pick < 0.1:
            words.append(rng.choice(PLACES))
        else:
            words.append(rng.choice(WORDS))
    words[0] = words[0][0].upper() + words[0][1:]
    if rng.random() < 0.3:
        words[len(words) // 2] += ","
    return " ".join(words) + rng.choice(".....!?")


def paragraphs(rng: random.Random, target_words: int) -> list[str]:
    out, count = [], 0
    while count < target_words:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))
        out.append(paragraph)
        count += len(paragraph.split())
    return out


def plain_article(rng: random.Random, number: int) -> str:
    header = ""
    if number % 2 == 0:
        header = (
            f" date 20{rng.randint(10, 24):02d}-{rng.randint(1, 12):02d}-"
            f"{rng.randint(1, 28):02d} Posted on by {rng.choice(NAMES).lower()}\n\n"
        )
    body = paragraphs(rng, 500)
    for at in range(3, len(body), 4):  # a sub-heading now and then
        body.insert(at, " ".join(rng.choice(WORDS) for _ in range(4)).capitalize())
    return header + "\n\n".join(body) + f"\n\nReport number {number}.\n"


def page_furniture(
    rng: random.Random, title: str, author: str, date: str, text: str
) -> tuple[str, str]:
    """What real pages carry besides the story: JSON-LD, an app's JSON state (which
    often repeats the article), inline SVG icons, a cookie banner, a newsletter form.
    Returns (head, body) fragments."""
    import json

    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": f"{date}T08:00:00Z",
            "author": [{"@type": "Person", "name": author}],
            "publisher": {"@type": "Organization", "name": "The Daily Courier"},
            "image": [f"https://cdn.example.com/img/{rng.randint(1, 10**9)}.jpg"],
        }
    )
    state = json.dumps(
        {
            "props": {
                "page": {
                    "article": {"title": title, "body": text, "author": author},
                    "related": [sentence(rng) for _ in range(20)],
                    "ads": [
                        {"slot": f"slot-{i}", "sizes": [[300, 250], [728, 90]]} for i in range(10)
                    ],
                }
            },
            "buildId": f"{rng.getrandbits(64):x}",
        }
    )
    icon = (
        '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path d="'
        + " ".join(
            f"M{rng.randint(0, 24)} {rng.randint(0, 24)}L{rng.randint(0, 24)} {rng.randint(0, 24)}"
            for _ in range(30)
        )
        + '"/></svg>'
    )
    head = (
        f'<script type="application/ld+json">{ld}</script>'
        "<style>"
        + " ".join(f".c{i}{{margin:{i}px;padding:{i % 7}px}}" for i in range(300))
        + "</style>"
    )
    body = (
        '<div class="cookie-banner"><p>We use cookies to improve your experience. '
        "By continuing you agree to our cookie policy.</p><button>Accept</button></div>"
        + "".join(f'<a class="share" href="/share/{i}">{icon}</a>' for i in range(6))
        + '<form class="newsletter"><label>Get the morning briefing</label>'
        '<input type="email" placeholder="Your email"><button>Sign up</button></form>'
        + f'<script id="__NEXT_DATA__" type="application/json">{state}</script>'
    )
    return head, body


def news_page(rng: random.Random, number: int, full: bool = True) -> str:
    title = " ".join(w.capitalize() for w in sentence(rng, 6, 11).rstrip(".!?,").split())
    author = f"{rng.choice(NAMES)} {rng.choice(NAMES)}"
    date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    esc = html.escape
    body = []
    for index, paragraph in enumerate(paragraphs(rng, rng.randint(400, 1200))):
        if index and index % 4 == 0:
            body.append(f"<h2>{esc(sentence(rng, 3, 6).rstrip('.!?,'))}</h2>")
        if rng.random() < 0.15:
            body.append(
                f'<figure><img src="/img/{number}-{index}.jpg" alt="photo">'
                f"<figcaption>{esc(sentence(rng, 6, 12))}</figcaption></figure>"
            )
        body.append(f"<p>{esc(paragraph)}</p>")
    if rng.random() < 0.3:
        rows = "".join(
            f"<tr><td>{esc(rng.choice(PLACES))}</td><td>{rng.randint(1, 999)}</td></tr>"
            for _ in range(rng.randint(3, 8))
        )
        body.append(f"<table><tr><th>Place</th><th>Count</th></tr>{rows}</table>")
    menu = "".join(f'<li><a href="/{w}">{w.capitalize()}</a></li>' for w in rng.sample(WORDS, 12))
    related = "".join(
        f'<li><a href="/story/{rng.randint(1, 10**6)}">{esc(sentence(rng, 5, 9))}</a></li>'
        for _ in range(rng.randint(3, 8))
    )
    comments = "".join(
        f'<div class="comment"><span class="comment-author">{rng.choice(NAMES)}</span>'
        f'<p class="comment-body">{esc(sentence(rng))} {esc(sentence(rng))}</p></div>'
        for _ in range(rng.randint(0, 25))
    )
    scripts = "".join(f'<script src="/static/chunk-{i}.js"></script>' for i in range(5))
    extra_head = extra_body = ""
    if full:
        story = " ".join(re.sub(r"<[^>]+>", " ", block) for block in body)
        furniture_rng = random.Random(SEED * 31 + number)  # the story stays the same
        extra_head, extra_body = page_furniture(furniture_rng, title, author, date, story)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{esc(title)} | The Daily Courier</title>
<meta name="author" content="{esc(author)}">
<meta property="og:title" content="{esc(title)}">
<meta property="article:published_time" content="{date}T08:00:00+00:00">
<meta name="description" content="{esc(sentence(rng))}">
<link rel="stylesheet" href="/static/site.css">{scripts}{extra_head}
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": {number}}});</script>
</head><body>
<header class="site-header"><a class="logo" href="/">The Daily Courier</a>
<nav class="main-menu"><ul>{menu}</ul></nav></header>
<div class="ad-banner advertisement"><p>{esc(sentence(rng))}</p></div>
<main><article class="story">
<h1>{esc(title)}</h1>
<p class="byline">By <span class="author">{esc(author)}</span>,
<time datetime="{date}">{date}</time></p>
{"".join(body)}
</article>
<aside class="related-links"><h3>Related stories</h3><ul>{related}</ul>
<div class="sponsored advertisement"><p>{esc(sentence(rng))}</p></div></aside>
<section id="comments" class="comments"><h3>Reader comments</h3>{comments}</section>
</main>
<footer class="site-footer"><p>Copyright 2024 The Daily Courier. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy</a></li><li><a href="/contact">Contact</a></li></ul></footer>
{extra_body}
</body></html>
"""


# --- (a) plain text --------------------------------------------------------------------------


def bench_plain_text(count: int) -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as tmp:
        folder = Path(tmp) / "articles-in"
        folder.mkdir()
        words = 0
        for number in range(count):
            text = plain_article(rng, number)
            words += len(text.split())
            (folder / f"article-{number:05d}.txt").write_text(text, encoding="utf-8")
        print(f"(a) plain text: {count} articles, {words / count:.0f} words each on average")

        start = time.perf_counter()
        parsed = sum(len(imported.drafts) for imported in read_inputs([str(folder)]))
        parse_seconds = time.perf_counter() - start
        assert parsed == count, parsed

        # The path `reader add` takes: batches of drafts, one sync per batch.
        library = Library(Path(tmp) / "library")
        run = ImportRun(library)
        start = time.perf_counter()
        for imported in read_inputs([str(folder)]):
            run.take(imported)
        run.flush()
        seconds = time.perf_counter() - start
        assert run.counts["added"] == count and not run.counts["failed"], run.counts
        rate = count / seconds
        verdict = "ok" if rate >= 500 else "BELOW GOAL"
        print(
            f"    import (read_inputs + ImportRun, batches of {run.batch}): {seconds:.2f} s, "
            f"{rate:.0f} articles/s (goal >= 500: {verdict})"
        )
        print(
            f"    parse only (read_inputs):           {parse_seconds:.2f} s, "
            f"{count / parse_seconds:.0f} articles/s"
        )
        print(f"    so adding takes {1000 * (seconds - parse_seconds) / count:.2f} ms per article")

        # One article at a time (Library.add: a sync per article), for comparison.
        library = Library(Path(tmp) / "library-one-by-one")
        drafts = [d for imported in read_inputs([str(folder)]) for d in imported.drafts][:200]
        start = time.perf_counter()
        for draft in drafts:
            library.add(draft)
        one = (time.perf_counter() - start) / len(drafts)
        print(
            f"    one at a time (Library.add, {len(drafts)} articles): {1000 * one:.2f} ms "
            f"per article, {1 / one:.0f} articles/s"
        )


# --- (b) HTML --------------------------------------------------------------------------------


def timed(action, *args) -> float:  # noqa: ANN001
    start = time.perf_counter()
    action(*args)
    return time.perf_counter() - start


def compare(pages: list[str], label: str) -> None:
    from trafilatura import bare_extraction

    count = len(pages)
    sources = [f"/tmp/saved/page-{number}.html" for number in range(count)]
    size = sum(len(page) for page in pages) / count
    print(
        f"    {label}: {count} pages, {size / 1024:.1f} KiB each on average; "
        f"best of {RUNS} runs per page, alternating"
    )

    def extract(page: str) -> None:
        bare_extraction(page, with_metadata=True, include_comments=False, include_tables=True)

    # Warm up both (imports, caches). Then, page by page, alternate the two so that a
    # burst of load on the machine hits both alike, and keep each one's best of RUNS.
    parse_html(pages[0], sources[0])
    extract(pages[0])
    reader_seconds = trafilatura_seconds = 0.0
    for page, source in zip(pages, sources, strict=True):
        reader_best = trafilatura_best = float("inf")
        for _ in range(RUNS):
            trafilatura_best = min(trafilatura_best, timed(extract, page))
            reader_best = min(reader_best, timed(parse_html, page, source))
        reader_seconds += reader_best
        trafilatura_seconds += trafilatura_best
    reader_ms = 1000 * reader_seconds / count
    trafilatura_ms = 1000 * trafilatura_seconds / count
    ratio = reader_ms / trafilatura_ms
    verdict = "ok" if ratio <= 1.1 else "ABOVE GOAL"
    print(f"      reader parse_html:           {reader_ms:.2f} ms/page")
    print(f"      trafilatura.bare_extraction: {trafilatura_ms:.2f} ms/page")
    print(f"      ratio reader / trafilatura:  {ratio:.3f} (goal <= 1.1: {verdict})")

    # What the extraction kept: the article, not the page around it.
    leaked = 0
    for page, source in zip(pages, sources, strict=True):
        text = parse_html(page, source).text
        leaked += any(
            marker in text
            for marker in (
                "Related stories",
                "Reader comments",
                "All rights reserved",
                "The Daily Courier",
                "cookie policy",
                "morning briefing",
            )
        )
    print(f"      pages whose text kept menus/comments/footer/banners: {leaked} of {count}")


def bench_html(count: int) -> None:
    print("(b) HTML: synthetic news pages (menus, ads, related links, comments, footer)")
    rng = random.Random(SEED + 1)
    compare(
        [news_page(rng, number) for number in range(count)],
        "full pages (with JSON-LD, JSON state, CSS, SVG icons, banners)",
    )
    rng = random.Random(SEED + 1)
    compare(
        [news_page(rng, number, full=False) for number in range(count)],
        "lean pages (the same stories without that furniture)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=50)
    args = parser.parse_args()
    print(f"reader import benchmark (python {sys.version.split()[0]}, seed {SEED})")
    bench_plain_text(args.articles)
    bench_html(args.pages)


if __name__ == "__main__":
    main()
