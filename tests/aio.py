"""Running a coroutine from a test, whatever the main thread is doing.

The browser tests keep Playwright's sync API open for the whole session, and it runs an
event loop in the main thread; `asyncio.run` there refuses. A fresh thread has no loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
