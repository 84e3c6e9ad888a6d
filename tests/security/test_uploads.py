"""Uploads and files: the type comes from the bytes, never the name; pages in disguise
are refused; files are stored and served under names we choose; no path escapes."""

from __future__ import annotations

import http.client

import httpx
import pytest
from sqlalchemy import select

from fairloop.db.models import Media
from tests import factories as f
from tests.factories.media import leased, upload, wav_bytes

SCRIPT = b"<script>alert(document.domain)</script>"
DISGUISED = {
    "html": b"<!doctype html><html><body>" + SCRIPT + b"</body></html>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' + SCRIPT + b"</svg>",
    "xhtml": b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
    + SCRIPT
    + b"</html>",
    # A real WAV header in front of a page: sniffers and naive checks see audio.
    "wav-polyglot": wav_bytes(1.5)[:44] + b"<html>" + SCRIPT * 200 + b"</html>",
}


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_pages_dressed_as_audio_are_refused_and_nothing_is_kept(db, http, media_dir, kind):
    _project, api, aid, _req = leased(db, http)
    before = f.row_counts(db)
    for name, mime in (("take.wav", "audio/wav"), ("take.html", "text/html")):
        refused = upload(api, aid, DISGUISED[kind], name=name, mime=mime)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["field"] == "file"
    assert f.row_counts(db) == before
    assert not media_dir.exists() or not [p for p in media_dir.rglob("*") if p.is_file()]


def test_the_name_and_declared_type_count_for_nothing(db, http, media_dir):
    _project, api, aid, req = leased(db, http)
    done = upload(api, aid, wav_bytes(1.5), name="../../../evil.html", mime="text/html")
    assert done.status_code == 201, done.text
    stored = [p for p in media_dir.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].suffix == ".wav"
    assert "evil" not in str(stored[0]) and stored[0].resolve().is_relative_to(media_dir.resolve())
    with db.transaction(readonly=True) as session:
        assert session.scalar(select(Media.format)) == "wav"
    served = req.get(f"/api/v1/media/{done.json()['media_id']}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "audio/wav"
    assert served.headers["x-content-type-options"] == "nosniff"
    disposition = served.headers["content-disposition"]
    assert disposition.startswith("inline;") and "evil" not in disposition
    assert served.content == stored[0].read_bytes()


def test_only_known_media_types_are_served_inline():
    from fairloop.api.media import INLINE_TYPES

    assert INLINE_TYPES and all(t.startswith(("audio/", "video/")) for t in INLINE_TYPES)


def raw_get(base: str, path: str, token: str | None = None) -> tuple[int, bytes]:
    """GET ``path`` byte for byte: httpx would normalise ``..`` away before sending."""
    url = httpx.URL(base)
    conn = http.client.HTTPConnection(url.host, url.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        if token:
            conn.putheader("Authorization", f"Bearer {token}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


TRAVERSALS = [
    "/api/v1/media/..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/v1/media/%2e%2e",
    "/api/v1/media/1.wav",
    "/api/v1/media/1%00",
    "/api/v1/media/-1",
    "/api/v1/media/99999999999999999999999",
    "/static/../../pyproject.toml",
    "/static/%2e%2e/app.py",
    "/static/..%2f..%2fapp.py",
    "/static/%2e%2e%2f%2e%2e%2fsettings.py",
    "//etc/passwd",
    "/static//etc/passwd",
    "/static/..\\app.py",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_in_file_routes_is_a_404(db, server, path):
    _w, token = f.user(db, "worker")
    status, body = raw_get(server, path, token)
    assert status == 404, (path, status, body[:200])
    for leak in (b"root:", b"create_app", b"[project]", b"BaseSettings"):
        assert leak not in body
