"""A fuzz test of the whole command line on hostile and damaged input (issue 10).

A seeded generator (the same inputs on every run) writes thousands of hostile
inputs into folders: text, Markdown with YAML front matter, HTML pages, RSS
and Atom feeds, random and mangled bytes, empty files, odd file names (escapes,
markup, bytes that are not UTF-8), holding terminal escapes (CSI, OSC, DCS, C1),
Rich markup, lone surrogates, deep nesting, YAML aliases and huge numbers; and
W3C and Readwise notes files for ``reader import-notes``. A known number of
good inputs sits among them in every batch.

reader runs as a user runs it, a process per command: ``add`` on whole
folders, single odd files and arguments, ``import-notes``, ``annotate`` with
odd tags and notes, ``list`` with hostile queries, ``notes``, ``doctor`` and
``export``. Every process must end without a traceback, with exit code 0, 1
or 2, and write no control character (no ESC, BEL, C1 control; only tab,
newline and carriage return) on stdout or stderr; every good input of a batch
must be imported, and every good note of a notes file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

from reader.core.library import LIBRARY_ENV

SEED = 10_2024  # issue 10: the same inputs on every run
BATCHES = 4
HOSTILE_PER_BATCH = 500  # 2,000 hostile files for reader add, and odd arguments
GOOD_PER_BATCH = 6

# --- hostile pieces -------------------------------------------------------------------------

ESCAPES = (
    "\x1b[31m",
    "\x1b[0m",
    "\x1b[2J",
    "\x1b[?1049h",
    "\x1b[6n",
    "\x1b]0;pwned\x07",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\x1bP+q544e\x1b\\",
    "\x1b_apc\x1b\\",
    "\x1b(0",
    "\x1bc",
    "\x1b",
    "\x9b31m",
    "\x9d0;title\x9c",
    "\x90q\x9c",
    "\x07",
    "\x08",
    "\x00",
    "\x0b",
    "\x0c",
    "\x0e",
    "\x7f",
    "\x85",
    "\r",
    "\r\n",
    "\t",
)
MARKUP = (
    "[/]",
    "[@click=app.quit]quit[/]",
    "[@click=app.bell]",
    "[bold red]",
    "[/bold]",
    "[link=file:///etc/passwd]x[/link]",
    "[on #ff0000]",
    "[",
    "]",
    "\\[",
    "[[]]",
    ":smile:",
    "$(id)",
    "`id`",
    "%s%n%x",
    "{0}{}",
    "<script>alert(1)</script>",
    "&#27;]0;x&#7;",
    "'; DROP TABLE articles; --",
    '=HYPERLINK("http://evil.example")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    '"',
    "'",
    "*",
    "OR",
    "NEAR(",
    "^",
)
UNICODE = (
    "\u202e",
    "\u2066",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\uffff",
    "\ufffe",
    "\U0010ffff",
    "\ufffd",
    "e\u0301",
    "\u0301" * 40,
    "🙂",
    "👩‍👩‍👧",
    "ﷺ",
    "Ω",
    "İ",
    "ß",
    "\u00ad",
    "\ud800",
    "\udfff",
    "\udcff",
)
NUMBERS = (
    "1e999",
    "-1e999",
    "1e-999",
    "NaN",
    "Infinity",
    "-0",
    "4294967296",
    "18446744073709551616",
    "9" * 300,
    "9" * 5000,
    "0x" + "f" * 64,
    "2023-02-29",
    "99999-99-99",
    "0000-00-00",
    "²",
)
WORDS = [
    "harbour",
    "minister",
    "vote",
    "council",
    "budget",
    "storm",
    "river",
    "bridge",
    "election",
    "court",
    "ferry",
    "school",
    "hospital",
    "market",
    "strike",
    "mayor",
    "farmers",
    "drought",
    "railway",
    "festival",
    "museum",
]
PIECES = ESCAPES + MARKUP + UNICODE + NUMBERS


def hostile(rng: random.Random, low: int = 1, high: int = 12) -> str:
    """Words and hostile pieces, run together or apart."""
    parts = []
    for _ in range(rng.randint(low, high)):
        parts.append(rng.choice(PIECES) if rng.random() < 0.5 else rng.choice(WORDS))
        parts.append(rng.choice(("", " ", " ", "\n", "\n\n")))
    return "".join(parts)


def prose(rng: random.Random, sentences: int = 4) -> str:
    return " ".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))).capitalize() + "."
        for _ in range(sentences)
    )


def encoded(rng: random.Random, text: str) -> bytes:
    """Text in an encoding a file may really have, lone surrogates kept as bytes."""
    choice = rng.random()
    if choice < 0.7:
        return text.encode("utf-8", "surrogatepass")
    if choice < 0.8:
        return text.encode("latin-1", "replace")
    if choice < 0.9:
        return text.encode("utf-16", "surrogatepass")  # with its byte order mark
    return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")


# --- hostile files ----------------------------------------------------------------------------


def text_file(rng: random.Random) -> tuple[str, bytes]:
    title = hostile(rng, 1, 4).replace("\n", " ")
    body = "\n\n".join(hostile(rng, 3, 30) for _ in range(rng.randint(1, 5)))
    header = f"date {rng.choice(NUMBERS)} Posted on by {hostile(rng, 1, 3)}\n" * (
        rng.random() < 0.2
    )
    return ".txt", encoded(rng, f"{header}{title}\n\n{body}")


def _yaml_value(rng: random.Random) -> str:
    choice = rng.randrange(12)
    if choice == 0:
        depth = rng.choice((10, 40, 300, 3000))
        return "[" * depth + "x" + "]" * depth
    if choice == 1:
        depth = rng.choice((10, 40, 1000))
        return "{a: " * depth + "b" + "}" * depth
    if choice == 2:
        return rng.choice(NUMBERS)
    if choice == 3:
        return '"' + rng.choice(("\\ud800", "\\udfff", "\\x1b]0;t\\x07", "\\x9b31m", "\\0")) + '"'
    if choice == 4:
        return "!!python/object/apply:os.system ['echo pwned']"
    if choice == 5:
        return rng.choice(("!!int abc", "!!float x", "!!binary ===", "!!timestamp 2023-02-29"))
    if choice == 6:
        return rng.choice(("*a", "&a [x, *a]", "&b x"))
    if choice == 7:
        return (
            "[" + ", ".join(json.dumps(hostile(rng, 1, 3)) for _ in range(rng.randint(0, 5))) + "]"
        )
    if choice == 8:
        return "|\n  " + hostile(rng).replace("\n", "\n  ")
    if choice == 9:
        return rng.choice(("null", "~", "true", "[]", "{}", "? [a]\n  : b", "'unclosed", "@x"))
    return json.dumps(hostile(rng, 1, 5))


def markdown_file(rng: random.Random) -> tuple[str, bytes]:
    keys = ("title", "author", "date", "url", "source", "tags", "published", "authors")
    lines = []
    for _ in range(rng.randint(0, 6)):
        key = rng.choice(keys) if rng.random() < 0.85 else hostile(rng, 1, 2).replace("\n", "")
        lines.append(f"{key}: {_yaml_value(rng)}")
    if rng.random() < 0.1:  # an alias bomb, as in the issue: refused
        lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
        lines += [
            f"{c}: &{c} [{','.join(['*' + p] * 9)}]"
            for p, c in zip("abcdefg", "bcdefgh", strict=True)
        ]
        lines.append("title: *h")
    if rng.random() < 0.05:
        lines.append("padding: " + "x" * 70_000)  # over the front matter limit
    body = "\n\n".join(hostile(rng, 2, 20) for _ in range(rng.randint(1, 4)))
    choice = rng.randrange(6)
    if choice == 0:
        body += "\n\n" + "> " * rng.choice((50, 2000)) + "quoted"
    elif choice == 1:
        body += "\n\n" + "".join("  " * i + "- item\n" for i in range(rng.choice((20, 400))))
    elif choice == 2:
        body += f"\n\n# {hostile(rng, 1, 3)}\n\n[{hostile(rng, 1, 2)}](javascript:alert(1))"
    elif choice == 3:
        body += "\n\n```\n" + hostile(rng) + "\n```\n\n<div>" + hostile(rng) + "</div>"
    end = rng.choice(("---", "...", "--- ", ""))  # "" leaves the front matter open
    return ".md", encoded(rng, "---\n" + "\n".join(lines) + f"\n{end}\n" + body)


def html_file(rng: random.Random) -> tuple[str, bytes]:
    charset = rng.choice(("utf-8", "utf-16", "utf-7", "x-no-such", "ebcdic-cp-us", "latin-1", ""))
    entity = rng.choice(
        ("&#27;", "&#x9b;", "&#0;", "&#xD800;", "&#99999999999;", "&#x110000;", "&amp;", "&bogus;")
    )
    title = hostile(rng, 1, 4) + entity
    parts = [
        rng.choice(("<!DOCTYPE html>", "<?xml version='1.0' encoding='ebcdic'?>", "", "<!--")),
        f'<html><head><meta charset="{charset}"><title>{title}</title>',
        rng.choice(("<script>document.title='\x1b]0;x\x07'</script>", "<style>p{}</style>", "")),
        "</head><body><article>",
    ]
    for _ in range(rng.randint(1, 6)):
        parts.append(f"<p>{hostile(rng, 2, 25)}{rng.choice((entity, '', '<b>', '</i>'))}</p>")
    choice = rng.randrange(6)
    if choice == 0:
        depth = rng.choice((100, 1000, 10_000))
        parts.append("<div>" * depth + "deep" + "</div>" * depth)
    elif choice == 1:
        parts.append("<" * rng.randint(1, 5000))
    elif choice == 2:
        parts.append(f'<a href="javascript:alert(1)" title="{"x" * 100_000}">x</a>')
    elif choice == 3:
        parts.append("<![CDATA[" + hostile(rng) + "<table><tr><td>" * 50)
    if rng.random() < 0.7:
        parts.append("</article></body></html>")
    return ".html", encoded(rng, "".join(parts))


def feed_file(rng: random.Random, claimed: list[str]) -> tuple[str, bytes]:
    """RSS or Atom, hostile titles and links; a link may claim a good article's source."""

    def link() -> str:
        if claimed and rng.random() < 0.3:
            return claimed[rng.randrange(len(claimed))]
        return rng.choice(
            ("javascript:alert(1)", "file:///etc/passwd", "http://[::1", hostile(rng, 1, 2), "")
        )

    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;") if rng.random() < 0.8 else text

    doctype = rng.choice(
        (
            "",
            '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
            '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>',
        )
    )
    entries = []
    atom = rng.random() < 0.4
    for _ in range(rng.randint(0, 6)):
        title, text = esc(hostile(rng, 1, 5)), esc(hostile(rng, 3, 30))
        date = rng.choice((*NUMBERS, "Mon, 99 Foo 99999 99:99:99 +9999", "2024-05-03T10:00:00Z"))
        if atom:
            entries.append(
                f'<entry><title>{title}</title><link href="{esc(link())}"/>'
                f'<updated>{date}</updated><content type="html">{text}</content></entry>'
            )
        else:
            entries.append(
                f"<item><title>{title}</title><link>{esc(link())}</link>"
                f"<pubDate>{date}</pubDate><description>{text}</description>"
                f"<author>{esc(hostile(rng, 1, 2))}</author></item>"
            )
    if rng.random() < 0.1:
        entries.append("<item>" * rng.choice((100, 2000)))
    if atom:
        body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{esc(hostile(rng))}</title>'
        body += "".join(entries) + "</feed>" * (rng.random() < 0.8)
    else:
        body = f'<rss version="2.0"><channel><title>{esc(hostile(rng))}</title>'
        body += "".join(entries) + "</channel></rss>" * (rng.random() < 0.8)
    return ".xml", encoded(rng, f'<?xml version="1.0" encoding="utf-8"?>{doctype}{body}')


def random_bytes(rng: random.Random) -> tuple[str, bytes]:
    suffix = rng.choice((".txt", ".md", ".html", ".xml", "", ".bin", ".rss"))
    data = rng.randbytes(rng.choice((1, 7, 100, 1000, 8000, 40_000)))
    if rng.random() < 0.5:  # text-like: printable bytes with controls and high bytes sprinkled
        pool = b"abcdefghij klmnop\n\n\x1b\x07\x9b\x9d\xff\xfe\xc2\xed\xa0\x80[/]<>&;"
        data = bytes(rng.choice(pool) for _ in range(rng.choice((10, 500, 4000))))
    return suffix, data


def odd_file(rng: random.Random) -> tuple[str, bytes]:
    """Empty, blank, byte order marks alone or with broken text, front matter only."""
    data = rng.choice(
        (
            b"",
            b" \n\t\r\n",
            b"\xef\xbb\xbf",
            b"\xff\xfe",
            b"\xff\xfe\x00\xd8a\x00",  # UTF-16 with a lone surrogate
            b"\xfe\xff\xd8\x00",
            b"\x00\x00\xfe\xff\x00\x11\x00\x00",  # UTF-32 beyond Unicode
            b"---\n",
            b"---\n---\n",
            b"---\ntitle: x\n---\n",
            b"\x00",
            b"\x1b]0;pwned\x07\n",
            b"\n" * 5000,
            b"#",
            b"<",
            b"<rss>",
            b"<html>",
            b"x" * 300_000,  # one long line
            ("word " * 60_000).encode(),
        )
    )
    return rng.choice((".txt", ".md", ".html", ".xml", "")), data


def mangled(rng: random.Random, claimed: list[str]) -> tuple[str, bytes]:
    """A generated input cut short, or with bytes flipped, inserted or dropped."""
    suffix, data = rng.choice((text_file, markdown_file, html_file))(rng)
    if rng.random() < 0.2:
        suffix, data = feed_file(rng, claimed)
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        if not buffer:
            break
        at = rng.randrange(len(buffer))
        action = rng.randrange(4)
        if action == 0:
            buffer[at] = rng.randrange(256)
        elif action == 1:
            buffer.insert(at, rng.choice(b"\x00\x1b\x07\x9b\xff<[&\n"))
        elif action == 2:
            del buffer[at]
        else:
            del buffer[at:]
    return suffix, bytes(buffer)


def claiming_markdown(rng: random.Random, claimed: list[str]) -> tuple[str, bytes]:
    """Markdown whose url: is a good article's source: a new article, never a replacement."""
    url = claimed[rng.randrange(len(claimed))] if claimed else "x"
    text = f"---\ntitle: Impostor {hostile(rng, 1, 2)!r}\nurl: {json.dumps(url)}\n---\n{prose(rng)}"
    return ".md", text.encode("utf-8", "surrogatepass")


def hostile_name(rng: random.Random, number: int, suffix: str) -> bytes:
    """A file name: mostly plain, else with escapes, markup, newlines, bytes not UTF-8."""
    plain = f"{number:04d}"
    choice = rng.randrange(10)
    if choice == 0:
        odd = rng.choice(ESCAPES[:14]).replace("\x00", "").encode("utf-8", "surrogatepass")
    elif choice == 1:
        odd = rng.choice(MARKUP).encode()
    elif choice == 2:
        odd = rng.choice((b"\xff\xfe", b"\xed\xa0\x80", b"\x9b31m", b"caf\xe9", b"\x80"))
    elif choice == 3:
        odd = rng.choice((b"\n", b"\r", b" ", b"-rf ", b"--help ", b"\t", b"\xe2\x80\xae"))
    elif choice == 4:
        odd = b"n" * 200
    else:
        odd = b""
    return plain.encode() + b"-" + odd.replace(b"/", b"|") + suffix.encode()


KINDS = (
    (text_file, 18),
    (markdown_file, 22),
    (html_file, 14),
    (feed_file, 14),
    (random_bytes, 10),
    (odd_file, 6),
    (mangled, 14),
    (claiming_markdown, 2),
)


def write_file(folder: Path, name: bytes, data: bytes) -> Path:
    """Write ``name`` in ``folder``; a name the file system refuses becomes a plain one."""
    path = os.fsencode(folder) + b"/" + name
    try:
        with open(path, "xb") as file:
            file.write(data)
    except OSError:  # not UTF-8 on a file system that wants it, too long, taken
        path = os.fsencode(folder) + b"/" + name[:4] + b"-refused-%d" % len(os.listdir(folder))
        with open(path, "xb") as file:
            file.write(data)
    return Path(os.fsdecode(path))


# --- good inputs ------------------------------------------------------------------------------


def good_title(batch: int, number: int) -> str:
    return f"Fuzz good article {batch} {number} {'abcdefghijklmnop'[number]}"


def good_file(rng: random.Random, batch: int, number: int) -> tuple[str, bytes]:
    """A plain text or Markdown article, its title known; its text unique."""
    title = good_title(batch, number)
    text = f"Batch {batch} number {number} goodmarker{batch}x{number}. {prose(rng)}\n\n{prose(rng)}"
    if number % 2:
        return ".md", f"---\ntitle: {title}\ndate: 2024-05-0{number % 9 + 1}\n---\n{text}".encode()
    return ".txt", f"{title}\n\n{text}".encode()


def special_entries(folder: Path) -> None:
    """What a folder can hold besides files: links (never followed), a folder that
    looks like a file, a named pipe (never opened: it would wait for a writer)."""
    (folder / "link-to-passwd.txt").symlink_to("/etc/passwd")
    (folder / "dangling.txt").symlink_to(folder / "no-such-file")
    (folder / "loop").symlink_to(folder)
    (folder / "folder.txt").mkdir()
    (folder / ".hidden.txt").write_text("Hidden\n\nNot imported, as it is hidden.")
    deep = folder.joinpath(*(["d"] * 40))
    deep.mkdir(parents=True)
    text = "Deep\n\nA file forty folders down. " + prose(random.Random(0), 8)
    (deep / "deep.txt").write_text(f"\x1b]0;deep\x07{text}")
    os.mkfifo(folder / "pipe.txt")


def make_batch(
    rng: random.Random, folder: Path, batch: int, claimed: list[str]
) -> tuple[list[str], list[Path]]:
    """The batch's hostile files and good files (titles, paths) in ``folder``."""
    folder.mkdir(parents=True)
    makers = [maker for maker, weight in KINDS for _ in range(weight)]
    for number in range(HOSTILE_PER_BATCH):
        maker = rng.choice(makers)
        takes_claims = maker in (feed_file, mangled, claiming_markdown)
        suffix, data = maker(rng, claimed) if takes_claims else maker(rng)
        write_file(folder, hostile_name(rng, number, suffix), data)
    titles, paths = [], []
    for number in range(GOOD_PER_BATCH):
        suffix, data = good_file(rng, batch, number)
        at = rng.randrange(HOSTILE_PER_BATCH)  # sorted among the hostile ones
        paths.append(write_file(folder, f"{at:04d}-good-{number}{suffix}".encode(), data))
        titles.append(good_title(batch, number))
    special_entries(folder)
    return titles, paths


# --- running reader ---------------------------------------------------------------------------

ENV = {k: v for k, v in os.environ.items() if k != LIBRARY_ENV} | {"READER_NO_BACKGROUND": "1"}
# Any C0 control but tab, newline and carriage return; DEL; C1 controls as UTF-8;
# bytes that are not UTF-8 (a raw 0x9b is an 8-bit CSI to some terminals).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\udc80-\udcff]")


def controls_in(output: bytes) -> list[str]:
    """The control characters in a process's output, and bytes that are not UTF-8."""
    return sorted({repr(c) for c in _CONTROL.findall(output.decode("utf-8", "surrogateescape"))})


def run(
    library: Path | bytes, *args: str | bytes, stdin: bytes = b""
) -> subprocess.CompletedProcess:
    """``reader --library LIBRARY ARGS`` as a user runs it, checked: no traceback,
    no control character on stdout or stderr, exit code 0, 1 or 2."""
    done = subprocess.run(
        [sys.executable, "-m", "reader", "--library", library, *args],
        input=stdin,
        capture_output=True,
        env=ENV,
        timeout=120,
    )
    shown = (args, done.returncode, done.stderr[-3000:])
    assert b"Traceback" not in done.stderr, shown
    assert done.returncode in (0, 1, 2), shown
    assert not controls_in(done.stdout), (args, controls_in(done.stdout))
    assert not controls_in(done.stderr), (args, controls_in(done.stderr), done.stderr[-3000:])
    # One line per message, each reader's: no input starts a line of its own.
    lines = done.stderr.removesuffix(b"\n").split(b"\n") if done.stderr else []
    assert all(line.startswith(b"reader: ") for line in lines), (args, done.stderr[-3000:])
    assert b"\r" not in done.stderr, (args, done.stderr[-3000:])
    return done


def listed_titles(library: Path) -> set[str]:
    done = run(library, "list")
    assert done.returncode == 0, done.stderr
    return {line.split("\t")[4] for line in done.stdout.decode().splitlines()}


# --- reader add, and what reads the library back ----------------------------------------------


def add_batches(rng: random.Random, tmp_path: Path, library: Path) -> list[str]:
    """``reader add`` on each batch's folder; every good file of each is imported."""
    claimed: list[str] = []  # good articles' sources, which later inputs claim
    all_titles: list[str] = []
    for batch in range(BATCHES):
        folder = tmp_path / f"batch{batch}"
        titles, paths = make_batch(rng, folder, batch, claimed)
        options = (["--json"], [], ["--max-mb", "0.05"], [])[batch]
        if batch == 3:  # a dry run first: it shows each good file, and writes nothing
            done = run(library, "add", "--dry-run", str(folder))
            would = done.stdout.decode()
            assert all(f"\t{title}\n" in would for title in titles), would[-2000:]
            assert titles[0] not in listed_titles(library)
        done = run(library, "add", *options, str(folder))
        assert b"reader: imported: " in done.stderr, done.stderr[-2000:]  # the batch finished
        assert done.returncode == 1  # some inputs failed (said on stderr), the rest went on
        if options == ["--json"]:
            records = [json.loads(line) for line in done.stdout.splitlines()]
            assert set(titles) <= {r["title"] for r in records}
        missing = set(titles) - listed_titles(library)
        assert not missing, (batch, missing)
        claimed += [str(p.resolve()) for p in paths]
        all_titles += titles
    listed = listed_titles(library)
    # No later input (a feed's <link>, a Markdown url:) replaced a good article.
    assert not set(all_titles) - listed
    # A file forty folders down is imported; a hidden one, and a link's target, are not.
    assert "Deep" in listed and "Hidden" not in listed
    assert not [title for title in listed if title.startswith("root:")]
    return all_titles


ODD_NAMES = (b"good-\xff\xfe.txt", b"good-\x1b]0;t\x07.txt", b"good-[@click=app.quit].md", b"-good")


def add_odd_arguments(tmp_path: Path, library: Path) -> list[str]:
    """Good files with odd names among arguments that are not files at all."""
    folder = tmp_path / "odd"
    folder.mkdir()
    titles, arguments = [], []
    for number, name in enumerate(ODD_NAMES):
        title = f"Fuzz odd name article {number}"
        text = f"{title}\n\nOddmarker{number} keeps this one apart. {prose(random.Random(number))}"
        arguments.append(write_file(folder, name, text.encode()))
        titles.append(title)
    hostile_arguments: list[str | bytes] = [
        b"/nonexistent/\xff\xfe.txt",
        "/nonexistent/\x1b]0;pwned\x07[/].txt",
        "",
        " ",
        "-",  # standard input: hostile bytes
        "http://[::1",
        "http://127.0.0.1:1/\x1b]52;c;ZXZpbA==\x07",
        b"https://\xff\xfe.invalid/",
        "file:///etc/passwd",
        "/dev/null",
        "/dev/zero",  # never ends: refused at the --max-mb limit
        str(folder / "good-\x1b]0;t\x07.txt"),  # the same file twice: a duplicate
        str(folder) + "/",
    ]
    args = [os.fsencode(p) for p in arguments] + hostile_arguments
    done = run(library, "add", "--max-mb", "1", "--", *args, stdin=b"\x1b]0;x\x07\x00\xff[/]" * 9)
    assert done.returncode == 1 and b"reader: imported: " in done.stderr, done.stderr
    good_stdin = b"Fuzz standard input article\n\nStdinmarker text from a pipe, with [/] in it."
    done = run(library, "add", "-", stdin=good_stdin)
    assert done.returncode == 0, done.stderr
    for value in ("nan", "1e999", "-1", "0x10"):  # not a size: a usage error
        assert run(library, "add", "--max-mb", value, str(folder)).returncode == 2
    return [*titles, "Fuzz standard input article"]


HOSTILE_VALUES: tuple[str | bytes, ...] = (
    "\x1b]52;c;ZXZpbA==\x07clip",
    "[@click=app.quit]quit[/]",
    "[/]",
    b"latin \xe9t\xe9 \xff\xfe",
    "\x9b31mred\x1b[0m",
    "a,b,,\t,\r\n,c",
    "\u202eevil\u202c",
    '=HYPERLINK("http://evil.example")',
    "x" * 5000,
    "\udcff",
)


def annotate_oddly(library: Path) -> list[str]:
    """``reader annotate`` good articles with hostile tags and notes; its odd
    arguments; returns the ids of the annotations made."""
    records = [json.loads(line) for line in run(library, "list", "--json").stdout.splitlines()]
    good = {r["title"]: r["id"] for r in records if r["title"].startswith("Fuzz good")}
    made = []
    for number, value in enumerate(HOSTILE_VALUES):
        batch, index = divmod(number, GOOD_PER_BATCH)
        article = good[good_title(batch % BATCHES, index)]
        quote = f"goodmarker{batch % BATCHES}x{index}"
        done = run(library, "annotate", article, "--quote", quote, "--tag", value, "--note", value)
        assert done.returncode == 0, done.stderr
        made.append(done.stdout.decode().strip())  # the annotation's id, once saved
    some = next(iter(good.values()))
    for args in (
        ["../../etc/passwd", "--quote", "x"],
        ["\x1b]0;t\x07", "--quote", "x"],
        [some, "--quote", "\x1b]0;t\x07 not in the text"],
        [some, "--quote", b"\xff\xfe"],
        [some, "--quote", ""],
        [some, "--quote", "goodmarker", "--occurrence", "99999999999999999999999"],
    ):
        assert run(library, "annotate", *args).returncode in (1, 2)
    return made


QUERIES: tuple[str | bytes, ...] = (
    '"unclosed',
    '"',
    "'",
    "(",
    ")",
    "*",
    "-",
    "OR",
    "OR OR",
    "AND NOT",
    "NEAR(a b)",
    "^a",
    "title:x",
    "{a}",
    "tag:[/]",
    "tag:",
    'entity:"\x1b]0;x\x07"',
    "label:",
    "since:99999-99-99",
    "until:1e999",
    "article:../../etc/passwd",
    "source:*",
    "author:%_",
    "has:nothing",
    "state:xyz",
    "x" * 5000,
    b"\xff\xfe harbour",
    "\x1b[31m harbour",
    "[@click=app.quit]",
    "harbour* -minister OR vote",
    "'; DROP TABLE articles; --",
    "\u202e 🙂* ü*",
    "a" + '"' * 99,
    "\\",
)


def read_back(tmp_path: Path, library: Path, titles: list[str], annotations: list[str]) -> None:
    """Every command that reads the library, on what the batches stored."""
    listed = run(library, "list", "--json")
    assert listed.returncode == 0
    records = [json.loads(line) for line in listed.stdout.splitlines()]
    assert set(titles) <= {r["title"] for r in records}
    for sort in ("title", "words", "notes", "added"):
        assert run(library, "list", "--sort", sort).returncode == 0
    for query in QUERIES:
        run(library, "list", query)
    for query in QUERIES[::4]:
        run(library, "notes", query)
    # A query finds a good article by a word of its text only.
    found = run(library, "list", "goodmarker2x4").stdout.decode()
    assert found.count("\n") == 1 and good_title(2, 4) in found, found
    notes = run(library, "notes", "--json")
    assert notes.returncode == 0
    shown = {json.loads(line).get("id") for line in notes.stdout.splitlines()}
    assert set(annotations) <= shown
    run(library, "notes")
    assert run(library, "doctor").returncode in (0, 1)
    for fmt in ("md", "csv", "w3c", "jsonl"):
        done = run(library, "export", "--format", fmt)
        assert done.returncode in (0, 1), done.stderr
    out = tmp_path / "exported"
    for fmt in ("md", "brat", "html"):
        done = run(library, "export", "--format", fmt, "-o", str(out / fmt) + "/")
        assert done.returncode in (0, 1), done.stderr
    # Files are written where asked, named by reader, whatever the titles hold.
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written and all(p.name.isprintable() and ".." not in p.name for p in written)
    for args in (
        ["--tag", "\x1b]0;t\x07"],
        ["--tag", b"\xff"],
        ["--since", "1e999"],
        ["--since", "99999-99-99"],
        ["--article", "\x1b]0;x\x07"],
        ["--creator", "[@click=app.quit]\x1b]0;t\x07\udcff"],
        ["--csv-layout", "readwise-export", "--format", "csv", "harbour*"],
    ):
        run(library, "export", *args)


def test_the_cli_on_hostile_folders_and_arguments(tmp_path: Path) -> None:
    """2,000 hostile files in four folders and odd arguments to ``reader add``;
    then annotate, list, query, notes, doctor and export on what was stored."""
    rng = random.Random(SEED)
    library = tmp_path / "library"
    titles = add_batches(rng, tmp_path, library)
    assert len(titles) == BATCHES * GOOD_PER_BATCH
    titles += add_odd_arguments(tmp_path, library)
    annotations = annotate_oddly(library)
    assert len(annotations) == len(HOSTILE_VALUES)
    read_back(tmp_path, library, titles, annotations)


# --- reader import-notes ----------------------------------------------------------------------

NOTES_FILES = 18  # W3C exports and Readwise CSVs, each many hostile records and good ones
RECORDS_PER_FILE = 30
NUMBER = re.compile(r'"@@number(\d+)@@"')
RAW_NUMBERS = (
    *("1e999", "-1e999", "1e-999", "NaN", "Infinity", "-0", "1.5", "-1", "3", "9" * 300),
    *(str(2**64), str(-(2**63) - 1), str(2**53 + 1)),
)


def hostile_json_value(rng: random.Random, numbers: list[str], number: bool = False) -> object:
    """A value for any field of a W3C record: strings (escapes, markup, lone
    surrogates, long), numbers written raw (1e999, 300 digits), nested things."""
    choice = 0 if number else rng.randrange(9)
    if choice == 0:
        numbers.append(rng.choice(RAW_NUMBERS))
        return f"@@number{len(numbers) - 1}@@"
    if choice == 1:
        return rng.choice((None, True, False, 0, -1, 2**63, [], {}, [[]], {"": None}))
    if choice == 2:
        depth = rng.choice((5, 200))
        value: object = "x"
        for _ in range(depth):
            value = [value] if rng.random() < 0.5 else {"type": value}
        return value
    if choice == 3:
        return "x" * rng.choice((1000, 20_000))
    if choice == 4:
        return rng.choice(("urn:uuid:not-a-uuid", "urn:reader:library", "urn:reader:article:"))
    return hostile(rng, 1, 6)


def w3c_record(rng: random.Random, article: str, quote: str, note: str) -> dict:
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"urn:uuid:{rng.randbytes(16).hex()}",
        "type": "Annotation",
        "motivation": "commenting",
        "created": "2024-05-03T10:00:00Z",
        "body": [
            {"type": "TextualBody", "purpose": "commenting", "value": note},
            {"type": "TextualBody", "purpose": "tagging", "value": "fuzz"},
        ],
        "target": {
            "source": f"urn:reader:article:{article}",
            "reader:article": article,
            "selector": [
                {"type": "TextQuoteSelector", "exact": quote, "prefix": "", "suffix": ""},
                {"type": "TextPositionSelector", "start": 0, "end": len(quote)},
            ],
        },
    }


FIELDS = (
    ("id",),
    ("type",),
    ("motivation",),
    ("created",),
    ("modified",),
    ("body",),
    ("body", 0, "value"),
    ("body", 1, "value"),
    ("body", 0, "purpose"),
    ("target",),
    ("target", "source"),
    ("target", "reader:article"),
    ("target", "reader:textSha256"),
    ("target", "selector"),
    ("target", "selector", 0, "exact"),
    ("target", "selector", 0, "prefix"),
    ("target", "selector", 1, "start"),
    ("target", "selector", 1, "end"),
    ("reader:correction",),
)


def mutated(rng: random.Random, record: dict, numbers: list[str]) -> dict:
    """The record with one to four fields given hostile values."""
    for _ in range(rng.randint(1, 4)):
        *path, last = rng.choice(FIELDS)
        node: object = record
        for key in path:  # down to the field's parent, as long as it has that shape
            if isinstance(node, dict) and isinstance(key, str):
                node = node.get(key)
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
            else:
                node = None
        if isinstance(node, dict) and isinstance(last, str):  # an offset: mostly a number
            number = last in ("start", "end") and rng.random() < 0.7
            node[last] = hostile_json_value(rng, numbers, number)
        elif isinstance(node, list) and isinstance(last, int) and last < len(node):
            node[last] = hostile_json_value(rng, numbers)
        if last == "reader:correction":  # an entity correction, mostly of a known kind
            record["motivation"] = "classifying"
            label = {"purpose": "classifying", "value": rng.choice(PIECES)}
            record["body"] = [*record["body"], label] if isinstance(record["body"], list) else label
            if rng.random() < 0.7:
                record[last] = rng.choice(("label", "remove", "add"))
            if rng.random() < 0.3 and isinstance(record["target"], dict):  # a library-wide rule
                record["target"]["source"] = "urn:reader:library"
    return record


def w3c_file(rng: random.Random, goods: list[tuple[str, str, str]], ids: list[str]) -> bytes:
    """An export of hostile records and the good notes ``goods`` (article, quote, note)."""
    numbers: list[str] = []
    records = [w3c_record(rng, *good) for good in goods]
    for _ in range(RECORDS_PER_FILE):
        article = rng.choice((*ids, "no-such-article", ""))
        quote = rng.choice(("goodmarker", "Batch", hostile(rng, 1, 4), "\ud800", ""))
        records.append(mutated(rng, w3c_record(rng, article, quote, hostile(rng)), numbers))
    rng.shuffle(records)
    shape = rng.randrange(3)
    data: object = records if shape == 0 else {"type": "AnnotationCollection", "items": records}
    if shape == 2:
        data = {"type": "AnnotationCollection", "first": {"items": records[:5], "next": {}}}
        data["first"]["next"] = {"items": records[5:]}  # type: ignore[index]
    text = json.dumps(data)  # lone surrogates as \\ud800 escapes
    return NUMBER.sub(lambda m: numbers[int(m.group(1))], text).encode()


def readwise_file(
    rng: random.Random, goods: list[tuple[str, str, str]], titles: list[str]
) -> bytes:
    header = ["Highlight", "Title", "Author", "URL", "Note", "Location", "Date", "Tags"]
    rows = [[quote, title, "", "", note, "", "", "fuzz"] for title, quote, note in goods]
    for _ in range(RECORDS_PER_FILE):
        row = [hostile(rng, 1, 5) for _ in header]
        row[0] = rng.choice((row[0], "goodmarker", "Batch", "=1+1", "'@x", "", "\ud800"))
        row[1] = rng.choice((row[1], *titles))
        row[5] = rng.choice(("", "²", "9" * 5000, "-1", "1e999", "12", row[5]))
        rows.append(row[: rng.randint(1, len(row) + 2)] + [hostile(rng)] * rng.randrange(2))
    rng.shuffle(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if rng.random() < 0.3:  # raw lines: open quotes, a long cell
        text += rng.choice(('"open quote,x\n', "a,b\n" + "x" * 200_000 + ",y\n", ",,,,\n"))
    return text.encode("utf-8", "replace")  # a lone surrogate makes it no UTF-8: see below


def broken_notes_files(rng: random.Random) -> list[bytes]:
    """Files that are no notes export at all: each refused whole, in one line."""
    return [
        b"[" * 100_000,
        b'{"type": "AnnotationCollection", "items": [' + b"9" * 5000 + b"]}",
        b'{"type": "Annotation", "target": ' + b'{"a":' * 5000 + b"1" + b"}" * 5001,
        b"{",
        b"",
        b"\xef\xbb\xbf[]",
        '{"type": "x"}'.encode("utf-16"),
        b'"just a string"',
        b"NaN",
        rng.randbytes(3000),
        b"not,a,readwise\nfile,at,all\n",
        b"\xff\xfe\xfd",
        "Highlight,Title\n\ud800,x\n".encode("utf-8", "surrogatepass"),  # not UTF-8
    ]


def test_import_notes_keeps_every_good_note(tmp_path: Path) -> None:
    """18 notes files of 30 hostile records each, two good notes in each; 13
    files that are no notes export at all; then what reads the notes back."""
    rng = random.Random(SEED + 1)
    library = tmp_path / "library"
    folder = tmp_path / "articles"
    folder.mkdir()
    titles = [good_title(0, number) for number in range(GOOD_PER_BATCH)]
    for number in range(GOOD_PER_BATCH):
        suffix, data = good_file(rng, 0, number)
        (folder / f"good-{number}{suffix}").write_bytes(data)
    (folder / "hostile.txt").write_bytes(encoded(rng, f"Hostile\n\n{hostile(rng, 30, 60)}"))
    assert run(library, "add", str(folder)).returncode == 0
    records = [json.loads(line) for line in run(library, "list", "--json").stdout.splitlines()]
    ids = {r["title"]: r["id"] for r in records}
    assert set(titles) <= set(ids)

    good_notes = []
    files = tmp_path / "notes"
    files.mkdir()
    for number in range(NOTES_FILES):
        chosen = rng.sample(range(GOOD_PER_BATCH), 2)
        notes = [f"goodnote{number}x{n} {hostile(rng, 1, 3)}" for n in chosen]
        quotes = [f"goodmarker0x{n}" for n in chosen]
        if number % 3:
            goods = [
                (ids[titles[n]], q, note) for n, q, note in zip(chosen, quotes, notes, strict=True)
            ]
            data, suffix = w3c_file(rng, goods, list(ids.values())), ".json"
        else:
            goods = [(titles[n], q, note) for n, q, note in zip(chosen, quotes, notes, strict=True)]
            data, suffix = readwise_file(rng, goods, titles), ".csv"
        name = hostile_name(rng, number, suffix)
        path = write_file(files, name, data)
        done = run(library, "import-notes", os.fsencode(path))
        assert done.returncode in (0, 1) and b"reader: notes: " in done.stderr, done.stderr
        good_notes += [f"goodnote{number}x{n}" for n in chosen]
    for number, data in enumerate(broken_notes_files(rng)):
        path = write_file(files, b"broken-%d-\xff\x1b]0;t\x07.json" % number, data)
        done = run(library, "import-notes", os.fsencode(path))
        assert done.returncode == 1 and done.stderr.count(b"\n") == 1, (data[:40], done.stderr)
    # A quote left open at the end, over csv's 128 KB field limit: read as it is.
    path = write_file(files, b"open.csv", b'Highlight\n"' + b"x" * 300_000)
    assert run(library, "import-notes", str(path)).returncode == 0
    assert run(library, "import-notes", str(files / "no-such-file")).returncode == 2

    shown = run(library, "notes", "--json")
    kept = " ".join(json.loads(line).get("note") or "" for line in shown.stdout.splitlines())
    assert not [note for note in good_notes if note not in kept]
    for args in (["notes"], ["notes", "goodnote1x*"], ["notes", "state:orphan"], ["doctor"]):
        run(library, *args)
    for fmt in ("md", "csv", "jsonl"):
        run(library, "export", "--format", fmt)
    # What was stored goes out and back in: nothing new, nothing malformed.
    exported = tmp_path / "exported.json"
    assert run(library, "export", "--format", "w3c", "-o", str(exported)).returncode == 0
    done = run(library, "import-notes", str(exported))
    assert done.returncode == 0, done.stderr
    assert b" imported" not in done.stderr.splitlines()[-1], done.stderr


# --- what the fuzz test found: each its own test ---------------------------------------------

TEXT = "Harbour news\n\nThe harbour board met on Tuesday. The mayor spoke about the ferry.\n"


def one_article(tmp_path: Path) -> tuple[Path, str]:
    """A library with one article (its text TEXT); its id."""
    library = tmp_path / "library"
    path = tmp_path / "harbour.txt"
    path.write_text(TEXT)
    assert run(library, "add", str(path)).returncode == 0
    (record,) = [json.loads(line) for line in run(library, "list", "--json").stdout.splitlines()]
    return library, record["id"]


def test_a_named_pipe_in_a_folder_is_skipped_and_a_device_read_to_the_limit(
    tmp_path: Path,
) -> None:
    """A FIFO in a folder made ``reader add`` wait forever for a writer; a device
    (/dev/zero) has no size, so the --max-mb check passed and it was read forever."""
    folder = tmp_path / "folder"
    folder.mkdir()
    os.mkfifo(folder / "a-pipe.txt")
    (folder / "b-good.txt").write_text(TEXT)
    done = run(tmp_path / "library", "add", "--max-mb", "0.01", str(folder), "/dev/zero")
    assert done.returncode == 1  # /dev/zero failed
    assert b"/dev/zero: over the 10,485-byte limit" in done.stderr, done.stderr
    assert "Harbour news" in listed_titles(tmp_path / "library")


def test_deeply_nested_front_matter_is_refused(tmp_path: Path) -> None:
    """``[[[…]]]`` 1,000 deep (2 KB) took yaml 5 s (its scanner's time grows with
    the cube of the depth); 64 KB of it, minutes. Refused, as aliases are."""
    (tmp_path / "deep.md").write_text("---\ntitle: " + "[" * 1000 + "]" * 1000 + "\n---\nText.\n")
    (tmp_path / "flat.md").write_text("---\ntitle: Flat\ntags: [[a, b], {c: d}]\n---\nText.\n")
    done = run(tmp_path / "library", "add", str(tmp_path / "deep.md"), str(tmp_path / "flat.md"))
    assert done.returncode == 1
    assert b"deep.md: front matter is not valid YAML (lists or mappings nested" in done.stderr
    assert listed_titles(tmp_path / "library") == {"Flat"}


def test_max_mb_that_is_no_size_is_a_usage_error(tmp_path: Path) -> None:
    """``--max-mb nan`` (or inf, 1e999, 1e303) ended in a traceback."""
    (tmp_path / "a.txt").write_text(TEXT)
    for value in ("nan", "inf", "1e999", "1e303"):
        done = run(tmp_path / "library", "add", "--max-mb", value, str(tmp_path / "a.txt"))
        assert done.returncode == 2 and b"'--max-mb'" in done.stderr, done.stderr


def test_a_query_not_in_utf8_is_no_traceback(tmp_path: Path) -> None:
    """``tag:``, ``source:``… with bytes that are not UTF-8 (a Latin-1 shell) gave a
    lone surrogate to SQLite: a traceback in list, notes and export."""
    library, _ = one_article(tmp_path)
    for args in (["list", b"tag:caf\xe9"], ["notes", b"source:\xff"], ["export", "--tag", b"\xff"]):
        result = run(library, *args)
        # Nothing matches (exit code 1 for list and notes), said in at most one line.
        assert result.returncode in (0, 1), result.stderr
        assert b"Traceback" not in result.stderr and result.stderr.count(b"\n") <= 1
    assert run(library, "list", b"harbour \xff").stdout.count(b"\n") == 1


def test_a_feed_entry_with_controls_or_cut_short_loses_only_itself(tmp_path: Path) -> None:
    """A control character next to a <noscript> (lxml refuses it when the element
    is dropped), or an entry cut short (no summary: None), failed the whole feed."""
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        "<entry><title>Kept entry</title><content>The council met.</content></entry>"
        '<entry><title>Escaped entry</title><content type="html">a&lt;noscript&gt;x'
        "&lt;/noscript&gt;\x1b]0;pwned\x07 tail</content></entry>"
        "<entry><title>cut</titl><content>x</content></entry></feed>"
    )
    (tmp_path / "feed.xml").write_text(feed)
    done = run(tmp_path / "library", "add", str(tmp_path / "feed.xml"))
    assert done.returncode == 0, done.stderr
    assert {"Kept entry", "Escaped entry"} <= listed_titles(tmp_path / "library")


def test_a_file_name_with_a_line_break_gives_one_line(tmp_path: Path) -> None:
    """Errors quote file names, which may hold a line break: a line of their own
    on stderr (``reader: imported: 0 failed`` forged by a name)."""
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "bad\nreader: imported: 9 added.md").write_text("---\nx: *a\n---\nText.\n")
    done = run(tmp_path / "library", "add", str(folder))
    assert done.returncode == 1
    assert done.stderr.count(b"\n") == 2, done.stderr  # the error, and the summary
    assert b"bad\\nreader: imported: 9 added.md: front matter" in done.stderr


def test_a_short_article_with_escapes_in_a_folder_is_imported(tmp_path: Path) -> None:
    """A folder's member is imported when it reads as prose; the ``;`` and ``[``
    of its escape sequences (removed on import) counted as code, and a short
    article with a window title and a colour in it was skipped as no article."""
    folder = tmp_path / "folder"
    folder.mkdir()
    text = "\x1b]0;pwned\x07Storm warning\n\nThe \x1b[31mriver\x1b[0m rose overnight."
    (folder / "storm.txt").write_text(text)
    assert run(tmp_path / "library", "add", str(folder)).returncode == 0
    assert listed_titles(tmp_path / "library") == {"Storm warning"}


def annotation(article: str, exact: object, **selector: object) -> dict:
    return {
        "type": "Annotation",
        "body": [{"purpose": "commenting", "value": f"note on {exact!s:.20}"}],
        "target": {
            "reader:article": article,
            "reader:textSha256": selector.pop("sha", ""),
            "selector": [
                {"type": "TextQuoteSelector", "exact": exact},
                {"type": "TextPositionSelector", **selector},
            ],
        },
    }


def test_import_notes_with_odd_offsets_hashes_and_quotes_keeps_the_good_notes(
    tmp_path: Path,
) -> None:
    """Offsets past 64 bits made the article's store unwritable (a traceback, and
    every note of the file for that article lost); a textSha256 too long for a
    file name, or a path, did the same; a quote of controls alone was stored
    empty (and its export could not be imported back)."""
    library, article = one_article(tmp_path)
    huge = "9" * 300
    body = TEXT.partition("\n\n")[2]
    mayor, ferry = body.index("mayor"), body.index("ferry")
    records = [
        annotation(article, "harbour board", start="@@", end="@@"),
        annotation(article, "not in the text", start="@@", end="@@"),
        annotation(article, "mayor", start=mayor, end=mayor + 5, sha="f" * 100_000),
        annotation(article, "ferry", start=ferry, end=ferry + 5, sha="../../../../etc/passwd"),
        annotation(article, "\x1b]0;pwned\x07\ud800", start=0, end=5),
    ]
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(records).replace('"@@"', huge))
    done = run(library, "import-notes", str(path))
    assert done.returncode == 1, done.stderr  # the quote of controls: malformed
    assert b"annotation 5 of notes.json is malformed" in done.stderr
    summary = done.stderr.splitlines()[-1]
    assert summary.startswith(b"reader: notes: 4 imported, 1 orphan"), done.stderr
    assert summary.endswith(b", 1 malformed"), done.stderr
    notes = [json.loads(line) for line in run(library, "notes", "--json").stdout.splitlines()]
    assert sorted(n["exact"] for n in notes) == [
        "ferry",
        "harbour board",
        "mayor",
        "not in the text",
    ]
    exported = tmp_path / "exported.json"
    assert run(library, "export", "--format", "w3c", "-o", str(exported)).returncode == 0
    done = run(library, "import-notes", str(exported))
    assert done.returncode == 0 and b"reader: notes: 4 duplicate\n" in done.stderr, done.stderr


def test_import_notes_refuses_corrections_it_could_not_apply(tmp_path: Path) -> None:
    """A correction of an unknown kind, or with a list for its text, was counted
    as imported, stored, and never applied (the store skips such records)."""
    library, _ = one_article(tmp_path)
    correction = {
        "type": "Annotation",
        "motivation": "classifying",
        "body": [{"purpose": "classifying", "value": "ORG"}],
        "target": {"source": "urn:reader:library", "selector": [{"type": "TextQuoteSelector"}]},
    }
    records = []
    for action, exact in (("\x1b[31m", "Harbour"), ("label", ["Harbour"]), ("label", "Harbour")):
        record = json.loads(json.dumps(correction))
        record["reader:correction"] = action
        record["target"]["selector"][0]["exact"] = exact
        records.append(record)
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(records))
    done = run(library, "import-notes", str(path))
    assert b"reader: notes: 1 rules, 2 malformed\n" in done.stderr, done.stderr
    rules = json.loads((library / "annotations" / "_rules.json").read_text())["corrections"]
    assert [(r["action"], r["text"]) for r in rules.values()] == [("label", "Harbour")]


def test_the_output_check_sees_every_control() -> None:
    assert controls_in(b"plain, caf\xc3\xa9 \xe2\x80\xa6 \t\r\n") == []
    for bad in (b"\x1b", b"\x07", b"\xc2\x9b", b"\xc2\x85", b"\x7f", b"\x00", b"\x9b", b"\xff"):
        assert controls_in(b"a" + bad + b"b"), bad
