"""The package's public face: `__all__` complete, and no import of the platform."""

from __future__ import annotations

import subprocess
import sys
import types

import fairloop.quality as quality


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(quality).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert sorted(quality.__all__) == sorted(public)


def test_the_library_imports_nothing_else_of_fairloop() -> None:
    code = (
        "import sys, fairloop.quality\n"
        "print(sorted(m for m in sys.modules if m.startswith('fairloop.')"
        " and not m.startswith('fairloop.quality')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
