"""fetch() against a real HTTP server on 127.0.0.1, started and stopped per module.

Every handler is bounded in time (sleeps end early when the fixture stops the
server), and nothing here talks to any address but the loopback one.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import gzip
import json
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from local_server import serving

from reader import __version__
from reader.core.importers import MAX_BYTES, ImportFailed
from reader.core.importers.fetch import MAX_REDIRECTS, Fetched, fetch, is_url

HTML = "<html><head><title>Café</title></head><body><p>Grüße</p></body></html>".encode()
BIG = b"x" * 5000
STOP = threading.Event()  # set by the fixture: sleeping handlers give up


def _pause(seconds: float) -> bool:
    """Sleep unless the server is stopping; False when it is."""
    return not STOP.wait(seconds)


@functools.cache
def _bomb() -> bytes:
    """10 MB of zeros, gzipped to about 10 kB."""
    return gzip.compress(bytes(10_000_000))


class Handler(BaseHTTPRequestHandler):
    timeout = 5  # a client that never sends its request cannot hold a thread

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def _send(
        self,
        body: bytes,
        content_type: str | None = "text/html; charset=utf-8",
        length: bool = True,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(200)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str, code: int = 302) -> None:
        self.send_response(code)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):  # noqa: C901 - one route table
        path = self.path
        if path.startswith("http://"):  # asked of this server as a proxy
            path = "/" + path.split("/", 3)[3]
        try:
            if path == "/page":
                self._send(HTML)
            elif path == "/redirect":
                self._redirect("/page")
            elif path.startswith("/hops/"):
                left = int(path.removeprefix("/hops/"))
                self._redirect(f"/hops/{left - 1}" if left else "/page", code=301)
            elif path == "/redirect-echo":
                self._redirect("/echo-headers")
            elif path == "/loop":
                self._redirect("/loop")
            elif path == "/redirect-ftp":
                self._redirect("ftp://127.0.0.1/file.html")
            elif path == "/redirect-file":
                self._redirect("file:///etc/passwd")
            elif path == "/missing":
                self.send_error(404)
            elif path == "/broken":
                self.send_error(500)
            elif path == "/slow":
                if _pause(2.0):
                    self._send(HTML)
            elif path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                for _ in range(20):  # 4 s at most
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    if not _pause(0.2):
                        break
            elif path == "/trickle-headers":
                self.wfile.write(b"HTTP/1.0 200 OK\r\n")
                for _ in range(20):  # 4 s at most, without ever ending the headers
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    if not _pause(0.2):
                        break
            elif path == "/trickle-404":  # a 404 whose one header takes 4 s to arrive
                self.wfile.write(b"HTTP/1.0 404 Not Found\r\nX-Slow: ")
                for _ in range(20):
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    if not _pause(0.2):
                        return
                self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
            elif path == "/big":
                self._send(BIG, "text/plain")
            elif path == "/big-no-length":
                self._send(BIG, "text/plain", length=False)
            elif path == "/big-chunked":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for start in range(0, len(BIG), 500):
                    piece = BIG[start : start + 500]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            elif path == "/chunked":
                self.wfile.write(
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
                )
                for start in range(0, len(HTML), 10):
                    piece = HTML[start : start + 10]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            elif path == "/gzip":
                accepted = self.headers.get("Accept-Encoding", "")
                if "gzip" in accepted:
                    self._send(gzip.compress(HTML), headers={"Content-Encoding": "gzip"})
                else:
                    self.send_error(406)
            elif path == "/gzip-bomb":
                self._send(gzip.compress(BIG), "text/plain", headers={"Content-Encoding": "gzip"})
            elif path == "/gzip-bomb-large":
                self._send(_bomb(), "text/plain", headers={"Content-Encoding": "gzip"})
            elif path == "/gzip-trailing-junk":  # junk after the gzip data, ignored as browsers do
                junk = gzip.compress(HTML) + bytes(5000)
                self._send(junk, length=False, headers={"Content-Encoding": "gzip"})
            elif path == "/huge-length":  # promises a terabyte, then sends nothing for 2 s
                self.send_response(200)
                self.send_header("Content-Length", str(10**12))
                self.end_headers()
                self.wfile.flush()
                _pause(2.0)
            elif path == "/set-cookie":
                self.send_response(302)
                self.send_header("Set-Cookie", "session=abc123; Path=/")
                self.send_header("Location", "/echo-headers")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "/to-loopback":
                self._redirect(f"http://127.0.0.1:{self.server.server_address[1]}/page")
            elif path == "/to-named":  # to a host name that the test resolves
                port = self.server.server_address[1]
                self._redirect(f"http://named.test:{port}/page")
            elif path == "/gzip-bad":
                self._send(b"this is not gzip", "text/plain", headers={"Content-Encoding": "gzip"})
            elif path == "/brotli":
                self._send(b"\x00\x01", "text/plain", headers={"Content-Encoding": "br"})
            elif path == "/truncated":
                self.send_response(200)
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.write(b"only ten..")
            elif path == "/no-type":
                self._send(b"plain bytes", content_type=None)
            elif path == "/latin1":
                self._send(b"caf\xe9", 'text/HTML; Charset="ISO-8859-1"')
            elif path == "/garbage":
                self.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")
            elif path == "/echo-headers":
                self._send(json.dumps(dict(self.headers)).encode(), "application/json")
            elif path.startswith("/echo-path/"):
                self._send(path.encode("ascii"), "text/plain")
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as the timeout tests mean it to


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    STOP.clear()
    with serving(Handler) as server:
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            STOP.set()  # (before the shutdown: handlers waiting on it end)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours *_proxy variables; these tests talk to 127.0.0.1 directly."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


def failure(url: str, **kwargs) -> str:
    """fetch(url) must fail; its one-line message, checked to start with the URL."""
    with pytest.raises(ImportFailed) as caught:
        fetch(url, **kwargs)
    message = str(caught.value)
    assert message.startswith(f"{url}: "), message
    assert len(message.splitlines()) == 1 and "\n" not in message and "\r" not in message
    return message


# --- successes -----------------------------------------------------------------------------


def test_page(base):
    url = f"{base}/page"
    fetched = fetch(url, timeout=1)
    assert fetched == Fetched(
        url=url, final_url=url, content_type="text/html", charset="utf-8", body=HTML
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        fetched.body = b""  # type: ignore[misc]


def test_redirect_gives_final_url(base):
    fetched = fetch(f"{base}/redirect", timeout=1)
    assert fetched.url == f"{base}/redirect"
    assert fetched.final_url == f"{base}/page"
    assert (fetched.content_type, fetched.charset, fetched.body) == ("text/html", "utf-8", HTML)


def test_up_to_ten_redirects_are_followed(base):
    assert MAX_REDIRECTS == 10
    fetched = fetch(f"{base}/hops/{MAX_REDIRECTS - 1}", timeout=1)  # 10 redirects in all
    assert fetched.final_url == f"{base}/page"
    assert fetched.body == HTML


def test_more_than_ten_redirects_fail(base):
    message = failure(f"{base}/hops/{MAX_REDIRECTS}", timeout=1)
    assert message.endswith("more than 10 redirects")


def test_redirect_loop_fails(base):
    assert failure(f"{base}/loop", timeout=1).endswith("more than 10 redirects")


def test_chunked_page(base):
    fetched = fetch(f"{base}/chunked", timeout=1)
    assert (fetched.content_type, fetched.charset, fetched.body) == ("text/html", "utf-8", HTML)


def test_gzip_is_asked_for_and_decompressed(base):
    fetched = fetch(f"{base}/gzip", timeout=1)
    assert fetched.body == HTML
    assert (fetched.content_type, fetched.charset) == ("text/html", "utf-8")


def test_no_content_type(base):
    fetched = fetch(f"{base}/no-type", timeout=1)
    assert (fetched.content_type, fetched.charset, fetched.body) == ("", None, b"plain bytes")


def test_content_type_is_lower_case_and_charset_unquoted(base):
    fetched = fetch(f"{base}/latin1", timeout=1)
    assert (fetched.content_type, fetched.charset) == ("text/html", "iso-8859-1")


def test_default_request_headers(base):
    headers = json.loads(fetch(f"{base}/echo-headers", timeout=1).body)
    assert headers["User-Agent"] == f"reader/{__version__} (+offline news reader)"
    assert headers["Accept-Encoding"] == "gzip"
    custom = json.loads(fetch(f"{base}/echo-headers", timeout=1, user_agent="test/1").body)
    assert custom["User-Agent"] == "test/1"


def test_spaces_and_non_ascii_in_the_path_are_percent_encoded(base):
    fetched = fetch(f"{base}/echo-path/ä b?q=é#fragment", timeout=1)
    assert fetched.body == b"/echo-path/%C3%A4%20b?q=%C3%A9"


def test_credentials_in_the_url_become_basic_auth_for_that_request_only(base):
    authorised = base.replace("http://", "http://reader:p%40ss@")
    headers = json.loads(fetch(f"{authorised}/echo-headers", timeout=1).body)
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"reader:p@ss").decode()
    redirected = fetch(f"{authorised}/redirect-echo", timeout=1)
    assert "Authorization" not in json.loads(redirected.body)


def test_international_host_name_is_sent_in_idna_form(base, monkeypatch):
    real = socket.getaddrinfo
    asked = []

    def loopback(host, *args, **kwargs):  # resolves every name to 127.0.0.1
        asked.append(host)
        return real("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback)
    port = base.rsplit(":", 1)[1]
    headers = json.loads(fetch(f"http://bücher.test:{port}/echo-headers", timeout=1).body)
    assert headers["Host"] == f"xn--bcher-kva.test:{port}"
    assert asked == ["xn--bcher-kva.test"]


def test_scheme_is_case_insensitive(base):
    url = base.replace("http://", "HTTP://") + "/page"
    assert fetch(url, timeout=1).body == HTML


# --- HTTP errors and refused redirects -----------------------------------------------------


def test_404(base):
    assert failure(f"{base}/missing", timeout=1) == f"{base}/missing: HTTP 404 Not Found"


def test_500(base):
    assert failure(f"{base}/broken", timeout=1).endswith(": HTTP 500 Internal Server Error")


@pytest.mark.parametrize(
    ("path", "target"),
    [("/redirect-ftp", "ftp://127.0.0.1/file.html"), ("/redirect-file", "file:///etc/passwd")],
)
def test_redirect_to_other_schemes_is_refused(base, path, target):
    message = failure(f"{base}{path}", timeout=1)
    assert f"redirect to {target} refused" in message


def test_not_http_at_all(base):
    assert "bad HTTP response" in failure(f"{base}/garbage", timeout=1)


def test_tls_failure_cannot_connect(base):
    # https to a server that speaks plain HTTP: the TLS handshake fails.
    message = failure(base.replace("http://", "https://") + "/page", timeout=1)
    assert ": cannot connect (" in message and message.endswith(")")


def test_cookies_set_along_redirects_are_sent_along_them(base):
    fetched = fetch(f"{base}/set-cookie", timeout=1)
    assert fetched.final_url == f"{base}/echo-headers"
    assert json.loads(fetched.body)["Cookie"] == "session=abc123"


def test_a_redirects_host_name_is_resolved_once(base, monkeypatch):
    # Checked, then connected to: the address checked is the one connected to,
    # with no second look-up that could answer otherwise.
    real = socket.getaddrinfo
    asked = []

    def resolve(host, *args, **kwargs):
        asked.append(host)
        return real("127.0.0.1" if host == "named.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    port = base.rsplit(":", 1)[1]
    fetched = fetch(f"{base}/to-named", timeout=1)
    assert (fetched.final_url, fetched.body) == (f"http://named.test:{port}/page", HTML)
    assert asked.count("named.test") == 1


def test_a_redirect_is_judged_by_the_address_connected_to(base, monkeypatch):
    # named.test is on the loopback when connected to, and (looked up again)
    # elsewhere after: the loopback page may redirect within the loopback.
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])

    def resolve(host, *args, **kwargs):
        if host == "named.test":
            host = next(answers, "192.0.2.1")  # TEST-NET-1: documentation only
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    port = base.rsplit(":", 1)[1]
    fetched = fetch(f"http://named.test:{port}/to-loopback", timeout=1)
    assert (fetched.final_url, fetched.body) == (f"{base}/page", HTML)


def test_through_a_proxy_with_credentials(base, monkeypatch):
    # The proxy's credentials go to the proxy; the host name is the proxy's to resolve.
    monkeypatch.setenv("http_proxy", base.replace("http://", "http://bob:pw%21@"))
    real = socket.getaddrinfo
    asked = []

    def resolve(host, *args, **kwargs):
        asked.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    fetched = fetch("http://proxied.test/echo-headers", timeout=1)
    headers = {name.lower(): value for name, value in json.loads(fetched.body).items()}
    assert headers["proxy-authorization"] == "Basic " + base64.b64encode(b"bob:pw!").decode()
    assert headers["host"] == "proxied.test"
    assert "proxied.test" not in asked


# --- time limits ---------------------------------------------------------------------------


# The message is the proof: each server below answers in full if waited for
# (after 2 s, or a byte every 0.2 s for 4 s), so a fetch that said it timed out
# after its limit was stopped by that limit, whatever the machine's speed.


def test_slow_headers_time_out(base):
    message = failure(f"{base}/slow", timeout=0.5)
    assert message.endswith(": timed out after 0.5 s")


def test_trickling_body_times_out_overall(base):
    # Each byte arrives well within the per-read timeout; the overall one must stop it.
    message = failure(f"{base}/trickle", timeout=1)
    assert message.endswith(": timed out after 1 s")


def test_trickling_headers_time_out_overall(base):
    message = failure(f"{base}/trickle-headers", timeout=0.6)
    assert message.endswith(": timed out after 0.6 s")


def test_trickling_headers_are_stopped_when_the_time_is_up(base):
    # Waited for, this server's 404 arrives whole after 4 s, and would be reported
    # as such: the timeout must stop it while its headers are still arriving.
    message = failure(f"{base}/trickle-404", timeout=0.6)
    assert message.endswith(": timed out after 0.6 s")


def test_too_long_a_content_length_is_refused_before_reading(base):
    # The server sends no body for 2 s: reading any of it would have timed out.
    message = failure(f"{base}/huge-length", timeout=1, max_bytes=1000)
    assert message.endswith(": response is over the 1,000-byte limit")


# --- size limits ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/big", "/big-no-length", "/big-chunked", "/gzip-bomb"])
def test_oversized_body(base, path):
    message = failure(f"{base}{path}", timeout=1, max_bytes=1000)
    assert message.endswith(": response is over the 1,000-byte limit")


@pytest.mark.parametrize("path", ["/big", "/big-no-length", "/big-chunked", "/gzip-bomb"])
def test_body_at_the_limit_is_fine(base, path):
    assert fetch(f"{base}{path}", timeout=1, max_bytes=len(BIG)).body == BIG


def test_gzip_bomb_is_stopped_at_the_limit(base):
    message = failure(f"{base}/gzip-bomb-large", timeout=5, max_bytes=100_000)
    assert message.endswith(": response is over the 100,000-byte limit")


def test_the_limit_counts_the_bytes_received_too(base):
    # The body decompresses to little, but more than the limit arrives.
    url = f"{base}/gzip-trailing-junk"
    assert fetch(url, timeout=1, max_bytes=len(HTML) + 10_000).body == HTML
    assert failure(url, timeout=1, max_bytes=len(HTML) + 1000).endswith("-byte limit")


def test_default_limit_is_the_importers():
    assert fetch.__kwdefaults__["max_bytes"] == MAX_BYTES


# --- broken bodies -------------------------------------------------------------------------


def test_truncated_body(base):
    message = failure(f"{base}/truncated", timeout=1)
    assert message.endswith("connection closed before the whole response arrived")


def test_bad_gzip(base):
    assert "not valid gzip data" in failure(f"{base}/gzip-bad", timeout=1)


def test_unsupported_encoding(base):
    assert failure(f"{base}/brotli", timeout=1).endswith("unsupported Content-Encoding 'br'")


# --- connection problems and bad URLs ------------------------------------------------------


def test_closed_port_cannot_connect():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = failure(f"http://127.0.0.1:{port}/", timeout=1)
    assert ": cannot connect (" in message and message.endswith(")")


def test_name_resolution_failure_cannot_connect(monkeypatch):
    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    message = failure("http://no-such-host.invalid/news", timeout=1)
    assert message.endswith(": cannot connect (Name or service not known)")


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/file", "file:///etc/passwd", "127.0.0.1/page", "mailto:a@b.c", ""]
)
def test_other_schemes_are_refused(url):
    with pytest.raises(ImportFailed) as caught:
        fetch(url, timeout=1)
    assert str(caught.value) == f"{url}: only http and https URLs can be fetched"


@pytest.mark.parametrize(
    "url", ["http://[::1/page", "http://127.0.0.1:99999/", "http://127.0.0.1:port/", "http:///x"]
)
def test_malformed_urls(url):
    assert ": malformed URL (" in failure(url, timeout=1)


def test_message_stays_on_one_line_for_a_url_with_control_characters():
    with pytest.raises(ImportFailed) as caught:
        fetch("gopher://x/\x85a\u2028b", timeout=1)
    assert len(str(caught.value).splitlines()) == 1


def test_bad_arguments():
    with pytest.raises(ValueError):
        fetch("http://127.0.0.1/", timeout=0)
    with pytest.raises(ValueError):
        fetch("http://127.0.0.1/", max_bytes=-1)


# --- is_url --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://example.com", True),
        ("https://example.com/a?b=c#d", True),
        ("HTTPS://Example.COM/", True),
        ("http://127.0.0.1:8080/x", True),
        ("http://[::1]/", True),
        ("  https://example.com/  ", True),
        ("ftp://example.com/", False),
        ("file:///etc/passwd", False),
        ("example.com", False),
        ("/tmp/article.txt", False),
        ("http://", False),
        ("http:///path", False),
        ("https://[::1/", False),
        ("", False),
    ],
)
def test_is_url(value, expected):
    assert is_url(value) is expected
