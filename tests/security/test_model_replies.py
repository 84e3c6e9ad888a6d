"""A requester's model answers with hostile replies, over real HTTP on loopback: one
of 200,000 characters, one endless line, and one that trickles past its timeout.
Before, a 100 MB reply was stored whole (server RSS 129 -> 519 MB) and a 5 s timeout
allowed a 12 s reply, since the timeout held for each read only."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from fairloop.assist.config import ModelConfig
from fairloop.assist.connector import ModelError
from fairloop.assist.openai import CUT_MARK, MAX_REPLY_CHARS
from fairloop.services.work.redteam import PendingTurn, reply_pieces
from fairloop.settings import get_settings
from tests.servers import serving


def _event(piece: str) -> bytes:
    body = {"choices": [{"index": 0, "delta": {"content": piece}}]}
    return f"data: {json.dumps(body)}\n\n".encode()


async def _long() -> AsyncIterator[bytes]:
    for _ in range(200):
        yield _event("x" * 1000)
    yield b"data: [DONE]\n\n"


async def _endless_line() -> AsyncIterator[bytes]:
    yield b"data: "
    for _ in range(40):  # 40 MB, never a newline
        yield b"y" * 1_048_576


async def _trickle() -> AsyncIterator[bytes]:
    for _ in range(30):
        yield _event("z")
        await asyncio.sleep(0.2)
    yield b"data: [DONE]\n\n"


def hostile_app() -> FastAPI:
    app = FastAPI()
    for name, body in (("long", _long), ("endless", _endless_line), ("trickle", _trickle)):

        def route(body=body) -> StreamingResponse:
            return StreamingResponse(body(), media_type="text/event-stream")

        app.post(f"/{name}/v1/chat/completions")(route)
    return app


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    with serving(hostile_app()) as url:
        yield url
    get_settings.cache_clear()


def reply(base: str, monkeypatch, *, timeout: float = 30.0) -> str:
    monkeypatch.setenv("FAIRLOOP_OUTBOUND_ALLOW", base.split("//")[1].split("/")[0])
    get_settings.cache_clear()
    model = ModelConfig(base_url=base, name="hostile", timeout_seconds=timeout)
    pending = PendingTurn(1, 1, [{"role": "user", "content": "hi"}], model, None, 0, 1)

    async def collect() -> str:
        return "".join([piece async for piece in reply_pieces(pending)])

    return asyncio.run(collect())


def test_a_reply_past_the_limit_is_cut_and_marked(hostile, monkeypatch):
    text = reply(f"{hostile}/long/v1", monkeypatch)
    assert len(text) == MAX_REPLY_CHARS + len(CUT_MARK.format(n=MAX_REPLY_CHARS))
    assert text.endswith("[reply cut at 100,000 characters]")


def test_an_endless_line_is_refused_without_reading_it_all(hostile, monkeypatch):
    with pytest.raises(ModelError) as refused:
        reply(f"{hostile}/endless/v1", monkeypatch)
    assert refused.value.code == "model_too_large"


def test_the_timeout_holds_for_the_whole_reply(hostile, monkeypatch):
    # 30 pieces 0.2 s apart: every read is quick, the whole takes 6 s.
    with pytest.raises(ModelError) as refused:
        reply(f"{hostile}/trickle/v1", monkeypatch, timeout=2.0)
    assert refused.value.code == "model_timeout" and "within 2 s" in refused.value.message
