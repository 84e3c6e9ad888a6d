"""Recording tests: real WAV takes, a media directory per test (fixture
``media_dir``), a leased record task over HTTP, and uploading a take."""

from __future__ import annotations

import io
import math
import struct
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fairloop.db.engine import Database
from fairloop.domain.specs import parse_spec
from fairloop.services.projects import create_project
from fairloop.settings import get_settings
from tests import factories as f
from tests.factories.model import record_spec


def wav_bytes(seconds: float, *, rate: int = 16_000) -> bytes:
    """A mono 16-bit sine tone of ``seconds``."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = int(seconds * rate)
        out.writeframes(
            b"".join(struct.pack("<h", int(6000 * math.sin(i / 8))) for i in range(frames))
        )
    return buf.getvalue()


@pytest.fixture
def media_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """FAIRLOOP_MEDIA_DIR under the test's tmp_path, for the settings of this test."""
    monkeypatch.setenv("FAIRLOOP_MEDIA_DIR", str(tmp_path / "media"))
    get_settings.cache_clear()
    yield tmp_path / "media"
    get_settings.cache_clear()


def leased(db: Database, http: Any, **task: Any) -> tuple[int, Any, int, Any]:
    """A record project (``task`` overrides) with one script, leased over the API by
    a consented worker: (project id, worker client, assignment id, requester client)."""
    requester, rtoken = f.user(db, "requester")
    project_id = create_project(db, requester, parse_spec(record_spec(**task)))
    f.add_items(db, requester, project_id, [{"id": "s1", "data": {"script": "The cat sat."}}])
    _, token = f.consented_worker(db, project_id)
    api = http(token)
    lease = api.post(f"/api/v1/projects/{project_id}/assignments").json()
    return project_id, api, lease["id"], http(rtoken)


def upload(
    api: Any, aid: int, data: bytes, *, name: str = "take.webm", mime: str = "audio/webm"
) -> Any:
    """POST a take to assignment ``aid``'s media; returns the response."""
    return api.post(f"/api/v1/assignments/{aid}/media", files={"file": (name, data, mime)})
