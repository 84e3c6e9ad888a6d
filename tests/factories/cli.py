"""The `fairloop` command line run as a user runs it: a subprocess over the test's
database (fixture ``cli``), a spec file, and the one-line error a refusal prints."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from fairloop.db.engine import Database
from tests import factories as f


@pytest.fixture
def cli(db: Database, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``cli(*args, stdin=None)``: run ``python -m fairloop *args`` in ``tmp_path``."""
    env = {**os.environ, "FAIRLOOP_DATABASE_URL": db.url, "COLUMNS": "200"}

    def run(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fairloop", *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            input=stdin,
            timeout=120,
        )

    return run


def write_spec(tmp_path: Path, body: dict[str, Any]) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(body))
    return path


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The failed command's one line of error (no traceback), returned."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def refused_import(
    cli: Callable[..., subprocess.CompletedProcess[str]],
    db: Database,
    path: Path,
    text: str,
    **spec: Any,
) -> str:
    """Import ``text`` written to ``path`` into a new project (``spec`` overrides):
    the one line of error, once it is checked that nothing was stored."""
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, **spec)
    path.write_text(text)
    before = f.row_counts(db)
    line = one_line_error(cli("items", "import", project_id, path))
    assert f.row_counts(db) == before
    return line
