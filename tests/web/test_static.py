"""Static files: every one a page links is fingerprinted, gzipped and cached for a
year; plain /static/ URLs still work and revalidate; an edited file gets a new URL."""

from __future__ import annotations

import os
import re

import httpx
import pytest

from fairloop.web.assets import ASSETS, STATIC, Assets, accepts_gzip
from fairloop.web.render import ENV
from tests.conftest import Backend

YEAR = "public, max-age=31536000, immutable"
LINKED = re.compile(r'(?:src|href)="(/static/[^"]+)"')


@pytest.fixture
def client(sqlite_backend: Backend):
    with httpx.Client(base_url=sqlite_backend.server_url(), timeout=30) as c:
        yield c


def test_pages_link_fingerprinted_urls_cached_for_a_year_and_gzipped(client):
    urls = LINKED.findall(client.get("/login").text)
    assert urls, "the login page links no static file"
    for url in urls:
        name = re.sub(r"\.[0-9a-f]{10}\.", ".", url.rsplit("/", 1)[1])
        assert url == ASSETS.url(name) != f"/static/{name}"
        got = client.get(url, headers={"Accept-Encoding": "gzip, br"})
        assert got.status_code == 200
        assert got.headers["cache-control"] == YEAR
        assert got.headers["content-encoding"] == "gzip"
        assert got.headers["vary"].lower() == "accept-encoding"
        assert got.content == (STATIC / name).read_bytes()  # httpx undid the gzip
        assert int(got.headers["content-length"]) < len(got.content)


@pytest.mark.parametrize("name", sorted(p.name for p in STATIC.iterdir()))
def test_every_static_file_is_served_compressed_under_its_fingerprint(client, name):
    url = ASSETS.url(name)
    raw = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["cache-control"] == YEAR
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["content-type"].endswith("; charset=utf-8")
    assert raw.headers["etag"] == f'"{ASSETS.get(name).digest}"'
    # The security headers hold on static files too.
    assert "default-src 'self'" in raw.headers["content-security-policy"]
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == raw.content == (STATIC / name).read_bytes()


def test_a_plain_url_works_and_revalidates_with_its_etag(client):
    first = client.get("/static/site.css")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    again = client.get("/static/site.css", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == "no-cache"
    head = client.head("/static/site.css")
    assert head.status_code == 200 and head.content == b""
    assert client.post("/static/site.css").status_code == 405


def test_an_old_fingerprint_gets_todays_file_but_not_for_a_year(client):
    got = client.get("/static/site.0123456789.css")
    assert got.status_code == 200
    assert got.content == (STATIC / "site.css").read_bytes()
    assert got.headers["cache-control"] == "no-cache"
    for missing in ("/static/nothing.css", "/static/nothing.0123456789.css", "/static/"):
        assert client.get(missing).status_code == 404


def test_an_edited_file_gets_a_new_url_without_a_restart(tmp_path):
    path = tmp_path / "app.js"
    path.write_text("var a = 1;\n")
    assets = Assets(tmp_path)
    before = assets.url("app.js")
    assert re.fullmatch(r"/static/app\.[0-9a-f]{10}\.js", before)
    path.write_text("var a = 22;\n")
    os.utime(path, ns=(1, 1))  # a new stamp even on a coarse clock
    assert assets.url("app.js") != before
    assert assets.get("app.js").body == b"var a = 22;\n"
    assert assets.get("app.js").gzipped is None  # gzip would make it bigger
    with pytest.raises(LookupError):
        assets.url("missing.js")
    for outside in ("../app.js", ".hidden", "", "sub/app.js"):
        assert assets.get(outside) is None


def test_templates_render_static_url():
    html = ENV.from_string('<script src="{{ static_url("task.js") }}"></script>').render()
    assert ASSETS.url("task.js") in html


@pytest.mark.parametrize(
    ("header", "gzip_ok"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
    ],
)
def test_accept_encoding(header, gzip_ok):
    assert accepts_gzip(header) is gzip_ok
