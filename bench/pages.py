"""What a worker's browser downloads, and how soon it shows something, on a slow line.

Workload: a fresh SQLite file with one project of each measured task type (label, rate
with a Markdown answer and a code block, compare), 30 items each; the app served by
uvicorn on loopback; Debian's headless Chromium driven by Playwright, its network held
to 400 kbit/s both ways and 400 ms of latency (CDP Network.emulateNetworkConditions).

A walk: the login page, sign in, the project page, Start, the first task, then ten next
items answered with the keyboard. Each task type is walked twice in one browser
context: cold (an empty cache, a new worker) and warm (the cache the cold walk left,
another worker signed in). For each walk it counts requests and bytes on the wire
(headers included, CDP's encodedDataLength; heartbeats left out) for login -> first
task, for the first task page alone (its document and everything it loads), and for
each next item; and times the first task's first contentful paint (from the click on
Start) and each next item's first render (from the key that submits to the new item
in the page and a frame painted).

Targets (issue 16): under 100 KB for a first task page, under 10 KB for each next item.
Run: `.venv/bin/python bench/pages.py [--types label,rate,compare] [--next 10]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

CHROMIUM = Path(os.environ.get("FAIRLOOP_TEST_CHROMIUM", "/usr/bin/chromium"))
KBIT = 400
LATENCY_MS = 400
PASSWORD = "bench password 123"
DISCLOSURE = {k: "benchmark" for k in ("purpose", "end_use", "data_use", "withdrawal", "contact")}
PAY = {"currency": "USD", "per_task": "0.10", "estimated_seconds": 20, "hourly_floor": "12.00"}
CODE = "```python\nsquares = [n * n for n in range(10)]\nprint(sum(squares))\n```"
TASKS: dict[str, dict[str, Any]] = {
    "label": {
        "type": "label",
        "instructions": "Is the comment **toxic**?",
        "labels": ["toxic", "not_toxic"],
    },
    "rate": {
        "type": "rate",
        "instructions": "Rate the response for each criterion.",
        "criteria": [
            {"name": "helpfulness", "min": 1, "max": 7},
            {"name": "honesty", "min": 1, "max": 7},
        ],
        "flags": ["factual_error", "unsafe"],
    },
    "compare": {
        "type": "compare",
        "instructions": "Which response is better?",
        "strengths": ["slightly", "clearly"],
    },
}
# The keys that answer an item and submit it.
KEYS = {
    "label": ["1", "Enter"],
    "rate": ["5", "4", "Enter"],
    "compare": ["a", "2", "Control+Enter"],
}


def item(kind: str, n: int) -> dict[str, Any]:
    comment = (
        f"Comment {n}: the service was slow today, but the staff were kind and the room was clean."
    )
    if kind == "label":
        data: dict[str, Any] = {"text": comment}
    elif kind == "rate":
        data = {
            "prompt": f"How do I add up the squares of 0 to 9? ({n})",
            "response": f"Make the squares with a **list comprehension**, then add them:\n\n{CODE}\n\nIt prints 285.",
        }
    else:
        data = {
            "prompt": f"Summarise this review in one line ({n}): {comment}",
            "responses": [
                {"id": "a", "text": "Slow service, kind staff, clean room."},
                {
                    "id": "b",
                    "text": "The reviewer had a mixed visit: the service was slow, yet the staff were kind.",
                },
            ],
        }
    return {"id": f"{kind}-{n}", "data": data}


def seed(url: str, kinds: list[str], items: int) -> tuple[dict[str, int], list[str]]:
    """Projects of ``kinds`` with ``items`` items each; two workers consented to all."""
    from fairloop.db.engine import Database
    from fairloop.db.migrate import upgrade
    from fairloop.domain.specs import parse_spec
    from fairloop.io.items import ItemFile
    from fairloop.services.accounts import create_user
    from fairloop.services.import_items import import_items
    from fairloop.services.projects import consent, create_project

    upgrade(url)
    db = Database(url)
    requester, _ = create_user(
        db, "req@example.org", role="requester", password=PASSWORD, org="Bench"
    )
    projects = {}
    for kind in kinds:
        spec = {
            "name": f"{kind} bench",
            "disclosure": DISCLOSURE,
            "task": TASKS[kind],
            "overlap": 1,
            "lease_minutes": 30,
            "pay": PAY,
        }
        projects[kind] = create_project(db, requester, parse_spec(spec))
        rows = [item(kind, n) for n in range(items)]
        import_items(
            db,
            requester,
            projects[kind],
            ItemFile("bench", None, len(rows), iter(enumerate(rows, 1))),
        )
    emails = []
    for walk in ("cold", "warm"):
        for kind in kinds:
            email = f"{walk}-{kind}@example.org"
            worker, _ = create_user(db, email, role="worker", password=PASSWORD)
            consent(db, worker, projects[kind])
            emails.append(email)
    db.dispose()
    return projects, emails


def serve(url: str) -> tuple[str, Any]:
    import uvicorn

    from fairloop.app import create_app
    from fairloop.db.engine import Database

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(create_app(Database(url)), log_level="warning", access_log=False)
    )
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


@dataclass
class Wire:
    """Requests and bytes seen on one page's CDP session."""

    requests: int = 0
    cached: int = 0
    bytes: int = 0
    inflight: set[str] = field(default_factory=set)
    skip: set[str] = field(default_factory=set)

    def attach(self, cdp: Any) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self._cached(e))
        cdp.on("Network.loadingFinished", self._done)
        cdp.on("Network.loadingFailed", lambda e: self.inflight.discard(e["requestId"]))

    def _sent(self, e: dict[str, Any]) -> None:
        url = e["request"]["url"]
        if url.startswith("data:") or url.endswith("/heartbeat"):
            self.skip.add(e["requestId"])
            return
        if e.get("redirectResponse") is None:
            self.requests += 1
        self.inflight.add(e["requestId"])

    def _cached(self, e: dict[str, Any]) -> None:
        if e["requestId"] not in self.skip:
            self.cached += 1

    def _done(self, e: dict[str, Any]) -> None:
        self.inflight.discard(e["requestId"])
        if e["requestId"] not in self.skip:
            self.bytes += int(e["encodedDataLength"])

    def snapshot(self) -> tuple[int, int, int]:
        return self.requests, self.cached, self.bytes

    def since(self, mark: tuple[int, int, int]) -> tuple[int, int, int]:
        return self.requests - mark[0], self.cached - mark[1], self.bytes - mark[2]

    def settle(self, page: Any, quiet_ms: int = 300, timeout: float = 30.0) -> None:
        """Wait until nothing has been in flight for ``quiet_ms``."""
        deadline, quiet_since = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            page.wait_for_timeout(25)
            if self.inflight:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_ms / 1000:
                return


@dataclass
class Walk:
    kind: str
    cache: str
    login_to_task: tuple[int, int, int] = (0, 0, 0)
    task_page: tuple[int, int, int] = (0, 0, 0)
    first_paint_ms: float = 0.0
    next_items: list[tuple[int, int, int]] = field(default_factory=list)
    next_ms: list[float] = field(default_factory=list)


def assignment_of(page: Any) -> str | None:
    return page.evaluate(
        "() => { const f = document.getElementById('task-form'); return f ? f.dataset.assignment : null; }"
    )


def walk(
    page: Any, wire: Wire, base: str, email: str, project_id: int, kind: str, cache: str, count: int
) -> Walk:
    result = Walk(kind, cache)
    start = wire.snapshot()
    page.goto(f"{base}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{base}/work/projects/{project_id}")
    wire.settle(page)
    mark = wire.snapshot()
    with page.expect_navigation(wait_until="load"):
        page.locator('form[action$="/start"] button').click()
    wire.settle(page)
    result.task_page = wire.since(mark)
    result.login_to_task = wire.since(start)
    result.first_paint_ms = page.evaluate(
        "() => { const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : -1; }"
    )
    for _ in range(count):
        before = assignment_of(page)
        mark = wire.snapshot()
        began = time.perf_counter()
        for key in KEYS[kind]:
            page.keyboard.press(key)
        deadline = time.monotonic() + 30
        while (now := assignment_of(page)) in (before, None):
            if time.monotonic() > deadline:
                said = page.evaluate(
                    "() => [...document.querySelectorAll('[role=alert], .error, #submit-status')].map(e => e.textContent.trim()).join(' | ')"
                )
                raise RuntimeError(f"{kind}: no next item after {before}; the page says: {said}")
            page.wait_for_timeout(5)
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        result.next_ms.append((time.perf_counter() - began) * 1000)
        wire.settle(page)
        result.next_items.append(wire.since(mark))
        assert now != before
    return result


def run(kinds: list[str], count: int) -> list[Walk]:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="fairloop-pages-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    os.environ.setdefault("FAIRLOOP_SECRET_KEY", "bench-" + "x" * 40)
    projects, _emails = seed(url, kinds, items=2 * (count + 2))
    base, server = serve(url)
    walks = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for kind in kinds:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": LATENCY_MS,
                    "downloadThroughput": KBIT * 1000 / 8,
                    "uploadThroughput": KBIT * 1000 / 8,
                },
            )
            wire = Wire()
            wire.attach(cdp)
            for cache in ("cold", "warm"):
                context.clear_cookies()
                walks.append(
                    walk(
                        page,
                        wire,
                        base,
                        f"{cache}-{kind}@example.org",
                        projects[kind],
                        kind,
                        cache,
                        count,
                    )
                )
            context.close()
        browser.close()
    server.should_exit = True
    return walks


def kb(n: int) -> str:
    return f"{n / 1024:.1f}"


def requests(counts: tuple[int, int, int]) -> str:
    """Requests on the wire, and how many more the cache answered."""
    sent, cached, _bytes = counts
    return f"{sent - cached} + {cached} cached" if cached else str(sent)


def report(walks: list[Walk], count: int) -> None:
    table = Table(title=f"Pages at {KBIT} kbit/s, {LATENCY_MS} ms latency (390 px, Chromium)")
    for name in (
        "task", "cache", "login→task KB", "requests", "task page KB", "requests",
        "first paint ms", f"next item KB (mean/max of {count})", "requests", "next render ms (p50/max)",
    ):  # fmt: skip
        table.add_column(name, justify="right")
    for w in walks:
        sizes = [b for _r, _c, b in w.next_items]
        table.add_row(
            w.kind,
            w.cache,
            kb(w.login_to_task[2]),
            requests(w.login_to_task),
            kb(w.task_page[2]),
            requests(w.task_page),
            f"{w.first_paint_ms:.0f}",
            f"{kb(int(statistics.mean(sizes)))} / {kb(max(sizes))}",
            requests(max(w.next_items)),
            f"{statistics.median(w.next_ms):.0f} / {max(w.next_ms):.0f}",
        )
    console = Console(width=200)
    console.print(table)
    first = max(w.task_page[2] for w in walks if w.cache == "cold")
    nxt = max(max(b for _r, _c, b in w.next_items) for w in walks)
    console.print(
        f"first task page (cold) at most {kb(first)} KB: target < 100 KB {'met' if first < 100 * 1024 else 'MISSED'}; "
        f"next item at most {kb(nxt)} KB: target < 10 KB {'met' if nxt < 10 * 1024 else 'MISSED'}"
    )
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--types", default="label,rate,compare")
    parser.add_argument("--next", type=int, default=10, help="next items per walk")
    args = parser.parse_args()
    kinds = [k for k in args.types.split(",") if k]
    report(run(kinds, args.next), args.next)


if __name__ == "__main__":
    main()
