"""Which hosts outbound calls (a project's model) may reach.

Public addresses are allowed. Loopback, private, link-local and other special addresses
are refused unless the instance setting ``FAIRLOOP_OUTBOUND_ALLOW`` lists the host (or
host:port): that is how a self-hosted model on the same machine or network is used, and
how the tests and the demo reach their scripted model on 127.0.0.1. Kept in one module
so the security rules can grow here.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from fairloop.errors import InvalidInput
from fairloop.settings import get_settings


def allowed_entries(setting: str | None = None) -> set[str]:
    raw = get_settings().outbound_allow if setting is None else setting
    return {entry.strip().lower() for entry in raw.split(",") if entry.strip()}


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global and not ip.is_multicast


def _addresses(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return sorted({str(info[4][0]) for info in infos})


def check_url(url: str, *, field: str, allow: set[str] | None = None) -> None:
    """Refuse ``url`` unless every address its host resolves to is public, or the host
    is listed in the allow setting. Raises InvalidInput naming ``field``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    entries = allowed_entries() if allow is None else allow
    bracketed = f"[{host}]" if ":" in host else host  # IPv6 is written [::1]:8000
    if host in entries or bracketed in entries or f"{bracketed}:{port}" in entries:
        return
    addresses = _addresses(host)
    if not addresses:
        raise InvalidInput(f"the host {host!r} cannot be resolved", field=field)
    if not all(_is_public(a) for a in addresses):
        raise InvalidInput(
            f"{host}:{port} is a loopback or private address; an admin must list it in "
            "FAIRLOOP_OUTBOUND_ALLOW before projects may call it",
            field=field,
        )
