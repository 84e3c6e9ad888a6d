"""Cookies over HTTPS: a real TLS server on loopback, a real login."""

from __future__ import annotations

import re
import subprocess
from http.cookies import SimpleCookie

import httpx
import pytest

from tests import factories as f
from tests.servers import serving


@pytest.fixture
def https_server(db, tmp_path):
    from fairloop.app import create_app

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    with serving(create_app(db), ssl_keyfile=str(key), ssl_certfile=str(cert)) as url:
        yield url


def cookie_attributes(response: httpx.Response) -> dict[str, dict[str, str]]:
    found = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            found[name] = {k: str(v) for k, v in morsel.items() if v} | {"_raw": header.lower()}
    return found


def test_cookies_over_https_are_host_only_secure_httponly_lax(db, https_server):
    worker, _ = f.user(db, "worker")
    with httpx.Client(base_url=https_server, verify=False) as client:
        form = client.get("/login")
        login_cookie = cookie_attributes(form)["__Host-fairloop_login_csrf"]
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        done = client.post(
            "/login", data={"email": worker.email, "password": f.PASSWORD, "csrf": token}
        )
        assert done.status_code == 303
        session = cookie_attributes(done)["__Host-fairloop_session"]
        for cookie in (login_cookie, session):
            assert "secure" in cookie["_raw"] and "httponly" in cookie["_raw"]
            assert cookie["path"] == "/" and "domain" not in cookie
        assert session["samesite"].lower() == "lax"
        assert client.get("/work").status_code == 200  # the prefixed cookie logs in
