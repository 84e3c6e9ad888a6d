"""Static files, compressed, fingerprinted and cached for a year.

Pages link each file through the Jinja global ``static_url("site.css")``, which gives
``/static/site.<hash>.css``: the hash is the first 10 hex digits of the file's SHA-256,
so a changed file has a new URL and a browser may keep the old one for a year without
asking (``Cache-Control: public, max-age=31536000, immutable``). The plain URL
``/static/site.css`` keeps working, revalidated each time (``no-cache`` with an ETag,
answered ``304`` when unchanged). Bodies are gzipped once, at level 9, and sent
compressed to every client that accepts gzip: the 31 KB of scripts and styles of
issue 16 weigh 11 KB that way. Brotli would save a little more, but no well-kept
pure-Python package for it is among our dependencies.

Usage::

    app.mount("/static", ASSETS, name="static")
    env.globals["static_url"] = ASSETS.url
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.types import Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
_FINGERPRINTED = re.compile(r"^(?P<stem>[^/]+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Asset:
    """One static file as served: its body, the body gzipped, and its fingerprint."""

    name: str
    body: bytes
    gzipped: bytes | None
    digest: str
    media_type: str
    stamp: tuple[int, int]  # (mtime_ns, size) of the file this was read from

    @property
    def url(self) -> str:
        stem, dot, ext = self.name.rpartition(".")
        return f"/static/{stem}.{self.digest}.{ext}" if dot else f"/static/{self.name}"


def _read(path: Path, stamp: tuple[int, int]) -> Asset:
    body = path.read_bytes()
    media_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    media_type = media_type or "application/octet-stream"
    text = media_type.startswith("text/") or media_type.endswith(("+xml", "/json"))
    if text:
        media_type += "; charset=utf-8"
    # Images and audio are compressed already: gzip would only cost CPU.
    gzipped = gzip.compress(body, compresslevel=9, mtime=0) if text else None
    return Asset(
        name=path.name,
        body=body,
        gzipped=gzipped if gzipped is not None and len(gzipped) < len(body) else None,
        digest=hashlib.sha256(body).hexdigest()[:10],
        media_type=media_type,
        stamp=stamp,
    )


def accepts_gzip(header: str) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip;q=0`` refuses it)."""
    for part in header.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class Assets:
    """The files of one directory (not its subdirectories), as an ASGI app.

    A file is read once and read again only when its modification time or size
    changes, so an edited script shows on the next page without a restart."""

    def __init__(self, directory: Path = STATIC) -> None:
        self.directory = directory
        self._cache: dict[str, Asset] = {}

    def get(self, name: str) -> Asset | None:
        """The asset called ``name``, or None for anything but a file of the directory."""
        if not name or "/" in name or "\\" in name or name.startswith("."):
            return None
        path = self.directory / name
        try:
            st = path.stat()
        except OSError:
            return None
        if not path.is_file():
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        asset = self._cache.get(name)
        if asset is None or asset.stamp != stamp:
            asset = self._cache[name] = _read(path, stamp)
        return asset

    def url(self, name: str) -> str:
        """The fingerprinted URL of ``name`` (for templates: ``static_url``)."""
        asset = self.get(name)
        if asset is None:
            raise LookupError(f"no static file {name!r} in {self.directory}")
        return asset.url

    def resolve(self, path: str) -> tuple[Asset | None, bool]:
        """The asset a request path under /static names, and whether the URL is the
        asset's current fingerprinted one (so it may be cached for a year)."""
        name = path.lstrip("/")
        asset = self.get(name)
        if asset is not None:
            return asset, False
        match = _FINGERPRINTED.match(name)
        if match is None:
            return None, False
        asset = self.get(match["stem"] + match["ext"])
        # A page rendered before a deploy asks for an old fingerprint: it gets today's
        # file, but only to revalidate, never to keep for a year under the old name.
        return asset, asset is not None and asset.digest == match["digest"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await _plain(send, 405, b"Method Not Allowed", [(b"allow", b"GET, HEAD")])
            return
        path, root = scope["path"], scope.get("root_path", "")
        asset, immutable = self.resolve(path[len(root) :] if path.startswith(root) else path)
        if asset is None:
            await _plain(send, 404, b"Not Found")
            return
        headers = dict(scope["headers"])
        etag = f'"{asset.digest}"'.encode()
        common = [
            (b"cache-control", IMMUTABLE if immutable else REVALIDATE),
            (b"etag", etag),
            (b"vary", b"accept-encoding"),
        ]
        if etag in headers.get(b"if-none-match", b"").replace(b"W/", b"").split(b", "):
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        body = asset.body
        if asset.gzipped is not None and accepts_gzip(
            headers.get(b"accept-encoding", b"").decode("latin-1")
        ):
            body = asset.gzipped
            common.append((b"content-encoding", b"gzip"))
        common += [
            (b"content-type", asset.media_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": common})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


async def _plain(
    send: Send, status: int, text: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(text)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text})


ASSETS = Assets()
