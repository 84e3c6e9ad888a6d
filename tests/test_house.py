"""A written rule of the house, checked: only ``services/`` opens a transaction
(DESIGN.md, STYLE.md). The layering is checked by ``lint-imports`` in ``make test``."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parent.parent / "src" / "fairloop"
# What opens a transaction or a connection: our Database's context managers, and the
# SQLAlchemy calls beneath them.
OPENERS = frozenset(
    {"transaction", "core_transaction", "lookup", "begin", "begin_nested", "commit", "connect"}
)
ALLOWED = ("services/", "db/engine.py", "db/migrations/")


def transaction_openers(source: str) -> list[tuple[int, str]]:
    """(line, call) of every call of an opener in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in OPENERS
        ):
            found.append((node.lineno, node.func.attr))
    return found


def test_the_scan_finds_an_opened_transaction() -> None:
    source = "def f(db):\n    with db.transaction() as s:\n        s.commit()\n"
    assert transaction_openers(source) == [(2, "transaction"), (3, "commit")]


def test_only_services_open_a_transaction() -> None:
    outside = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith(ALLOWED):
            continue
        outside += [
            f"{relative}:{line} {call}()" for line, call in transaction_openers(path.read_text())
        ]
    assert outside == [], "a transaction opened outside services/: " + ", ".join(outside)
