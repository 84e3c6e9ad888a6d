"""The OpenAI-compatible connector against the scripted server on loopback, and the
package's public names."""

from __future__ import annotations

import pytest

import fairloop.assist as assist
from fairloop.assist import ModelError, OpenAIChat
from fairloop.assist.config import ModelConfig
from tests import aio


def test_public_names_are_exported():
    public = {
        n
        for n, v in vars(assist).items()
        if not n.startswith("_") and not isinstance(v, type(assist))
    }
    assert public == set(assist.__all__)


async def collect(chat: OpenAIChat, text: str, *, live: bool = True) -> list[str]:
    import httpx

    async with httpx.AsyncClient() as client:
        chat._client = client
        return [p async for p in chat.stream([{"role": "user", "content": text}], live=live)]


def config(server, **extra) -> ModelConfig:
    return ModelConfig(base_url=server.base_url, name="m", **extra)


def test_streams_pieces_and_sends_the_key(model_server):
    model_server.model.replies = ["one two three"]
    pieces = aio.run(collect(OpenAIChat(config(model_server, system="S"), api_key="k1"), "hi"))
    assert pieces == ["one", " two", " three"]
    call = model_server.model.calls[-1]
    assert call["messages"][0] == {"role": "system", "content": "S"}
    assert call["max_tokens"] == 512 and call["temperature"] == 0.7


def test_a_reply_asked_for_whole_comes_in_one_piece(model_server):
    model_server.model.replies = ["one two three"]
    pieces = aio.run(collect(OpenAIChat(config(model_server)), "hi", live=False))
    assert pieces == ["one two three"]
    assert model_server.model.calls[-1]["stream"] is False


@pytest.mark.parametrize(
    ("failure", "code"),
    [(401, "model_auth"), (429, "model_busy"), (500, "model_error"), ("drop", "model_unreachable")],
)
def test_failures_become_model_errors_without_the_upstream_body(model_server, failure, code):
    model_server.model.failures.append(failure)
    with pytest.raises(ModelError) as err:
        aio.run(collect(OpenAIChat(config(model_server)), "hi"))
    assert err.value.code == code
    assert "UPSTREAM-SECRET" not in err.value.message


def test_timeout_and_unreachable(model_server, monkeypatch):
    from fairloop.settings import get_settings

    # Port 9 (discard) is closed: allowed like the scripted model, so the call is tried.
    monkeypatch.setenv("FAIRLOOP_OUTBOUND_ALLOW", f"127.0.0.1:{model_server.port},127.0.0.1:9")
    get_settings.cache_clear()
    model_server.model.failures.append("timeout")
    with pytest.raises(ModelError) as err:
        aio.run(collect(OpenAIChat(config(model_server, timeout_seconds=0.3)), "hi"))
    assert err.value.code == "model_timeout" and "0.3 s" in err.value.message
    closed = ModelConfig(base_url="http://127.0.0.1:9/v1", name="m")
    with pytest.raises(ModelError) as err:
        aio.run(collect(OpenAIChat(closed), "hi"))
    assert err.value.code == "model_unreachable"
