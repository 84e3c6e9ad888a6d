"""Which hosts outbound calls (a project's model) may reach, and the address to connect to.

Public addresses are allowed. Loopback, private, link-local, unique-local and other
special addresses are refused, including when they hide inside an IPv6 address
(IPv4-mapped, 6to4, Teredo, NAT64) or are written in a form a resolver reads as a
number (``2130706433``, ``0177.0.0.1``, ``0x7f.1``), unless the instance setting
``FAIRLOOP_OUTBOUND_ALLOW`` lists the host (or host:port): that is how a self-hosted
model on the same machine or network is used, and how the tests and the demo reach
their scripted model on 127.0.0.1.

A name is resolved once, every address it gives is checked, and the call then goes to
the checked address (:func:`pin`), so a name that resolves differently a moment later
(DNS rebinding) cannot steer the connection elsewhere. Redirects are never followed
(see ``assist/openai.py``). Kept in one module so the security rules live in one place.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from fairloop.errors import InvalidInput
from fairloop.settings import get_settings

SCHEMES = ("http", "https")
# A label a resolver (inet_aton) reads as a number: decimal, octal (leading 0) or hex.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Characters on which URL parsers disagree about where the host ends.
_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")


def allowed_entries(setting: str | None = None) -> set[str]:
    raw = get_settings().outbound_allow if setting is None else setting
    return {entry.strip().lower() for entry in raw.split(",") if entry.strip()}


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, where routers or stacks may use it."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or (int(ip) >> 32 == 0 and int(ip) > 1):  # NAT64, IPv4-compatible
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    """Whether ``address`` is a global unicast address (and so is any IPv4 inside it)."""
    ip = ipaddress.ip_address(address)
    if not ip.is_global or ip.is_multicast:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_v4(ip)) is not None:
        # An IPv4-mapped address is never a public endpoint of its own.
        return ip.ipv4_mapped is None and is_public(str(inner))
    return True


def _literal(host: str) -> str | None:
    """The canonical address if ``host`` is an IP literal; refuses numeric forms that
    are not the canonical dotted quad (a resolver would read them as an address)."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if labels and all(_NUMERIC_LABEL.match(label) for label in labels):
        raise ValueError(f"{host!r} is an IP address in a non-standard form")
    return None


def _resolve(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]).split("%")[0] for info in infos})


@dataclass(frozen=True)
class Target:
    """Where a checked URL's request goes.

    ``url``: the URL with the host replaced by the checked address; ``host_header``:
    the ``Host`` to send; ``sni``: the name TLS must verify (https only)."""

    url: str
    host_header: str
    sni: str | None


def pin(url: str, *, field: str, allow: set[str] | None = None) -> Target:
    """Check ``url`` and fix the address the call will connect to. Raises InvalidInput
    naming ``field`` when the URL is malformed, not http(s), or reaches an address the
    instance does not allow."""
    if _AMBIGUOUS.search(url):
        raise InvalidInput(
            "the URL contains spaces, backslashes or control characters", field=field
        )
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise InvalidInput("the URL must start with http:// or https://", field=field)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("the URL must not carry a user name or password", field=field)
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidInput("the URL has no host", field=field)
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        literal = _literal(host)
    except ValueError as exc:
        raise InvalidInput(f"the URL's host or port is not valid: {exc}", field=field) from None
    entries = allowed_entries() if allow is None else allow
    bracketed = f"[{host}]" if ":" in host else host  # IPv6 is written [::1]:8000
    listed = host in entries or bracketed in entries or f"{bracketed}:{port}" in entries
    addresses = [literal] if literal else _resolve(host)
    if not addresses:
        raise InvalidInput(f"the host {host!r} cannot be resolved", field=field)
    if not listed and not all(is_public(a) for a in addresses):
        raise InvalidInput(
            f"{host}:{port} is a loopback or private address; an admin must list it in "
            "FAIRLOOP_OUTBOUND_ALLOW before projects may call it",
            field=field,
        )
    address = addresses[0]
    default_port = port == (443 if parts.scheme.lower() == "https" else 80)
    suffix = "" if default_port else f":{port}"
    netloc = (f"[{address}]" if ":" in address else address) + suffix
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    host_header = bracketed + suffix
    sni = host if parts.scheme.lower() == "https" and not literal else None
    return Target(f"{parts.scheme.lower()}://{netloc}{path}", host_header, sni)


def check_url(url: str, *, field: str, allow: set[str] | None = None) -> None:
    """Refuse ``url`` unless every address its host resolves to is public, or the host
    is listed in the allow setting. Raises InvalidInput naming ``field``."""
    pin(url, field=field, allow=allow)
