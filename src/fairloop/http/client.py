"""The client's address: the peer, or the address a trusted proxy reports for it."""

from __future__ import annotations

import ipaddress
import os

from fastapi import Request


def _trusted() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """FAIRLOOP_TRUSTED_PROXIES, read at each use (a malformed entry trusts nothing)."""
    networks = []
    for entry in os.environ.get("FAIRLOOP_TRUSTED_PROXIES", "").split(","):
        try:
            if entry.strip():
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _is_trusted(address: str, trusted: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(request: Request) -> str:
    """The peer's address; behind a proxy named in FAIRLOOP_TRUSTED_PROXIES, the last
    address in X-Forwarded-For that is not one of the trusted proxies. A client that
    is not behind a trusted proxy cannot choose its address by sending the header."""
    peer = request.client.host if request.client else ""
    trusted = _trusted()
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop[:64]
    return peer
