"""Untrusted sources (issue 10, finding 13): credentials in a URL, redirects that
lead inwards, and temporary files left by a write that failed.

Everything runs for real: ``reader add`` in a subprocess against an HTTP server
on 127.0.0.1 (which also serves as an HTTP proxy, to stand for a page on the
internet), and writes that fail because a subprocess lowered its
``RLIMIT_FSIZE``, so that the kernel refuses them (``EFBIG``) as it refuses a
full disk's (``ENOSPC``).

No test here reaches any address but the loopback one: while a test guards the
network, an audit hook (Python's own instrumentation of ``socket.connect``)
records every connection reader attempts and stops any to another address
before it is made, so that "refused before connecting" is something seen, and
an allowed redirect to a public address is seen being attempted.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

import pytest
from local_server import serving
from test_cli_add import run

from reader.core.importers import ImportFailed
from reader.core.importers.addresses import address_kind, redirect_refusal
from reader.core.importers.cleaning import without_credentials
from reader.core.importers.fetch import fetch

USER, PASSWORD = "alice", "s3cret-pw"
WORDS = (
    "The harbour council voted on Tuesday to rebuild the flooded sea wall before "
    "the winter storms, after residents filled the town hall to ask for it. "
)
PAGE = (
    "<!doctype html><html><head><title>Sea Wall Vote</title>"
    '<meta name="author" content="Ines Marlow"></head><body><article>'
    f"<h1>Sea Wall Vote</h1><p>{WORDS * 3}</p><p>{WORDS * 2}</p></article></body></html>"
).encode()
served: list[str] = []  # every request line's target the server saw, in order


def feed(port: int) -> bytes:
    """An RSS feed whose entries link to URLs with credentials in them."""
    items = "".join(
        f"<item><title>Story {n}</title>"
        f"<link>https://{USER}:{PASSWORD}@news.example/story-{n}</link>"
        f"<description>{WORDS} Story {n}.</description></item>"
        for n in (1, 2)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour</title>'
        f"<link>http://127.0.0.1:{port}/</link>{items}</channel></rss>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    timeout = 5

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def _send(self, body: bytes, content_type: str, code: int = 200) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        served.append(self.path)
        # A request for an absolute URL is one made to this server as a proxy.
        path = urlsplit(self.path).path if self.path.startswith("http://") else self.path
        port = self.server.server_address[1]
        if path == "/page":
            self._send(PAGE, "text/html; charset=utf-8")
        elif path == "/private":  # Basic authentication, as a paywalled site asks
            wanted = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            if self.headers.get("Authorization") == f"Basic {wanted}":
                self._send(PAGE, "text/html; charset=utf-8")
            else:
                self._send(b"who are you?", "text/plain", code=401)
        elif path == "/feed":
            self._send(feed(port), "application/rss+xml")
        elif path == "/echo-headers":
            self._send(json.dumps(dict(self.headers)).encode(), "application/json")
        elif path == "/to-credentials":  # the server's credentials, not the user's
            self.send_response(302)
            self.send_header("Location", f"http://mallory:hunter2@127.0.0.1:{port}/echo-headers")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/to-ftp-credentials":
            self.send_response(302)
            self.send_header("Location", f"ftp://mallory:hunter2@127.0.0.1:{port}/file")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path.startswith("/to/"):  # a redirect to wherever the path says
            self.send_response(302)
            self.send_header("Location", unquote(path.removeprefix("/to/")))
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(b"not here", "text/plain", code=404)


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadingHTTPServer]:
    with serving(Handler) as httpd:
        yield httpd


@pytest.fixture
def base(server: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """The server's URL; no proxy (urllib honours *_proxy) unless a test sets one."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    served.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


def to(base: str, location: str) -> str:
    """A URL of the server that redirects to ``location``."""
    return f"{base}/to/{quote(location, safe='')}"


# --- the network guard -----------------------------------------------------------------------

_ATTEMPTS: list[tuple[str, int]] | None = None  # connections attempted, while guarding
_LOCAL = ("127.0.0.1", "::1", "0.0.0.0")  # 0.0.0.0 reaches this machine


def _guard(event: str, args: tuple) -> None:
    if event != "socket.connect" or _ATTEMPTS is None:
        return
    address = args[1]
    if isinstance(address, tuple):
        _ATTEMPTS.append((address[0], address[1]))
        if address[0] not in _LOCAL:
            raise ConnectionRefusedError("stopped by the test's network guard")


sys.addaudithook(_guard)  # inert but while a test guards (audit hooks cannot be removed)


@pytest.fixture
def attempts() -> Iterator[list[tuple[str, int]]]:
    """The connections reader attempts during the test; any off this machine is stopped."""
    global _ATTEMPTS
    _ATTEMPTS = []
    try:
        yield _ATTEMPTS
    finally:
        _ATTEMPTS = None


def refused(url: str) -> str:
    """fetch(url) must fail; its one-line message."""
    with pytest.raises(ImportFailed) as caught:
        fetch(url, timeout=2)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- 1. credentials in a URL -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://alice:s3cret@example.com/page", "https://example.com/page"),
        ("https://alice@example.com/", "https://example.com/"),
        ("HTTP://a:b@Example.com:8080/a@b?c=d@e#f@g", "HTTP://Example.com:8080/a@b?c=d@e#f@g"),
        ("https://a%40b:p%3Aw@example.com", "https://example.com"),
        ("https://a:b@c@example.com/x", "https://example.com/x"),  # the last @ ends it
        ("ftp://anonymous:me@ftp.example/file", "ftp://ftp.example/file"),
        ("https://example.com/@alice/post?by=a:b@c", "https://example.com/@alice/post?by=a:b@c"),
        ("/home/alice@laptop/notes.txt", "/home/alice@laptop/notes.txt"),
        ("mailto:alice@example.com", "mailto:alice@example.com"),
        ("", ""),
    ],
)
def test_without_credentials_drops_user_information_only(url, kept):
    assert without_credentials(url) == kept


def test_credentials_are_sent_but_never_kept_shown_listed_or_exported(tmp_path, base):
    port = base.rsplit(":", 1)[1]
    secret_url = f"http://{USER}:{PASSWORD}@127.0.0.1:{port}"
    markdown = tmp_path / "story.md"
    markdown.write_text(
        f"---\ntitle: Pier Reopens\nurl: https://{USER}:{PASSWORD}@news.example/pier\n---\n\n"
        f"{WORDS * 2}\n",
        encoding="utf-8",
    )
    added = run(
        tmp_path,
        "add",
        f"{secret_url}/private",  # fetched only with the credentials
        f"{base}/feed",  # entries whose <link>s have credentials
        f"{base}/to-credentials",  # a Location with credentials of its own
        f"{secret_url}/missing",
        str(markdown),
    )
    assert added.returncode == 1, added.stderr  # /missing failed, the rest were added
    assert f"reader: {base}/missing: HTTP 404 Not Found" in added.stderr.splitlines()
    assert len(added.stdout.splitlines()) == 5  # the page, two stories, the headers, Markdown
    listed = run(tmp_path, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    sources = sorted(json.loads(line)["source"] for line in listed.stdout.splitlines())
    assert sources == sorted(
        [
            f"{base}/private",
            "https://news.example/story-1",
            "https://news.example/story-2",
            f"{base}/to-credentials",
            "https://news.example/pier",
        ]
    )
    # The redirect's credentials were not sent on: the echoed headers have none.
    headers_id = next(
        json.loads(line)["id"] for line in listed.stdout.splitlines() if "to-credentials" in line
    )
    echoed = (tmp_path / "lib" / "articles" / f"{headers_id}.txt").read_text(encoding="utf-8")
    assert "Host" in echoed and "Authorization" not in echoed
    # Notes on every article, and every export of them.
    outputs = [added, listed]
    for line in listed.stdout.splitlines():
        article = json.loads(line)
        text = (tmp_path / "lib" / "articles" / f"{article['id']}.txt").read_text("utf-8")
        note = run(tmp_path, "annotate", article["id"], "--quote", text.split()[0], "--note", "n")
        assert note.returncode == 0, note.stderr
        outputs.append(note)
    for form, output in [
        ("md", "exports/md/"),
        ("w3c", "exports/notes.json"),
        ("csv", "exports/notes.csv"),
        ("jsonl", "exports/notes.jsonl"),
        ("brat", "exports/brat/"),
        ("html", "exports/html/"),
    ]:
        exported = run(tmp_path, "export", "--format", form, "-o", output)
        assert exported.returncode == 0, exported.stderr
        outputs.append(exported)
    outputs += [run(tmp_path, "notes"), run(tmp_path, "doctor"), run(tmp_path, "list")]
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != markdown]
    assert any("exports" in p.parts for p in files) and any(".index" in p.parts for p in files)
    secrets = (USER, PASSWORD, "mallory", "hunter2")
    for path in files:
        data = path.read_bytes()
        assert not [s for s in secrets if s.encode() in data], path
    for done in outputs:
        for stream in (done.stdout, done.stderr):
            assert not [s for s in secrets if s in stream], stream


def test_a_redirect_drops_the_credentials_of_its_location(base):
    port = base.rsplit(":", 1)[1]
    fetched = fetch(f"{base}/to-credentials", timeout=2)
    assert fetched.final_url == f"{base}/echo-headers"
    assert "Authorization" not in json.loads(fetched.body)
    asked = f"http://{USER}:{PASSWORD}@127.0.0.1:{port}/private"
    assert fetch(asked, timeout=2).url == f"{base}/private"
    assert refused(f"{base}/to-ftp-credentials") == (
        f"{base}/to-ftp-credentials: redirect to ftp://127.0.0.1:{port}/file refused "
        "(only http and https URLs can be fetched)"
    )
    assert refused(f"http://{USER}:{PASSWORD}@127.0.0.1:{port}/nowhere") == (
        f"{base}/nowhere: HTTP 404 Not Found"
    )


# --- 2. redirects that lead inwards ----------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "address", "kind"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "a link-local"),
        ("http://10.0.0.1/admin", "10.0.0.1", "a private"),
        ("http://192.168.1.1/", "192.168.1.1", "a private"),
        ("http://[fd00::1]/", "fd00::1", "a private"),
        ("http://[fe80::1]/", "fe80::1", "a link-local"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254", "a link-local"),
        ("http://224.0.0.1/", "224.0.0.1", "a multicast"),
        ("http://0.0.0.0:{port}/page", "0.0.0.0", "the unspecified"),  # reaches this server
    ],
)
def test_a_redirect_from_loopback_to_another_kind_is_refused_before_connecting(
    base, attempts, location, address, kind
):
    port = int(base.rsplit(":", 1)[1])
    location = location.format(port=port)
    start = to(base, location)
    assert refused(start) == (
        f"{start}: redirect to {location} refused "
        f"(it leads from a loopback address to {address}, {kind} one)"
    )
    assert attempts == [("127.0.0.1", port)]  # the first request only
    assert len(served) == 1


def test_a_redirect_within_the_loopback_is_followed(base, attempts):
    port = int(base.rsplit(":", 1)[1])
    fetched = fetch(to(base, f"http://localhost:{port}/page"), timeout=2)
    assert (fetched.final_url, fetched.body) == (f"http://localhost:{port}/page", PAGE)
    assert set(attempts) <= {("127.0.0.1", port), ("::1", port)}
    assert served[-1] == "/page"


def test_a_redirect_from_loopback_to_a_public_address_is_followed(base, attempts):
    start = to(base, "http://93.184.216.34/news")
    assert refused(start) == f"{start}: cannot connect (stopped by the test's network guard)"
    assert attempts[-1] == ("93.184.216.34", 80)  # allowed: reader tried to connect


def test_a_user_may_fetch_a_private_address_themselves(base, attempts):
    port = int(base.rsplit(":", 1)[1])
    assert fetch(f"http://0.0.0.0:{port}/page", timeout=2).body == PAGE
    assert attempts == [("0.0.0.0", port)]


@pytest.mark.parametrize(
    ("location", "address", "kind"),
    [
        ("http://127.0.0.1:{port}/page", "127.0.0.1", "a loopback"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "a link-local"),
        ("http://10.1.2.3/", "10.1.2.3", "a private"),
    ],
)
def test_through_a_proxy_a_page_on_the_internet_cannot_redirect_inwards(
    base, attempts, monkeypatch, location, address, kind
):
    monkeypatch.setenv("http_proxy", base)  # this server, standing for the internet
    location = location.format(port=base.rsplit(":", 1)[1])
    start = to("http://93.184.216.34", location)
    assert refused(start) == (
        f"{start}: redirect to {location} refused "
        f"(it leads from a public address to {address}, {kind} one)"
    )
    assert served == [start]  # the proxy was asked for the page, not for the redirect


def test_through_a_proxy_a_redirect_between_public_addresses_is_followed(base, monkeypatch):
    monkeypatch.setenv("http_proxy", base)
    fetched = fetch(to("http://93.184.216.34", "http://93.184.216.35/page"), timeout=2)
    assert (fetched.final_url, fetched.body) == ("http://93.184.216.35/page", PAGE)
    assert len(served) == 2


PUBLIC = ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"]
INWARD = {
    "loopback": ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"],
    "private": ["10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "fd12:3456::1"],
    "link-local": ["169.254.169.254", "fe80::1", "fe80::1%1", "64:ff9b::a9fe:a9fe"],
    "multicast": ["224.0.0.1", "ff02::1"],
    "unspecified": ["0.0.0.0", "::"],
    "reserved": ["240.0.0.1", "255.255.255.255", "192.0.2.7"],
}


def test_address_kinds():
    assert {address_kind(a) for a in PUBLIC} == {"public"}
    for kind, addresses in INWARD.items():
        assert {address_kind(a) for a in addresses} == {kind}, kind


@pytest.mark.parametrize("came_from", [*PUBLIC, None])
def test_from_a_public_address_a_redirect_may_lead_only_to_public_ones(came_from):
    assert redirect_refusal(came_from, PUBLIC) is None
    for kind, addresses in INWARD.items():
        for address in addresses:
            assert redirect_refusal(came_from, [address]) == (
                f"it leads from a public address to {address}, "
                f"{'the' if kind == 'unspecified' else 'a'} {kind} one"
            )
            # every address the name has counts, not only the first
            assert redirect_refusal(came_from, [*PUBLIC, address]) is not None


def test_from_a_local_address_a_redirect_may_stay_in_its_kind_or_go_public():
    assert redirect_refusal("127.0.0.1", ["::1", "127.0.0.2", *PUBLIC]) is None
    assert redirect_refusal("10.0.0.5", ["192.168.1.1", "fd00::1", *PUBLIC]) is None
    assert redirect_refusal("fe80::2", ["169.254.1.1"]) is None
    assert redirect_refusal("127.0.0.1", ["169.254.169.254"]) is not None
    assert redirect_refusal("127.0.0.1", ["10.0.0.1"]) is not None
    assert redirect_refusal("10.0.0.1", ["127.0.0.1"]) is not None
    assert redirect_refusal("169.254.1.1", ["10.0.0.1"]) is not None
    assert redirect_refusal("127.0.0.1", ["0.0.0.0"]) is not None
    assert redirect_refusal("224.0.0.1", ["224.0.0.2"]) is not None


# --- 3. no temporary file left by a failed write ---------------------------------------------

# Run in a subprocess whose file size limit makes every write past LIMIT bytes
# fail with EFBIG, as a full disk fails with ENOSPC (SIGXFSZ ignored, so the
# write fails rather than the process being killed).
WRITER = textwrap.dedent(
    """
    import errno, resource, signal, sys
    from pathlib import Path
    from reader.core.durable import atomic_write, write_durably

    folder, how, size = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.RLIM_INFINITY))
    new = b"n" * size
    try:
        if how == "atomic_write":
            atomic_write(folder / "old.json", new)
        elif how == "write_durably":
            write_durably([(folder / "fresh.json", b"{}"), (folder / "old.json", new)])
        elif how == "write_durably exclusive":
            write_durably([(folder / "fresh.json", new)], exclusive={folder / "fresh.json"})
        elif how == "write_durably first":
            write_durably([(folder / "old.json", new), (folder / "fresh.json", b"{}")])
    except OSError as error:
        print(errno.errorcode[error.errno])
    else:
        print("written")
    """
)
OLD = b'{"old": "kept"}'


@pytest.mark.parametrize(
    "how", ["atomic_write", "write_durably", "write_durably exclusive", "write_durably first"]
)
@pytest.mark.parametrize("size", [5_000, 200_000])  # within a write buffer, and beyond one
def test_a_write_that_fails_for_want_of_space_leaves_no_temporary_file(tmp_path, how, size):
    (tmp_path / "old.json").write_bytes(OLD)
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(tmp_path), how, str(size)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.stdout.strip(), done.stderr) == ("EFBIG", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]  # no .tmp, no fresh.json
    assert (tmp_path / "old.json").read_bytes() == OLD


def test_a_rename_or_link_that_fails_leaves_no_temporary_file(tmp_path):
    from reader.core.durable import atomic_write, write_durably

    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "inside").write_bytes(b"x")
    (tmp_path / "taken.json").write_bytes(OLD)
    with pytest.raises(OSError):  # replace a folder that is not empty
        atomic_write(tmp_path / "folder", b"new")
    with pytest.raises(OSError):
        write_durably([(tmp_path / "a.json", b"a"), (tmp_path / "folder", b"new")])
    with pytest.raises(FileExistsError):  # never overwrite what must be new
        write_durably([(tmp_path / "taken.json", b"new")], exclusive={tmp_path / "taken.json"})
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["a.json", "folder", "taken.json"]  # written in order, up to the failure
    assert (tmp_path / "taken.json").read_bytes() == OLD


# --- helpers ---------------------------------------------------------------------------------
