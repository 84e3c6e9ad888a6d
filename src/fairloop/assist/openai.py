"""An OpenAI-compatible chat-completions connector on httpx (vLLM, llama.cpp's server,
Ollama and hosted APIs speak this protocol), always streaming.

Usage::

    chat = OpenAIChat(config, api_key=os.environ.get("MODEL_KEY"))
    async for piece in chat.stream([{"role": "user", "content": "Hello"}]):
        print(piece, end="")
"""

from __future__ import annotations

import json
import weakref
from asyncio import AbstractEventLoop, get_running_loop
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
import httpx

from fairloop.assist.config import ModelConfig
from fairloop.assist.connector import Message, ModelError
from fairloop.assist.outbound import Target, pin
from fairloop.errors import InvalidInput

_clients: weakref.WeakKeyDictionary[AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)


def shared_client() -> httpx.AsyncClient:
    """One pooled client per event loop: building a client per call costs milliseconds
    (TLS context), and keeping connections open saves a handshake per turn."""
    loop = get_running_loop()
    client = _clients.get(loop)
    if client is None:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
        # No redirects: a redirect could lead to a host the outbound rule refuses.
        client = httpx.AsyncClient(limits=limits, follow_redirects=False, trust_env=False)
        _clients[loop] = client
    return client


async def _target(url: str) -> Target:
    """The checked address to call. Checked here, at the moment of connecting, and the
    connection goes to the address that was checked (no second lookup)."""
    try:
        return await anyio.to_thread.run_sync(lambda: pin(url, field="task.model.base_url"))
    except InvalidInput as exc:
        raise ModelError(
            f"the model's address is not allowed: {exc.message}", code="model_refused"
        ) from None


def _status_error(status: int) -> ModelError:
    if 300 <= status < 400:
        # A redirect could lead anywhere, the outbound rule's refusals included.
        return ModelError(
            f"the model server answered with a redirect (HTTP {status}), which is not "
            "followed; tell the requester to give the final URL",
            code="model_redirect",
        )
    if status in (401, 403):
        return ModelError(
            f"the model server refused the project's credentials (HTTP {status}); "
            "tell the requester",
            code="model_auth",
        )
    if status == 429:
        return ModelError(
            "the model is busy (HTTP 429); wait a moment and retry", code="model_busy"
        )
    return ModelError(
        f"the model server answered with an error (HTTP {status}); retry", code="model_error"
    )


class OpenAIChat:
    """A chat model behind ``{base_url}/chat/completions``.

    Parameters:
        config: the project's model section (URL, model name, temperature, ...).
        api_key: the key read from the server's environment, or None.
        client: an ``httpx.AsyncClient`` (default: one shared per event loop).
    """

    def __init__(
        self,
        config: ModelConfig,
        *,
        api_key: str | None = None,
        client: httpx.AsyncClient | None = None,
    ):
        self.config = config
        self._api_key = api_key
        self._client = client

    def _request(self, messages: list[Message], *, live: bool) -> dict[str, Any]:
        body: list[Message] = []
        if self.config.system:
            body.append({"role": "system", "content": self.config.system})
        body.extend(messages)
        return {
            "model": self.config.name,
            "messages": body,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
            "stream": live,
        }

    async def stream(
        self, messages: list[Message], *, target: Target | None = None, live: bool = True
    ) -> AsyncIterator[str]:
        """The reply in pieces. ``target``: the address already checked for this call
        (from :func:`~fairloop.assist.outbound.pin`); without it, checked here.
        ``live=False`` asks for the whole reply in one answer (one piece): for a caller
        that waits for all of it anyway, a dozen events fewer to send and parse."""
        headers = {"Accept": "text/event-stream" if live else "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        timeout = httpx.Timeout(self.config.timeout_seconds, connect=10.0)
        client = self._client or shared_client()
        target = target or await _target(f"{self.config.base_url}/chat/completions")
        headers["Host"] = target.host_header
        try:
            async with client.stream(
                "POST",
                target.url,
                json=self._request(messages, live=live),
                headers=headers,
                timeout=timeout,
                extensions={"sni_hostname": target.sni} if target.sni else None,
            ) as response:
                if response.status_code >= 300:
                    raise _status_error(response.status_code)
                async for piece in _pieces(response):
                    yield piece
        except httpx.TimeoutException:
            raise ModelError(
                f"the model did not answer within {self.config.timeout_seconds:g} s; retry",
                code="model_timeout",
            ) from None
        except httpx.HTTPError:
            # Connection refused, reset, DNS failure, broken stream: all mean "not reached".
            raise ModelError(
                "the model server could not be reached; retry", code="model_unreachable"
            ) from None


MAX_REPLY_CHARS = 100_000
"""The most of a reply that is kept: past it the reply is cut and marked (a 100 MB
reply was stored whole and took the server from 129 to 519 MB)."""
MAX_REPLY_BYTES = 16 * 1024 * 1024
"""The most read off the wire for one reply (server-sent events carry a few hundred
bytes of framing per piece)."""
CUT_MARK = "\n\n[reply cut at {n:,} characters]"


async def _bounded_lines(response: httpx.Response) -> AsyncIterator[str]:
    """The answer's lines, reading at most MAX_REPLY_BYTES: one endless line cannot
    fill the memory as ``aiter_lines`` would."""
    seen, pending = 0, b""
    async for chunk in response.aiter_bytes():
        seen += len(chunk)
        if seen > MAX_REPLY_BYTES:
            raise _too_large()
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            yield line.decode("utf-8", "replace").rstrip("\r")
    if pending:
        yield pending.decode("utf-8", "replace")


def _too_large() -> ModelError:
    return ModelError(
        f"the model's answer is larger than {MAX_REPLY_BYTES // 1_048_576} MB; retry",
        code="model_too_large",
    )


async def _json_body(response: httpx.Response) -> bytes:
    parts, seen = [], 0
    async for chunk in response.aiter_bytes():
        seen += len(chunk)
        if seen > MAX_REPLY_BYTES:
            raise _too_large()
        parts.append(chunk)
    return b"".join(parts)


async def _pieces(response: httpx.Response) -> AsyncIterator[str]:
    """Text pieces from a streamed answer (server-sent events), or from a plain JSON
    answer if the server ignored ``stream``; cut at MAX_REPLY_CHARS and marked."""
    kept = 0
    async for piece in _raw_pieces(response):
        room = MAX_REPLY_CHARS - kept
        if len(piece) >= room:
            yield piece[:room] + CUT_MARK.format(n=MAX_REPLY_CHARS)
            return
        kept += len(piece)
        yield piece


async def _raw_pieces(response: httpx.Response) -> AsyncIterator[str]:
    if response.headers.get("content-type", "").startswith("application/json"):
        body = _json(await _json_body(response))
        yield _content(body, "message")
        return
    lines = _bounded_lines(response)
    async for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            await _read_to_end(lines)
            return
        piece = _content(_json(data.encode()), "delta")
        if piece:
            yield piece


async def _read_to_end(lines: AsyncIterator[str], most: int = 64 * 1024) -> None:
    """Read what follows ``[DONE]`` (normally nothing), so the connection goes back to
    the pool instead of being closed half-read; past ``most`` characters, stop."""
    seen = 0
    async for line in lines:
        seen += len(line)
        if seen > most:
            return


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise ModelError(
            "the model server sent something that is not chat-completions JSON",
            code="model_protocol",
        ) from None


def _content(body: Any, key: str) -> str:
    try:
        content = body["choices"][0][key].get("content") if body.get("choices") else ""
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ModelError(
            "the model server's answer is not in the chat-completions layout",
            code="model_protocol",
        ) from None
    return content if isinstance(content, str) else ""
