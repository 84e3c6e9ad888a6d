"""A real uvicorn server on a free loopback port, in a thread, for as long as needed."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def serving(app: Any, **config: Any) -> Iterator[str]:
    """Yield the base URL (http, or https when given ssl_* options) of ``app``."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    # asyncio's own loop: uvloop (what `fairloop serve` picks) warns about transports a
    # thread's loop still holds when the test stops it, which the tests treat as errors.
    # No proxy headers, as `fairloop serve` runs: the app alone decides whom to trust
    # (FAIRLOOP_TRUSTED_PROXIES), not uvicorn's default trust in 127.0.0.1.
    config = {"loop": "asyncio", "proxy_headers": False, **config}
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    scheme = "https" if "ssl_certfile" in config else "http"
    try:
        yield f"{scheme}://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
