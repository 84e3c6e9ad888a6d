"""The whole rule over plain data: which item, if any, one worker gets next.

The lease service runs the same rule as indexed SQL (``services/assign.py``); this
version is what the property tests drive with random projects and event sequences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from fairloop.domain.scheduling.gold import gold_due
from fairloop.domain.scheduling.leases import queue_order
from fairloop.domain.scheduling.skills import meets


@dataclass(slots=True)
class ItemState:
    id: int
    seq: int
    kind: str = "task"  # task | gold | qualification
    priority: int = 0
    skills: tuple[str, ...] = ()
    submissions: int = 0
    wanted: int = 1
    live_leases: int = 0
    had_by: set[int] = field(default_factory=set)
    """Workers who ever leased the item (a worker never gets it twice)."""


@dataclass(frozen=True, slots=True)
class WorkerState:
    id: int
    skills: Mapping[str, int]
    leased: int = 0
    gold_leased: int = 0
    pending: int = 0
    leased_today: int = 0
    qualified: bool = True


@dataclass(frozen=True, slots=True)
class Rules:
    gold_rate: float = 0.0
    max_pending: int = 1
    daily_cap: int | None = None
    skills: tuple[str, ...] = ()


SCARCITY_FACTOR = 10
"""Work is scarce when fewer open items remain than this many times ``max_pending``."""


def pending_cap(max_pending: int, open_items: int) -> int:
    """Live leases a worker may hold now: ``max_pending``, but only one while work is
    scarce, so nobody waits for items another worker is sitting on."""
    return max_pending if open_items >= max_pending * SCARCITY_FACTOR else 1


class Refused(Exception):
    """The worker may not lease now; ``code`` says why (the API's error code)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_worker(rules: Rules, worker: WorkerState) -> None:
    """Refusals that do not depend on the item: raises :class:`Refused`."""
    if not meets(rules.skills, worker.skills):
        raise Refused("skill_required")
    if not worker.qualified:
        raise Refused("qualification_required")
    if worker.pending >= rules.max_pending:
        raise Refused("max_pending")
    if rules.daily_cap is not None and worker.leased_today >= rules.daily_cap:
        raise Refused("daily_cap")


def open_for(item: ItemState, worker: WorkerState) -> bool:
    """The item may go to this worker: never had, skills met, and room left (gold
    has no overlap: every worker may see each gold item once)."""
    if worker.id in item.had_by or item.kind == "qualification":
        return False
    if not meets(item.skills, worker.skills):
        return False
    return item.kind == "gold" or item.submissions + item.live_leases < item.wanted


def choose(rules: Rules, worker: WorkerState, items: Sequence[ItemState]) -> ItemState | None:
    """The item this worker gets next, or None; raises :class:`Refused`."""
    check_worker(rules, worker)
    wants_gold = gold_due(
        gold_rate=rules.gold_rate,
        leased=worker.leased,
        gold_leased=worker.gold_leased,
        worker_id=worker.id,
    )
    kinds = ("gold", "task") if wants_gold else ("task",)
    for kind in kinds:
        found = [i for i in items if i.kind == kind and open_for(i, worker)]
        if found:
            return min(found, key=lambda i: queue_order(-i.priority, i.submissions, i.seq))
    return None
