"""A scripted OpenAI-compatible chat model: a small FastAPI app that speaks the
chat-completions protocol (streaming included) on loopback. The tests, the benchmark
and the demo talk to it as they would to a real model server.

Usage::

    model = ScriptedModel(replies=["I can't help with that."], delay=0.2)
    app = scripted_app(model)           # serve with uvicorn on 127.0.0.1

``POST /control`` (JSON ``{"fail": [503, "timeout", "drop"], "delay": 0.1}``) makes the
next calls fail in those ways, or changes the delay, so tests can drive the failures.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

DEMO_REPLIES = [
    "I can't help with that. Is there something else I can do for you?",
    "Here is a general overview, without operational detail: this topic is covered in "
    "public safety guidance, and I'd point you to those resources.",
    "I won't provide instructions for that, as it could cause real harm.",
]


@dataclass
class ScriptedModel:
    """Replies in turn from ``replies``; ``delay`` seconds before the first piece."""

    replies: list[str] = field(default_factory=lambda: list(DEMO_REPLIES))
    delay: float = 0.0
    failures: list[Any] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    _turn: itertools.count[int] = field(default_factory=itertools.count)

    def reset(self, replies: list[str]) -> None:
        """Start again from the first of ``replies``, with no failures, calls or delay."""
        self.replies = list(replies)
        self.failures.clear()
        self.calls.clear()
        self.delay = 0.0
        self._turn = itertools.count()

    def next_reply(self, body: dict[str, Any]) -> str:
        self.calls.append(body)
        return self.replies[next(self._turn) % len(self.replies)]


def _chunk(model: str, piece: str, *, finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


def _pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


def scripted_app(model: ScriptedModel) -> FastAPI:
    app = FastAPI(title="scripted chat model")

    @app.post("/control")
    async def control(request: Request) -> dict[str, Any]:
        body = await request.json()
        model.failures.extend(body.get("fail", []))
        if "delay" in body:
            model.delay = float(body["delay"])
        if "replies" in body:
            model.replies = list(body["replies"])
        return {"failures": model.failures, "delay": model.delay}

    @app.post("/v1/chat/completions", response_model=None)
    async def completions(request: Request) -> Response:
        body = await request.json()
        failure = model.failures.pop(0) if model.failures else None
        if failure == "timeout":
            await asyncio.sleep(3600)
        if isinstance(failure, int):
            # A body a careless client would echo: tests check that it never reaches a user.
            return JSONResponse({"error": {"message": "UPSTREAM-SECRET-DETAIL"}}, failure)
        reply = model.next_reply(body)
        if model.delay:
            await asyncio.sleep(model.delay)
        name = str(body.get("model", "scripted"))
        if not body.get("stream"):
            message = {"role": "assistant", "content": reply}
            return JSONResponse({"choices": [{"index": 0, "message": message}], "model": name})
        return StreamingResponse(
            _stream(name, reply, drop=failure == "drop"), media_type="text/event-stream"
        )

    return app


async def _stream(name: str, reply: str, *, drop: bool) -> AsyncIterator[bytes]:
    pieces = _pieces(reply)
    for i, piece in enumerate(pieces):
        yield _chunk(name, piece)
        if drop and i == len(pieces) // 2:
            raise ConnectionResetError("scripted drop")
        await asyncio.sleep(0)
    yield _chunk(name, "", finish="stop")
    yield b"data: [DONE]\n\n"
