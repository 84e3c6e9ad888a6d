"""Published reference data (Krippendorff's and Dawid & Skene's examples with their
published values) for the quality tests. It lives beside the repository, never in it:
``../shared/refdata``. Without it the tests that need it skip, saying where it was
looked for; under CI=true they fail, as the PostgreSQL and browser tests do."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import IN_CI

REFDATA = (Path(__file__).parents[2] / ".." / "shared" / "refdata").resolve()


def refdata(*parts: str) -> Path:
    """The reference file ``REFDATA/<parts>``; skips (fails under CI=true) without it."""
    path = REFDATA.joinpath(*parts)
    if not path.is_file():
        reason = (
            f"reference data {'/'.join(parts)} not found at {path} (the published data "
            "sets live beside the repository, in ../shared/refdata)"
        )
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return path
