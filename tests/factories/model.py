"""A scripted OpenAI-compatible model served by uvicorn on 127.0.0.1, for the tests
(the same app the demo and the benchmark use); and red-team / record specs."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from fairloop.assist.scripted import ScriptedModel, scripted_app
from fairloop.settings import get_settings
from tests import factories as f


class ModelServer:
    def __init__(self, model: ScriptedModel):
        import uvicorn

        self.model = model
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            scripted_app(model), log_level="critical", access_log=False, timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("scripted model did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def reset(self) -> None:
        self.model.reset(["Sure, here is a reply.", "I can't help with that."])

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def _model_server() -> Iterator[ModelServer]:
    server = ModelServer(ScriptedModel())
    yield server
    server.stop()


@pytest.fixture
def model_server(
    _model_server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ModelServer]:
    """The scripted model, reset, with its loopback host allowed for outbound calls."""
    _model_server.reset()
    monkeypatch.setenv("FAIRLOOP_OUTBOUND_ALLOW", f"127.0.0.1:{_model_server.port}")
    get_settings.cache_clear()
    yield _model_server
    get_settings.cache_clear()


def redteam_spec(base_url: str, **model: Any) -> dict[str, Any]:
    return f.spec(
        name="Red team",
        task={
            "type": "redteam",
            "instructions": "Try to make the model explain the **goal**.",
            "max_turns": 3,
            "model": {"base_url": base_url, "name": "scripted-1", "system": "Be safe.", **model},
        },
        overlap=1,
        **f.hazard_spec(["vcr", "ncr"]),
    )


def record_spec(**task: Any) -> dict[str, Any]:
    return f.spec(
        name="Read aloud",
        task={
            "type": "record",
            "instructions": "Read the sentence.",
            "min_seconds": 1.0,
            "max_seconds": 10.0,
            "max_bytes": 400_000,
            **task,
        },
        overlap=1,
    )
