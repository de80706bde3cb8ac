"""Fetching an http(s) URL for the importer, with the standard library only.

:func:`fetch` downloads one URL and returns the raw body with what the
headers say about it; decoding and parsing are the importers' business. Every
network problem becomes :class:`~reader.core.importers.ImportFailed`, whose
message is one line starting with the URL.

Limits, so that no server can hang or flood us:

* ``timeout`` bounds connecting and each read, and also the whole download: a
  watchdog shuts the connection down when the time is up (this also covers a
  server that trickles its headers), and the body loop checks the clock
  between chunks. Name resolution is the one step the standard library cannot
  bound.
* ``max_bytes`` bounds the body as received and, for a gzip body, as
  decompressed; a Content-Length over the limit is refused before reading.
* At most :data:`MAX_REDIRECTS` redirects, each to http or https only, and
  none inwards (:func:`redirect_refusal`): every address a redirect's host name
  resolves to is checked before connecting, and only those are connected to
  (the name is resolved once, so it cannot answer otherwise the second time).
  A URL the user gives is fetched wherever it is (a local server, say).

Credentials in a URL (``user:password@``) are sent to its host as Basic
authentication, never along redirects, and never kept or shown: messages,
:attr:`Fetched.url` and :attr:`Fetched.final_url` leave them out. Those in a
redirect's Location are the server's, not the user's: dropped, not sent.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http
import http.client
import http.cookiejar
import ipaddress
import re
import socket
import ssl
import string
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from reader import __version__
from reader.core.importers import MAX_BYTES, ImportFailed, without_credentials

USER_AGENT = f"reader/{__version__} (+offline news reader)"
MAX_REDIRECTS = 10
SCHEMES = ("http", "https")

_CHUNK = 64 * 1024
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_GZIP_MAGIC = b"\x1f\x8b"
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
        raise ImportFailed(f"{shown}: {_one_line(failure.reason)}") from None


# --- where a redirect may lead -------------------------------------------------------------

_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "10.0.0.0/8",  # RFC 1918
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",  # shared address space: carrier-grade NAT, Tailscale
        "fc00::/7",  # unique local
        "fec0::/10",  # site-local (deprecated)
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # an IPv4 address reached through NAT64
_NAMED = {
    "public": "a public",
    "loopback": "a loopback",
    "link-local": "a link-local",
    "private": "a private",
    "multicast": "a multicast",
    "unspecified": "the unspecified",
    "reserved": "a reserved",
}


def address_kind(address: str) -> str:
    """The kind of network an IP address is on: ``public``, ``loopback``,
    ``link-local`` (169.254.169.254, the cloud's metadata service, is one),
    ``private``, ``multicast``, ``unspecified`` (0.0.0.0 reaches this machine) or
    ``reserved`` (any other address the internet does not route). An IPv4 address
    written as IPv6 (``::ffff:a.b.c.d``, NAT64's ``64:ff9b::a.b.c.d``) is of its
    IPv4 address's kind."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if any(ip in network for network in _PRIVATE_NETWORKS):
        return "private"
    return "public" if ip.is_global else "reserved"


def redirect_refusal(came_from: str | None, addresses: Iterable[str]) -> str | None:
    """Why a redirect given by a server at address ``came_from`` (None: not known,
    taken as public) may not lead to a host at ``addresses`` (every address its
    name resolves to), or None when it may.

    A redirect may always lead to a public address, and to any other only from
    an address of the same kind: a local server may redirect within the machine,
    a server on a private network within private networks, but a page on the
    internet may not send reader to this machine, its network or the cloud's
    metadata service, nor may a local server send it to another kind of network
    (loopback to link-local, say)."""
    came = address_kind(came_from) if came_from else "public"
    for address in addresses:
        kind = address_kind(address)
        if kind != "public" and (kind != came or kind in ("unspecified", "multicast")):
            return f"it leads from {_NAMED[came]} address to {address}, {_NAMED[kind]} one"
    return None


# --- internals ---------------------------------------------------------------------------


class _Failure(Exception):
    """A reason to fail, without the URL (which :func:`fetch` puts in front)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _show_url(url: str) -> str:
    return _LINE_BREAKING.sub(lambda match: f"\\x{ord(match.group()):02x}", url)


def _one_line(text: str) -> str:
    return _show_url(" ".join(str(text).split()))


def _request_url(url: str) -> tuple[str, str | None]:
    """The URL as sent, and an Authorization header for credentials in it, if any.

    Spaces and non-ASCII in the path and query are percent-encoded, an
    internationalised host name takes its ASCII (IDNA) form, the fragment is
    dropped, and ``user:password@`` becomes Basic authentication (which urllib
    would otherwise take as part of the host name).
    """
    parts = urlsplit(url.strip())
    host = parts.netloc.rpartition("@")[2]
    if not host.isascii():
        host = (parts.hostname or "").encode("idna").decode("ascii")
        if parts.port is not None:
            host = f"{host}:{parts.port}"
    authorization = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    sent = urlunsplit(
        (
            parts.scheme.lower(),
            host,
            quote(parts.path, safe=string.punctuation) or "/",
            quote(parts.query, safe=string.punctuation),
            "",
        )
    )
    return sent, authorization


def _request(url: str, user_agent: str) -> urllib.request.Request:
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise _Failure("only http and https URLs can be fetched")
        if not parts.hostname:
            raise _Failure("malformed URL (no host name)")
        parts.port  # noqa: B018 - raises ValueError for a bad port
        sent, authorization = _request_url(url)
    except ValueError as error:  # UnicodeError (IDNA) included
        raise _Failure(f"malformed URL ({error})") from None
    request = urllib.request.Request(
        sent, headers={"User-Agent": user_agent, "Accept": _ACCEPT, "Accept-Encoding": "gzip"}
    )
    if authorization:  # for this host only: not sent on along redirects
        request.add_unredirected_header("Authorization", authorization)
    return request


class _Watchdog:
    """Shuts down the watched sockets when the time is up, waking any blocked read."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._closed = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        # A duplicate descriptor, since TLS wrapping detaches the original object;
        # shutting either down shuts down the one underlying connection.
        with self._lock:
            if self._closed:
                return
            watched = sock.dup()
            self._sockets.append(watched)
            if self.fired:
                _shutdown(watched)

    def _fire(self) -> None:
        with self._lock:
            if self._closed:
                return
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _watched_connection(base: type[http.client.HTTPConnection], dog: _Watchdog):
    """An HTTP(S) connection class whose sockets ``dog`` watches. Given the
    request it connects for (not through a proxy), it records the address it
    reached, and connects a redirect only where :func:`redirect_refusal` allows."""

    class Connection(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args, reader_request=None, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._reader_request = reader_request
            self._create_connection = self._connect_watched

        def _connect_watched(self, address, timeout, source_address=None):
            request = self._reader_request
            if request is None or not getattr(request, "reader_redirects", 0):
                sock = socket.create_connection(address, _bounded(timeout, dog), source_address)
            else:
                sock = _connect_redirect(request, address, timeout, source_address, dog)
            dog.watch(sock)
            if request is not None:  # where a redirect it is given comes from
                with contextlib.suppress(OSError):  # not known: taken as public
                    request.reader_peer = sock.getpeername()[0]
            return sock

    return Connection


def _bounded(timeout, dog: _Watchdog):
    remaining = dog.remaining()
    if remaining <= 0:
        raise TimeoutError("timed out")
    return min(timeout, remaining) if isinstance(timeout, int | float) else timeout


def _connect_redirect(request, address, timeout, source_address, dog: _Watchdog) -> socket.socket:
    """Connect for a redirect: its host name is resolved once, every address is
    checked before any connection, and only those addresses are tried."""
    host, port = address
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    _check_redirect(request, addresses)
    error: OSError = OSError(f"no address for {host}")
    for ip in addresses:
        try:
            return socket.create_connection((ip, port), _bounded(timeout, dog), source_address)
        except OSError as failure:  # the next address, as socket.create_connection does
            error = failure
    raise error


def _check_redirect(request, addresses: list[str]) -> None:
    reason = redirect_refusal(getattr(request, "reader_came_from", None), addresses)
    if reason:
        raise _Failure(f"redirect to {without_credentials(request.full_url)} refused ({reason})")


def _proxied(request) -> bool:
    return request.has_proxy() or bool(getattr(request, "_tunnel_host", None))


def _addresses_here(url: str) -> list[str]:
    """The addresses the URL's host name has here ([] when it does not resolve)."""
    try:
        parts = urlsplit(url)
        if not parts.hostname:  # getaddrinfo(None) would answer the loopback's addresses
            return []
        infos = socket.getaddrinfo(parts.hostname, parts.port, 0, socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _connection_for(connection, request):
    """The connection class to open ``request`` with. Through a proxy, which
    connects for us, a redirect is checked against the addresses its host has
    here (one that does not resolve here is the proxy's to resolve)."""
    if not _proxied(request):
        return functools.partial(connection, reader_request=request)
    if getattr(request, "reader_redirects", 0):
        _check_redirect(request, _addresses_here(request.full_url))
    return connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, dog: _Watchdog) -> None:
        super().__init__()
        self._connection = _watched_connection(http.client.HTTPConnection, dog)

    def http_open(self, req):
        return self.do_open(_connection_for(self._connection, req), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, dog: _Watchdog) -> None:
        super().__init__(context=ssl.create_default_context())
        self._connection = _watched_connection(http.client.HTTPSConnection, dog)

    def https_open(self, req):
        return self.do_open(_connection_for(self._connection, req), req, context=self._context)


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows up to MAX_REDIRECTS redirects, to http and https only, each
    remembering the address the redirect came from (see :func:`redirect_refusal`)."""

    # urllib's own loop detection would fire first with a less clear message.
    max_repeats = MAX_REDIRECTS + 1
    max_redirections = MAX_REDIRECTS + 1

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get("location") or headers.get("uri")
        if location is None:
            return None  # not a usable redirect: reported as an HTTP error
        # The redirect response's body is never needed: closing it spares reading it.
        fp.close()
        target = without_credentials(location.strip())
        try:
            scheme = urlsplit(urljoin(req.full_url, target)).scheme.lower()
        except ValueError:
            raise _Failure(f"redirected to a malformed URL ({target!r})") from None
        if scheme not in SCHEMES:
            raise _Failure(
                f"redirect to {target} refused (only http and https URLs can be fetched)"
            )
        if getattr(req, "reader_redirects", 0) >= MAX_REDIRECTS:
            raise _Failure(f"more than {MAX_REDIRECTS} redirects")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        # Credentials in a Location are the server's, not the user's: not sent, not kept.
        new = super().redirect_request(req, fp, code, msg, headers, without_credentials(newurl))
        if new is not None:
            new.reader_redirects = getattr(req, "reader_redirects", 0) + 1
            came_from = getattr(req, "reader_peer", None)  # None through a proxy
            if came_from is None:
                came_from = next(iter(_addresses_here(req.full_url)), None)
            new.reader_came_from = came_from
        return new


def _opener(dog: _Watchdog) -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _HTTPHandler(dog),
        _HTTPSHandler(dog),
        urllib.request.HTTPDefaultErrorHandler(),
        _RedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
    ):
        opener.add_handler(handler)
    return opener


class _Gunzip:
    """Incremental gzip decoding (several members allowed) that never outgrows a limit."""

    def __init__(self) -> None:
        self._inflater: zlib._Decompress | None = None
        self._pending = b""  # the start of a next member, too short to recognise yet
        self._trailing = False  # junk after the last member, ignored as browsers do
        self._members = 0

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decoded bytes from ``data``, at most ``limit`` (> 0) of them."""
        out = bytearray()
        try:
            while data and not self._trailing and len(out) < limit:
                if self._inflater is None:
                    data, self._pending = self._pending + data, b""
                    if len(data) < len(_GZIP_MAGIC):
                        self._pending = data
                        break
                    if not data.startswith(_GZIP_MAGIC):
                        if not self._members:
                            raise _Failure("response is not valid gzip data (bad header)")
                        self._trailing = True
                        break
                    self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                out += self._inflater.decompress(data, limit - len(out))
                if self._inflater.unconsumed_tail:
                    break  # the limit was reached
                if self._inflater.eof:
                    data = self._inflater.unused_data
                    self._inflater = None
                    self._members += 1
                else:
                    data = b""
        except zlib.error as error:
            raise _Failure(f"response is not valid gzip data ({error})") from None
        return bytes(out)

    def finish(self) -> None:
        if self._inflater is not None or (self._pending and not self._members):
            raise _Failure("gzip data is truncated")


class _Identity:
    def feed(self, data: bytes, limit: int) -> bytes:
        return data

    def finish(self) -> None:
        pass


def _decoder(content_encoding: str | None) -> _Gunzip | _Identity:
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return _Identity()
    if encoding in ("gzip", "x-gzip"):
        return _Gunzip()
    raise _Failure(f"unsupported Content-Encoding {encoding!r}")


def _content_length(headers) -> int | None:
    try:
        length = int(headers.get("Content-Length", "").strip())
    except ValueError:
        return None
    return length if length >= 0 else None


def _content_type(headers) -> tuple[str, str | None]:
    raw = headers.get("Content-Type")
    if raw is None:
        return "", None
    content_type = raw.split(";", 1)[0].strip().lower()
    charset = headers.get_content_charset(None)
    charset = charset.strip().strip("\"'").strip() if charset else ""
    return content_type, charset or None


def _fetch(url: str, timeout: float, max_bytes: int, user_agent: str) -> Fetched:
    request = _request(url, user_agent)
    over = f"response is over the {max_bytes:,}-byte limit"
    reading = False
    with _Watchdog(timeout) as dog:
        try:
            with _opener(dog).open(request, timeout=timeout) as response:
                reading = True
                length = _content_length(response.headers)
                if length is not None and length > max_bytes:
                    raise _Failure(over)
                decoder = _decoder(response.headers.get("Content-Encoding"))
                content_type, charset = _content_type(response.headers)
                final_url = response.geturl()
                received = 0
                parts: list[bytes] = []
                size = 0
                while True:
                    if time.monotonic() >= dog.deadline:
                        raise TimeoutError("timed out")
                    chunk = response.read1(_CHUNK)
                    if not chunk:
                        break
                    received += len(chunk)
                    if received > max_bytes:
                        raise _Failure(over)
                    data = decoder.feed(chunk, max_bytes - size + 1)
                    size += len(data)
                    if size > max_bytes:
                        raise _Failure(over)
                    parts.append(data)
                if dog.fired:  # the watchdog's shutdown looks like the end of the body
                    raise TimeoutError("timed out")
                if response.length:  # fewer bytes than Content-Length promised
                    raise _Failure("connection closed before the whole response arrived")
                decoder.finish()
        except _Failure:
            raise
        except urllib.error.HTTPError as error:
            error.close()
            raise _Failure(_http_error(error)) from None
        except (
            urllib.error.URLError,
            http.client.HTTPException,
            OSError,
            ValueError,
        ) as error:
            raise _Failure(_network_error(error, dog.fired, reading, timeout)) from None
    return Fetched(
        url=without_credentials(url),
        final_url=without_credentials(final_url),
        content_type=content_type,
        charset=charset,
        body=b"".join(parts),
    )


def _http_error(error: urllib.error.HTTPError) -> str:
    reason = _one_line(error.reason or "")
    if not reason:
        try:
            reason = http.HTTPStatus(error.code).phrase
        except ValueError:
            reason = ""
    return f"HTTP {error.code} {reason}".rstrip()


def _network_error(error: Exception, fired: bool, reading: bool, timeout: float) -> str:
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        cause: BaseException = error.reason
    elif isinstance(error, urllib.error.URLError):
        cause = OSError(str(error.reason))
    else:
        cause = error
    if fired or isinstance(cause, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(cause, http.client.InvalidURL):
        return f"malformed URL ({_describe(cause)})"
    if isinstance(cause, http.client.IncompleteRead):
        return "connection closed before the whole response arrived"
    if isinstance(cause, http.client.HTTPException):
        return f"bad HTTP response ({_describe(cause)})"
    if isinstance(cause, OSError):
        if reading:
            return f"connection lost ({_describe(cause)})"
        return f"cannot connect ({_describe(cause)})"
    return f"malformed URL ({_describe(cause)})"  # ValueError


def _describe(error: BaseException) -> str:
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        text = f"certificate verify failed: {error.verify_message}"
    elif isinstance(error, OSError) and error.strerror:
        text = error.strerror
    else:
        text = str(error)
    return _one_line(text) or type(error).__name__
