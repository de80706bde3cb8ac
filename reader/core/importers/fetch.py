"""Fetching an http(s) URL for the importer, with urllib3.

:func:`fetch` downloads one URL and returns the raw body with what the
headers say about it; decoding and parsing are the importers' business. Every
network problem becomes :class:`~reader.core.importers.ImportFailed`, whose
message is one line starting with the URL.

Limits, so that no server can hang or flood us:

* ``timeout`` bounds connecting and each read, and also the whole download: a
  watchdog shuts the connection down when the time is up (this also covers a
  server that trickles its headers, which no per-read timeout stops), and the
  body loop checks the clock between chunks. Name resolution is the one step
  that cannot be bounded.
* ``max_bytes`` bounds the body as received and, for a gzip body, as
  decompressed (urllib3 decompresses no more than a chunk asks for); a
  Content-Length over the limit is refused before reading.
* At most :data:`MAX_REDIRECTS` redirects, each to http or https only, and
  none inwards (reader.core.importers.addresses): every address a redirect's
  host name resolves to is checked before connecting, and only those are connected to
  (the name is resolved once, so it cannot answer otherwise the second time).
  A URL the user gives is fetched wherever it is (a local server, say).

Credentials in a URL (``user:password@``) are sent to its host as Basic
authentication, never along redirects, and never kept or shown: messages,
:attr:`Fetched.url` and :attr:`Fetched.final_url` leave them out. Those in a
redirect's Location are the server's, not the user's: dropped, not sent.

Proxies are the environment's (``http_proxy``, ``https_proxy``, ``no_proxy``),
as for urllib. A proxy connects for us, so through one a redirect is checked
against the addresses its host name has here.
"""

from __future__ import annotations

import base64
import contextlib
import http.cookiejar
import itertools
import re
import socket
import ssl
import string
import threading
import time
import urllib.request
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPException, IncompleteRead, InvalidURL, responses
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import DecodeError
from urllib3.util.connection import create_connection

from reader import __version__
from reader.core.importers import MAX_BYTES, ImportFailed
from reader.core.importers.addresses import redirect_refusal
from reader.core.importers.cleaning import without_credentials

USER_AGENT = f"reader/{__version__} (+offline news reader)"
MAX_REDIRECTS = 10
SCHEMES = ("http", "https")

_CHUNK = 64 * 1024
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_ENCODINGS = ("", "identity", "gzip", "x-gzip")  # the ones asked for (and none)
_REDIRECTS = (301, 302, 303, 307, 308)
# Characters that would break a message over lines (str.splitlines splits on all).
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Fetched:
    """One downloaded response body."""

    url: str  # the URL asked for, without credentials
    final_url: str  # after redirects, without credentials
    content_type: str  # e.g. "text/html" (lower-case, no parameters), "" if none
    charset: str | None  # the Content-Type header's charset parameter, if any
    body: bytes


def is_url(value: str) -> bool:
    """Whether ``value`` is an http:// or https:// URL with a host."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
        return parts.scheme.lower() in SCHEMES and bool(parts.hostname)
    except ValueError:
        return False


def fetch(
    url: str,
    *,
    timeout: float = 15.0,
    max_bytes: int = MAX_BYTES,
    user_agent: str = USER_AGENT,
) -> Fetched:
    """Download ``url``; ImportFailed (one line, starting with the URL) on any problem."""
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, not {timeout!r}")
    if max_bytes < 0:
        raise ValueError(f"max_bytes must not be negative, not {max_bytes!r}")
    try:
        return _fetch(url, timeout, max_bytes, user_agent)
    except _Failure as failure:
        shown = _show_url(without_credentials(url))
        raise ImportFailed(f"{shown}: {_one_line(str(failure))}") from None


# --- internals ---------------------------------------------------------------------------


class _Failure(Exception):
    """A reason to fail, without the URL (which :func:`fetch` puts in front)."""


def _show_url(url: str) -> str:
    return _LINE_BREAKING.sub(lambda match: f"\\x{ord(match.group()):02x}", url)


def _one_line(text: str) -> str:
    return _show_url(" ".join(str(text).split()))


def _target(url: str) -> tuple[str, str | None]:
    """The URL as sent, and an Authorization header for credentials in it, if any.

    Spaces and non-ASCII in the path and query are percent-encoded, an
    internationalised host name takes its ASCII (IDNA) form, the fragment is
    dropped, and ``user:password@`` becomes Basic authentication.
    """
    try:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in SCHEMES:
            raise _Failure("only http and https URLs can be fetched")
        if not parts.hostname:
            raise _Failure("malformed URL (no host name)")
        port = parts.port  # (a bad one raises ValueError)
        host = parts.netloc.rpartition("@")[2]
        if not host.isascii():
            host = parts.hostname.encode("idna").decode("ascii")
            host = host if port is None else f"{host}:{port}"
    except ValueError as error:  # UnicodeError (IDNA) included
        raise _Failure(f"malformed URL ({_describe(error)})") from None
    authorization = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    path, query = (quote(part, safe=string.punctuation) for part in (parts.path, parts.query))
    return urlunsplit((parts.scheme.lower(), host, path or "/", query, "")), authorization


def _addresses(url: str) -> list[str]:
    """Every address the URL's host name has here, each once."""
    parts = urlsplit(url)
    infos = socket.getaddrinfo(parts.hostname, parts.port, 0, socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _proxy(url: str) -> str | None:
    """The proxy the environment has for ``url``, if any (as urllib's ProxyHandler)."""
    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(parts.netloc):
        return None
    proxy = proxy if "://" in proxy else f"http://{proxy}"
    if urlsplit(proxy).scheme.lower() not in SCHEMES:
        raise _Failure(f"cannot connect (not an http or https proxy: {without_credentials(proxy)})")
    return proxy


class _Watchdog:
    """Shuts the sockets it watches down when the time is up, waking any blocked read."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        # A duplicate, since TLS wrapping detaches the socket object from the
        # connection; shutting either down shuts down the one connection.
        with self._lock:
            self._sockets.append(sock.dup())
            if self.fired:
                _shutdown(self._sockets[-1])

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


@dataclass
class _Hop:
    """One request of a fetch: where its connection may go, and where it went."""

    url: str  # as sent (see _target)
    dog: _Watchdog
    proxy: str | None  # which connects for us, when there is one
    addresses: list[str] | None = None  # a redirect's, checked; None: wherever the name is
    peer: str | None = None  # the address connected to, when known (not through a proxy)


class _HTTPConnection(HTTPConnection):
    """A connection under its hop's watchdog, connected only to the hop's
    checked addresses when it has them, that records the address it reached."""

    def __init__(self, *args: Any, hop: _Hop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hop = hop

    def _new_conn(self) -> socket.socket:
        hop = self.hop
        sock = super()._new_conn() if hop.addresses is None else self._connect(hop.addresses)
        hop.dog.watch(sock)
        if self.proxy is None:
            with contextlib.suppress(OSError):  # not known: taken as public
                hop.peer = str(sock.getpeername()[0])
        return sock

    def _connect(self, addresses: list[str]) -> socket.socket:
        error = OSError(f"no address for {self.host}")
        for address in addresses:  # in turn, as urllib3 tries a name's addresses
            try:
                return create_connection(
                    (address, self.port), self.timeout, self.source_address, self.socket_options
                )
            except OSError as failure:
                error = failure
        raise error


class _HTTPSConnection(_HTTPConnection, HTTPSConnection):
    pass


def _open(hop: _Hop, headers: dict[str, str], timeout: float) -> urllib3.BaseHTTPResponse:
    """Send the hop's request, with fresh connections of the classes above."""
    remaining = hop.dog.remaining()
    if remaining <= 0:
        raise TimeoutError("timed out")
    if hop.proxy:
        auth = urlsplit(hop.proxy)
        user = f"{unquote(auth.username or '')}:{unquote(auth.password or '')}"
        login = urllib3.make_headers(proxy_basic_auth=user) if auth.password else None
        manager: urllib3.PoolManager = urllib3.ProxyManager(hop.proxy, proxy_headers=login)
    else:
        manager = urllib3.PoolManager()
    pool = manager.connection_from_url(hop.url)
    https = isinstance(pool, urllib3.HTTPSConnectionPool)
    pool.ConnectionCls = _HTTPSConnection if https else _HTTPConnection
    pool.conn_kw["hop"] = hop
    response = manager.urlopen(
        "GET",
        hop.url,
        headers=headers,
        redirect=False,
        retries=False,
        preload_content=False,
        timeout=urllib3.Timeout(connect=min(timeout, remaining), read=timeout),
    )
    if hop.dog.fired:  # its headers were cut short, which looks like their end
        response.close()
        raise TimeoutError("timed out")
    return response


def _redirect(hop: _Hop, location: str, redirects: int) -> _Hop:
    """The hop a redirect leads to, where it may lead (see the module's docstring)."""
    target = without_credentials(location.strip())  # the server's credentials: not sent
    try:
        joined = urljoin(hop.url, target)
        scheme = urlsplit(joined).scheme.lower()
    except ValueError:
        raise _Failure(f"redirected to a malformed URL ({target!r})") from None
    if scheme not in SCHEMES:
        raise _Failure(f"redirect to {target} refused (only http and https URLs can be fetched)")
    if redirects >= MAX_REDIRECTS:
        raise _Failure(f"more than {MAX_REDIRECTS} redirects")
    url = _target(joined)[0]
    came_from = hop.peer or next(iter(_addresses_here(hop.url)), None)
    proxy = _proxy(url)
    addresses = _addresses_here(url) if proxy else _addresses(url)  # the proxy's to resolve
    reason = redirect_refusal(came_from, addresses)
    if reason:
        raise _Failure(f"redirect to {url} refused ({reason})")
    return _Hop(url, hop.dog, proxy, None if proxy else addresses)


def _addresses_here(url: str) -> list[str]:
    try:
        return _addresses(url)
    except (OSError, UnicodeError):  # a name that does not resolve here
        return []


def _fetch(url: str, timeout: float, max_bytes: int, user_agent: str) -> Fetched:
    sent, authorization = _target(url)
    headers = {"User-Agent": user_agent, "Accept": _ACCEPT, "Accept-Encoding": "gzip"}
    if authorization:  # for the user's URL only, not along redirects
        headers["Authorization"] = authorization
    jar = http.cookiejar.CookieJar()  # cookies set along redirects are sent along them
    dog = _Watchdog(timeout)
    reading = False
    try:
        hop = _Hop(sent, dog, _proxy(sent))
        for redirects in itertools.count():  # (_redirect stops them at MAX_REDIRECTS)
            view = urllib.request.Request(hop.url)  # the cookie jar's view of the request
            jar.add_cookie_header(view)
            response = _open(hop, {**headers, **view.unredirected_hdrs}, timeout)
            jar.extract_cookies(response, view)  # type: ignore[arg-type]
            location = response.headers.get("Location") or response.headers.get("URI")
            if response.status not in _REDIRECTS or location is None:
                break
            response.close()  # its body is never needed
            hop = _redirect(hop, location, redirects)
            headers.pop("Authorization", None)
        with response:
            if not 200 <= response.status < 300:
                reason = _one_line(response.reason or "") or responses.get(response.status, "")
                raise _Failure(f"HTTP {response.status} {reason}".rstrip())
            reading = True
            body = _read(response, dog, max_bytes)
    except _Failure:
        raise
    except (urllib3.exceptions.HTTPError, HTTPException, OSError, ValueError) as error:
        raise _Failure(_network_error(error, dog.fired, reading, timeout)) from None
    finally:
        dog.stop()
    content_type, charset = _content_type(response.headers.get("Content-Type"))
    return Fetched(without_credentials(url), hop.url, content_type, charset, body)


def _read(response: urllib3.BaseHTTPResponse, dog: _Watchdog, max_bytes: int) -> bytes:
    """The body, decompressed, within ``max_bytes`` (received and decompressed)."""
    over = _Failure(f"response is over the {max_bytes:,}-byte limit")
    if (response.length_remaining or 0) > max_bytes:  # the Content-Length, if any
        raise over
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in _ENCODINGS:
        raise _Failure(f"unsupported Content-Encoding {encoding!r}")
    parts: list[bytes] = []
    size = 0
    while dog.remaining() > 0:
        chunk = response.read1(_CHUNK, decode_content=True)
        if not chunk:
            if dog.fired:  # the watchdog's shutdown looks like the end of the body
                break
            return b"".join(parts)
        size += len(chunk)
        if size > max_bytes or response.tell() > max_bytes:
            raise over
        parts.append(chunk)
    raise TimeoutError("timed out")


def _content_type(raw: str | None) -> tuple[str, str | None]:
    if raw is None:
        return "", None
    header = Message()
    header["Content-Type"] = raw
    charset = (header.get_content_charset() or "").strip().strip("\"'").strip()
    return raw.split(";", 1)[0].strip().lower(), charset or None


def _network_error(error: Exception, fired: bool, reading: bool, timeout: float) -> str:
    cause: BaseException = error
    while True:  # the exception underneath urllib3's wrappers
        inner = cause.__cause__ or next(
            (arg for arg in cause.args if isinstance(arg, BaseException)), None
        )
        if inner is None:
            break
        cause = inner
    if fired or isinstance(cause, TimeoutError | urllib3.exceptions.TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(error, DecodeError):
        return f"response is not valid gzip data ({_describe(cause)})"
    if isinstance(cause, IncompleteRead):
        return "connection closed before the whole response arrived"
    if isinstance(cause, InvalidURL | ValueError) and not isinstance(cause, OSError):
        return f"malformed URL ({_describe(cause)})"
    if isinstance(cause, OSError) and not isinstance(cause, HTTPException):
        return f"{'connection lost' if reading else 'cannot connect'} ({_describe(cause)})"
    return f"bad HTTP response ({_describe(cause)})"


def _describe(error: BaseException) -> str:
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        text = f"certificate verify failed: {error.verify_message}"
    elif isinstance(error, OSError) and error.strerror:
        text = error.strerror
    else:
        text = str(error)
    return _one_line(text) or type(error).__name__
