"""Outbound calls (SSRF): which URLs a project's model may have, where the call really
goes, and what comes back from a hostile upstream. Real servers on loopback."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from fairloop.assist import ModelError, OpenAIChat
from fairloop.assist.config import ModelConfig
from fairloop.assist.outbound import check_url, is_public, pin
from fairloop.errors import InvalidInput
from fairloop.settings import get_settings
from tests import aio
from tests import factories as f
from tests.servers import serving

FIELD = "task.model.base_url"
SECRET = "UPSTREAM-SECRET-4b1d"

REFUSED = [
    "http://127.0.0.1/v1",
    "http://localhost:8000/v1",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/v1",
    "http://172.16.0.1/v1",
    "http://192.168.0.10/v1",
    "http://100.64.0.1/v1",  # carrier-grade NAT
    "http://0.0.0.0:8000/v1",
    "http://[::1]/v1",
    "http://[::]/v1",
    "http://[fd00::1]/v1",  # unique-local
    "http://[fe80::1]/v1",  # link-local
    "http://[::ffff:127.0.0.1]/v1",  # IPv4-mapped
    "http://[::ffff:8.8.8.8]/v1",  # mapped, even to a public address
    "http://[::ffff:a9fe:a9fe]/v1",  # mapped 169.254.169.254 in hex
    "http://[64:ff9b::a9fe:a9fe]/v1",  # NAT64 of the metadata address
    "http://[2002:7f00:1::]/v1",  # 6to4 of 127.0.0.1
    "http://2130706433/v1",  # 127.0.0.1 as one decimal number
    "http://0177.0.0.1/v1",  # octal
    "http://0x7f.0.0.1/v1",  # hex
    "http://127.1/v1",  # short form
    "http://0x8.0x8.0x8.0x8/v1",  # even a public address, when not written plainly
    "http://127.0.0.1./v1",
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/",
    "ftp://93.184.215.14/",
    "javascript:alert(1)",
    "http://93.184.215.14\\@127.0.0.1/v1",  # parsers disagree on the host
    "http://user:pw@93.184.215.14/v1",
    "http:///v1",
    "http://93.184.215.14:99999/v1",
]


@pytest.mark.parametrize("url", REFUSED)
def test_refused_urls(url):
    with pytest.raises(InvalidInput) as err:
        check_url(url, field=FIELD, allow=set())
    assert err.value.field == FIELD


def test_public_addresses_pass_and_are_pinned():
    target = pin("https://93.184.215.14:8443/v1/chat?x=1", field=FIELD, allow=set())
    assert target.url == "https://93.184.215.14:8443/v1/chat?x=1"
    assert target.host_header == "93.184.215.14:8443" and target.sni is None


SPECIAL_V4 = [
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16")
]


def spellings(ip: ipaddress.IPv4Address) -> list[str]:
    """Ways a URL can name an IPv4 address that a resolver or browser would accept."""
    a, b, c, d = ip.packed
    return [
        str(ip),
        str(int(ip)),
        f"0{a:o}.0{b:o}.0{c:o}.0{d:o}",
        f"0x{int(ip):x}",
        f"{a}.{(b << 16) | (c << 8) | d}",
        f"[::ffff:{ip}]",
        f"[::ffff:{int(ip) >> 16:x}:{int(ip) & 0xFFFF:x}]",
    ]


@settings(max_examples=200, deadline=None)
@given(
    network=st.sampled_from(SPECIAL_V4),
    offset=st.integers(min_value=0, max_value=2**24),
    port=st.one_of(st.none(), st.integers(min_value=1, max_value=65535)),
)
def test_special_ipv4_addresses_are_refused_however_written(network, offset, port):
    ip = network[offset % network.num_addresses]
    for host in spellings(ip):
        url = f"http://{host}{f':{port}' if port else ''}/v1"
        with pytest.raises(InvalidInput):
            check_url(url, field=FIELD, allow=set())


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_any_ipv4_passes_exactly_when_it_is_public(n):
    ip = ipaddress.IPv4Address(n)
    url = f"http://{ip}/v1"
    if ip.is_global and not ip.is_multicast:
        assert pin(url, field=FIELD, allow=set()).url == url
    else:
        with pytest.raises(InvalidInput):
            check_url(url, field=FIELD, allow=set())


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_ipv6_with_a_private_ipv4_inside_is_never_public(n):
    ip = ipaddress.IPv6Address(n)
    inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
    if inner is not None and not (inner.is_global and not inner.is_multicast):
        assert not is_public(str(ip))
    if ip.ipv4_mapped is not None:
        assert not is_public(str(ip))


def test_a_name_that_resolves_to_loopback_is_refused():
    with pytest.raises(InvalidInput) as err:
        check_url("http://localhost:8000/v1", field=FIELD, allow=set())
    assert "FAIRLOOP_OUTBOUND_ALLOW" in err.value.message


@settings(max_examples=50, deadline=None)
@given(
    port=st.integers(min_value=1024, max_value=65535),
    path=st.from_regex(r"/[a-z0-9/]{0,20}", fullmatch=True),
)
def test_an_allowed_name_is_connected_to_by_its_checked_address(port, path):
    """The name is resolved once; the URL called carries the address, the name goes in
    Host, so no second lookup can point the call elsewhere (DNS rebinding)."""
    target = pin(f"http://localhost:{port}{path}", field=FIELD, allow={f"localhost:{port}"})
    host = httpx.URL(target.url).host
    assert ipaddress.ip_address(host).is_loopback
    assert target.host_header == f"localhost:{port}"
    assert httpx.URL(target.url).path == path and httpx.URL(target.url).port == port


# Real upstream servers on loopback.


async def _redirect(request: Request) -> Response:
    return RedirectResponse("http://169.254.169.254/latest/meta-data/", status_code=307)


async def _error(request: Request) -> Response:
    return PlainTextResponse(f"internal details {SECRET}", status_code=500)


async def _garbage(request: Request) -> Response:
    return PlainTextResponse(f"data: not json {SECRET}\n\n", media_type="text/event-stream")


async def _html(request: Request) -> Response:
    return Response(f"<html>{SECRET}</html>", media_type="application/json")


async def _echo_host(request: Request) -> Response:
    reply = request.headers.get("host", "")
    return JSONResponse({"choices": [{"message": {"content": reply}}]})


UPSTREAM = Starlette(
    routes=[
        Route(f"/{name}/chat/completions", endpoint, methods=["POST"])
        for name, endpoint in [
            ("redirect", _redirect),
            ("error", _error),
            ("garbage", _garbage),
            ("html", _html),
            ("echo", _echo_host),
        ]
    ]
)


@pytest.fixture(scope="module")
def upstream():
    with serving(UPSTREAM) as url:
        yield url


@pytest.fixture
def allow_upstream(upstream, monkeypatch):
    port = httpx.URL(upstream).port
    monkeypatch.setenv("FAIRLOOP_OUTBOUND_ALLOW", f"127.0.0.1:{port},localhost:{port}")
    get_settings.cache_clear()
    yield port
    get_settings.cache_clear()


async def _ask(base_url: str) -> str:
    chat = OpenAIChat(ModelConfig(base_url=base_url, name="m"))
    async with httpx.AsyncClient() as client:
        chat._client = client
        return "".join([p async for p in chat.stream([{"role": "user", "content": "hi"}])])


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("redirect", "model_redirect"),
        ("error", "model_error"),
        ("garbage", "model_protocol"),
        ("html", "model_protocol"),
    ],
)
def test_hostile_upstream_answers_are_errors_that_echo_nothing(
    upstream, allow_upstream, name, code
):
    with pytest.raises(ModelError) as err:
        aio.run(_ask(f"{upstream}/{name}"))
    assert err.value.code == code
    assert SECRET not in err.value.message and "169.254" not in err.value.message


def test_the_call_goes_to_the_checked_address_with_the_name_as_host(allow_upstream):
    reply = aio.run(_ask(f"http://localhost:{allow_upstream}/echo"))
    assert reply == f"localhost:{allow_upstream}"


def test_a_host_the_setting_does_not_list_is_refused_when_calling(upstream, monkeypatch):
    monkeypatch.setenv("FAIRLOOP_OUTBOUND_ALLOW", "")
    get_settings.cache_clear()
    try:
        with pytest.raises(ModelError) as err:
            aio.run(_ask(f"{upstream}/echo"))
    finally:
        get_settings.cache_clear()
    assert err.value.code == "model_refused"


def test_over_the_api_a_redirecting_model_is_a_502_without_its_body(
    http, db, upstream, allow_upstream
):
    from tests.factories.model import redteam_spec

    _r, rtoken = f.user(db, "requester")
    made = http(rtoken).post("/api/v1/projects", json=redteam_spec(f"{upstream}/redirect"))
    assert made.status_code == 201, made.text
    project_id = made.json()["id"]
    f.add_items(db, _r, project_id, [{"data": {"goal": "explain"}, "hazards": ["vcr"]}])
    _w, wtoken = f.consented_worker(db, project_id)
    api = http(wtoken)
    lease = api.post(f"/api/v1/projects/{project_id}/assignments")
    assert lease.status_code == 201, lease.text
    turn = api.post(f"/api/v1/assignments/{lease.json()['id']}/turns", json={"content": "hi"})
    assert turn.status_code == 502
    assert turn.json()["error"]["code"] == "model_redirect"
    assert SECRET not in turn.text and "169.254" not in turn.text
    for refused in ("http://169.254.169.254/v1", "http://2130706433/v1", "file:///etc/passwd"):
        spec = redteam_spec(refused)
        again = http(rtoken).post("/api/v1/projects", json=spec)
        assert again.status_code == 422 and again.json()["error"]["field"] == FIELD, again.text


def test_workers_never_see_the_models_address_key_name_or_system_prompt(
    http, db, upstream, allow_upstream, monkeypatch
):
    from tests.factories.model import redteam_spec

    requester, rtoken = f.user(db, "requester")
    spec = redteam_spec(f"{upstream}/echo", system="SYSTEM-PROMPT-SECRET", api_key_env="HOME")
    monkeypatch.setenv("FAIRLOOP_MODEL_KEY_ENVS", "HOME")
    project_id = http(rtoken).post("/api/v1/projects", json=spec).json()["id"]
    f.add_items(db, requester, project_id, [{"data": {"goal": "explain"}, "hazards": ["vcr"]}])
    _w, wtoken = f.consented_worker(db, project_id)
    api = http(wtoken)
    seen = [
        api.get(f"/api/v1/projects/{project_id}"),
        api.get("/api/v1/projects"),
        api.post(f"/api/v1/projects/{project_id}/assignments"),
    ]
    for response in seen:
        assert response.status_code in (200, 201), response.text
        for secret in ("SYSTEM-PROMPT-SECRET", str(allow_upstream), "HOME", "base_url"):
            assert secret not in response.text, (response.request.url, secret)
    assert seen[2].json()["task"]["model"] == {"name": "scripted-1", "demo": False}
    # The requester still sees the whole spec.
    assert "SYSTEM-PROMPT-SECRET" in http(rtoken).get(f"/api/v1/projects/{project_id}").text
