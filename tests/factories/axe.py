"""axe-core in the browser tests: fetched once from the npm registry by
scripts/ensure-axe into .cache/ (gitignored; no copy is committed), injected into
each page of a Playwright context, run at WCAG 2.2 AA."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_path() -> Path:
    """axe.min.js, fetched on first use; skips (fails under CI=true) when it cannot be."""
    if not AXE.exists():
        subprocess.run([str(ROOT / "scripts" / "ensure-axe")], check=False, timeout=300)
    if not AXE.exists():
        reason = (
            f"axe-core not at {AXE.relative_to(ROOT)}: scripts/ensure-axe fetches it "
            "with npm from the npm registry (apt-get install npm, and a connection)"
        )
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return AXE


def with_axe(context: Any) -> Any:
    """``context`` with axe-core in every page it opens. An init script is not a page
    script, so the pages' CSP (script-src 'self') lets it run."""
    context.add_init_script(path=str(axe_path()))
    return context


# axe measures a sticky element where the current scroll paints it (axe-core issue
# #3720: sticky is taken as relative), so a sticky Submit bar "obscures" whatever
# happens to sit at the fold. axe runs with sticky boxes in their place in the flow;
# that a focused control is never hidden under the bar is a test of its own.
_RUN = """async opts => {
  const sticky = [...document.querySelectorAll("body *")].filter(
    el => getComputedStyle(el).position === "sticky");
  sticky.forEach(el => el.style.setProperty("position", "static", "important"));
  try { return await axe.run(document, opts); }
  finally { sticky.forEach(el => el.style.removeProperty("position")); }
}"""


def violations(page: Any, *, tags: list[str] = TAGS) -> list[str]:
    """axe's violations on ``page`` as it is now, one readable line per element."""
    result = page.evaluate(
        _RUN, {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}
    )
    lines = []
    for v in result["violations"]:
        for node in v["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"{v['id']} ({v['impact']}) at {node['target']}: {summary}")
    return lines


__all__ = ["AXE", "TAGS", "axe_path", "violations", "with_axe"]
