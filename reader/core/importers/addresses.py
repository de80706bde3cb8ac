"""Where a redirect may lead: the kind of network an IP address is on, and which
kinds a redirect may go between. Pure policy, no network: :mod:`.fetch`
resolves a redirect's host name and asks :func:`redirect_refusal` before
connecting to any of its addresses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

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
