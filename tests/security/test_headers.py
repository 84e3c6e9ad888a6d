"""Every response carries the security headers: every route the app has (found by
walking it), as nobody and as a logged-in user, static files, redirects, and the
errors (401, 403, 404, 405, 422, 500)."""

from __future__ import annotations

import re

import httpx
import pytest

from fairloop.app import create_app
from tests import factories as f
from tests.security.routes import STATIC, all_routes
from tests.servers import serving


def csp_directives(header: str) -> dict[str, list[str]]:
    found = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = [w.lower() for w in words[1:]]
    return found


def assert_secure_headers(response: httpx.Response) -> None:
    what = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    headers = response.headers
    assert "content-security-policy-report-only" not in headers, what
    csp = csp_directives(headers.get("content-security-policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None, f"{what}: no script-src"
    # No inline or evaluated script, and nothing from elsewhere.
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(
        scripts
    ), what
    assert csp.get("object-src") == ["'none'"], what
    assert csp.get("base-uri") == ["'none'"], what
    assert csp.get("frame-ancestors") == ["'none'"], what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin"), what


@pytest.fixture
def signed_in(http, db):
    from tests.factories.web import login

    worker, _ = f.user(db, "worker")
    return login(http, worker.email)


def test_every_route_answers_with_the_headers(http, db, signed_in):
    app = create_app(db)
    anonymous = http()
    for method, path in sorted(all_routes(app)):
        url = re.sub(r"\{[^}]+\}", "1", path)
        if method == STATIC:
            url += "/site.css"
            method = "GET"
        for client in (anonymous, signed_in):
            assert_secure_headers(client.request(method, url))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/static/site.css"),
        ("GET", "/static/missing.js"),
        ("GET", "/no/such/page"),
        ("GET", "/api/v1/no/such/thing"),
        ("DELETE", "/healthz"),  # 405
        ("GET", "/api/v1/projects/abc"),  # 422
        ("GET", "/api/v1/me/inbox"),  # 401
        ("HEAD", "/login"),
        ("OPTIONS", "/api/v1/projects"),
    ],
)
def test_static_files_and_errors_carry_the_headers(http, db, method, path):
    assert_secure_headers(http().request(method, path))


def test_an_unexpected_error_carries_the_headers_and_no_traceback(db):
    """A 500 is answered outside the application's middleware by default: the headers
    must be on it too."""
    app = create_app(db)

    @app.get("/api/v1/test-boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with serving(app) as url, httpx.Client(base_url=url) as client:
        response = client.get("/api/v1/test-boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal"
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert_secure_headers(response)


def test_templates_have_no_inline_script_and_json_only_through_tojson():
    """The CSP would block an inline script anyway; this keeps templates from relying
    on one, and makes any JSON data block go through ``tojson`` (which escapes ``<``,
    ``>``, ``&`` and quotes, so ``</script>`` in data cannot close the element)."""
    from fairloop.web.render import TEMPLATES

    for template in sorted(TEMPLATES.rglob("*.html")):
        source = template.read_text()
        for tag, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", source, flags=re.S):
            if "src=" in tag:
                assert not body.strip(), template.name
                continue
            assert 'type="application/json"' in tag, f"{template.name}: inline script"
            assert re.fullmatch(r"\s*\{\{[^}]*\|\s*tojson\s*\}\}\s*", body), template.name
        assert not re.search(r"\son[a-z]+\s*=", source), f"{template.name}: inline handler"
        assert "|safe" not in source.replace(" ", ""), f"{template.name}: |safe"
