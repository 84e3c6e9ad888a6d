"""The scheduler's invariants over the real lease and submit, on both databases.

Hypothesis draws a project (overlap, fixed or dynamic; gold rate; a qualification;
project and item skills; max_pending; daily cap), its items and workers, and a
sequence of leases, submissions, releases and clock moves (a move past the lease
time lets expired leases go back to the pool; late work is still submitted). Every
lease is checked as it is handed out, and the stored assignments and submissions at
the end (DESIGN.md invariant 2, gold, skills, qualification, max_pending, daily cap).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from fairloop.cli.common import OPERATOR
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, Submission
from fairloop.domain import scheduling as rule
from fairloop.domain.actors import Actor
from fairloop.errors import NotNow, PendingLimit
from fairloop.services.work import qualification
from fairloop.services.work.assign import Lease, lease_next, release
from fairloop.services.work.skills import grant_skill
from fairloop.services.work.submit import submit
from tests import factories as f
from tests.conftest import clean

# Late in the day: clock jumps cross midnight (UTC), where the daily cap starts again.
T0 = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)
LEASE_MINUTES = 5
LABELS = ["a", "b", "c"]
TASK = {"type": "label", "instructions": "Pick one.", "labels": LABELS}
GOLD = {"label": "a"}
PROJECT_SKILL = "language:en"
ITEM_SKILLS = ["language:sw", "language:en", "domain:medicine@2", "coding:python@3"]
HELD_SKILLS = ["language:sw", "language:en", "domain:medicine", "coding:python"]

overlaps = st.one_of(
    st.integers(1, 4),
    st.tuples(st.integers(1, 3), st.integers(0, 3), st.sampled_from([0.6, 0.75, 0.9])).map(
        lambda t: {"min": t[0], "max": t[0] + t[1], "confidence": t[2]}
    ),
)


@st.composite
def projects(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(spec overrides, item rows); with a qualification, its one gold item first."""
    spec: dict[str, Any] = {
        "task": TASK,
        "overlap": draw(overlaps),
        "gold_rate": draw(st.sampled_from([None, 0.0, 0.1, 0.3, 0.5])),
        "max_pending": draw(st.integers(1, 3)),
        "daily_cap": draw(st.one_of(st.none(), st.integers(1, 6))),
        "skills": draw(st.sampled_from([[], [], [], [PROJECT_SKILL]])),
        "lease_minutes": LEASE_MINUTES,
    }
    rows: list[dict[str, Any]] = []
    if draw(st.integers(0, 2)) == 0:
        spec["qualification"] = {"items": 1, "pass": 1.0}
        rows.append({"id": "test", "data": {"text": "the test"}, "gold": GOLD})
    # Scarce work (a few items, soon full) or plenty: only from 10 x max_pending open
    # items on may a worker hold more than one lease.
    for n in range(draw(st.one_of(st.integers(1, 6), st.integers(30, 40)))):
        row: dict[str, Any] = {"id": f"i{n}", "data": {"text": f"comment {n}"}}
        row["priority"] = draw(st.integers(0, 2))
        if draw(st.integers(0, 3)) == 0:
            row["gold"] = GOLD
        if skills := draw(st.lists(st.sampled_from(ITEM_SKILLS), max_size=1)):
            row["skills"] = skills
        rows.append(row)
    return spec, rows


workers_strategy = st.lists(
    st.tuples(
        st.dictionaries(st.sampled_from(HELD_SKILLS), st.integers(1, 5)),  # skill -> level
        st.sampled_from([True, True, True, False]),  # passes the qualification, if any
    ),
    min_size=2,  # another worker's leases are what overlap and room are about
    max_size=4,
)
# Leases three times as likely as a release, submissions and clock jumps twice.
events_strategy = st.lists(
    st.one_of(
        st.tuples(st.just("lease"), st.integers(0, 3)),
        st.tuples(st.just("lease"), st.integers(0, 3)),
        st.tuples(st.just("lease"), st.integers(0, 3)),
        st.tuples(st.just("submit"), st.integers(0, 20), st.sampled_from(LABELS)),
        st.tuples(st.just("submit"), st.integers(0, 20), st.sampled_from(LABELS)),
        st.tuples(st.just("release"), st.integers(0, 20)),
        st.tuples(st.just("tick"), st.integers(1, 3)),
        st.tuples(st.just("jump"), st.integers(LEASE_MINUTES, 12 * 60)),
        st.tuples(st.just("jump"), st.integers(LEASE_MINUTES, 12 * 60)),
    ),
    min_size=10,
    max_size=40,
)


@dataclass
class Worker:
    actor: Actor
    skills: dict[str, int]
    qualified: bool
    handed: set[int] = field(default_factory=set)
    """Items lease_next gave this worker (by id)."""
    per_day: Counter[date] = field(default_factory=Counter)


@dataclass
class Run:
    db: Database
    project_id: int
    spec: dict[str, Any]
    workers: list[Worker]
    now: datetime = T0
    open: list[tuple[Worker, Lease]] = field(default_factory=list)
    """Leases neither submitted nor released (expired ones included)."""

    def live(self, worker: Worker) -> list[Lease]:
        return [ls for w, ls in self.open if w is worker and ls.lease_expires_at > self.now]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(project=projects(), workers=workers_strategy, events=events_strategy)
def test_leases_and_submissions_keep_the_scheduling_invariants(db, project, workers, events):
    clean(db)
    run = set_up(db, *project, workers)
    for step in events:
        name, n = step[0], step[1]
        if name == "lease":
            lease(run, run.workers[n % len(run.workers)])
        elif name == "submit" and run.open:
            worker, held = run.open.pop(n % len(run.open))
            stored, replayed = submit(
                db,
                worker.actor,
                held.id,
                {"label": step[2]},
                active_seconds=5,
                idempotency_key=f"k{held.id}",
                now=run.now,
            )
            # Late work is accepted (and only counted while the item is under overlap).
            assert not replayed and stored["late"] == (held.lease_expires_at <= run.now)
        elif name == "release" and run.open:
            worker, held = run.open.pop(n % len(run.open))
            release(db, worker.actor, held.id, now=run.now)
        elif name in ("tick", "jump"):
            run.now += timedelta(minutes=n)
    check_stored(run)


def set_up(
    db: Database,
    spec: dict[str, Any],
    rows: list[dict[str, Any]],
    workers: list[tuple[dict[str, int], bool]],
) -> Run:
    """The project, its items and consented workers with their skills; workers who
    pass the qualification take it (one gold item, answered right) before T0."""
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, **spec)
    f.add_items(db, requester, project_id, rows)
    run = Run(db, project_id, spec, [])
    for skills, qualified in workers:
        actor, _ = f.consented_worker(db, project_id, password=None)
        for name, level in skills.items():
            grant_skill(db, OPERATOR, actor.email, name, level=level)
        passes = qualified and "qualification" in spec
        if passes:
            test = qualification.lease_question(db, actor, project_id, now=T0 - timedelta(hours=1))
            assert test is not None
            submit(db, actor, test.id, GOLD, active_seconds=20, idempotency_key=f"q{test.id}")
        run.workers.append(Worker(actor, skills, passes))
    return run


def lease(run: Run, worker: Worker) -> None:
    """One lease_next, checked against what the worker may get right now."""
    live = run.live(worker)
    due = refusal_due(run, worker, live)
    try:
        got = lease_next(run.db, worker.actor, run.project_id, now=run.now)
    except (PendingLimit, NotNow) as refused:
        assert refused.code == due, f"refused with {refused.code}, expected {due}"
        if isinstance(refused, PendingLimit):
            assert sorted(refused.held) == sorted(ls.id for ls in live)
        return
    assert due is None, f"leased although {due} should have refused"
    if got is None:
        assert not task_items_with_room(run, worker), "no work given while an item had room"
        return
    item = item_state(run, got.item_id)
    assert got.item_id not in worker.handed, "the same item twice to one worker"
    assert item["kind"] != "qualification", "a qualification item handed out as work"
    assert rule.meets(item["skills"], worker.skills), "an item needing a skill the worker lacks"
    if item["kind"] == "task":  # room was checked with this lease counted nowhere
        assert item["submission_count"] + item["live"] <= item["wanted"]
    worker.handed.add(got.item_id)
    worker.per_day[run.now.date()] += 1
    run.open.append((worker, got))
    assert len(live) + 1 <= run.spec["max_pending"]
    cap = run.spec["daily_cap"]
    assert cap is None or worker.per_day[run.now.date()] <= cap


def refusal_due(run: Run, worker: Worker, live: list[Lease]) -> str | None:
    """The code lease_next must refuse with now, or None: pending leases are checked
    first, then the project's skills, the qualification and the daily cap."""
    spec = run.spec
    if live:
        cap = spec["max_pending"]
        if len(live) < cap:  # fewer open items than 10 x max_pending: one lease at a time
            cap = rule.pending_cap(cap, open_task_items(run))
        if len(live) >= cap:
            return "max_pending"
    if not rule.meets(spec["skills"], worker.skills):
        return "skill_required"
    if "qualification" in spec and not worker.qualified:
        return "qualification_required"
    cap = spec["daily_cap"]
    if cap is not None and worker.per_day[run.now.date()] >= cap:
        return "daily_cap"
    return None


def _live_on_item(now: datetime) -> Any:
    return (
        select(func.count())
        .where(
            Assignment.item_id == Item.id,
            Assignment.state == "leased",
            Assignment.lease_expires_at > now,
        )
        .scalar_subquery()
        .label("live")
    )


def item_state(run: Run, item_id: int) -> dict[str, Any]:
    query = select(
        Item.kind, Item.skills, Item.submission_count, Item.wanted, _live_on_item(run.now)
    ).where(Item.id == item_id)
    with run.db.engine.connect() as conn:
        return dict(conn.execute(query).one()._mapping)


def open_task_items(run: Run) -> int:
    query = select(func.count()).where(
        Item.project_id == run.project_id,
        Item.kind == "task",
        Item.submission_count < Item.wanted,
    )
    with run.db.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def task_items_with_room(run: Run, worker: Worker) -> list[str]:
    """Task items this worker never had, with the skills met and room under overlap."""
    query = select(
        Item.id, Item.external_id, Item.skills, Item.submission_count, Item.wanted
    ).where(Item.project_id == run.project_id, Item.kind == "task")
    query = query.add_columns(_live_on_item(run.now))
    with run.db.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        r.external_id
        for r in rows
        if r.id not in worker.handed
        and r.submission_count + r.live < r.wanted
        and rule.meets(r.skills, worker.skills)
    ]


def check_stored(run: Run) -> None:
    """What the database holds at the end: invariant 2, gold, skills, qualification,
    the daily cap, and overlap (dynamic overlap within its min and max)."""
    with run.db.engine.connect() as conn:
        handed = conn.execute(
            select(Assignment.worker_id, Assignment.item_id, Assignment.leased_at, Item.kind)
            .join(Item, Item.id == Assignment.item_id)
            .where(Assignment.kind == "task")
        ).all()
        answers = conn.execute(
            select(Submission.item_id, Submission.worker_id, Submission.counted)
        ).all()
        items = conn.execute(select(Item.id, Item.kind, Item.submission_count, Item.wanted)).all()
    pairs = Counter((a.worker_id, a.item_id) for a in handed)
    assert max(pairs.values(), default=1) == 1, "a worker got the same item twice"
    assert {(w.actor.id, i) for w in run.workers for i in w.handed} == set(pairs)
    assert all(a.kind != "qualification" for a in handed)
    qualified = {w.actor.id for w in run.workers if w.qualified}
    if "qualification" in run.spec:
        assert {a.worker_id for a in handed} <= qualified, "work before passing the test"
    if (cap := run.spec["daily_cap"]) is not None:
        per_day = Counter((a.worker_id, a.leased_at.astimezone(UTC).date()) for a in handed)
        assert max(per_day.values(), default=0) <= cap
    overlap = run.spec["overlap"]
    low, high = (overlap, overlap) if isinstance(overlap, int) else (overlap["min"], overlap["max"])
    for item in items:
        mine = [s for s in answers if s.item_id == item.id]
        assert len({s.worker_id for s in mine}) == len(mine), "one worker answered an item twice"
        assert sum(s.counted for s in mine) == item.submission_count
        if item.kind == "task":
            assert low <= item.wanted <= high
            assert item.submission_count <= item.wanted, "overlap exceeded"


@pytest.mark.parametrize("gold_rate", [0.25, 0.5])
def test_gold_runs_out_without_repeats_and_the_work_goes_on(db, gold_rate):
    """Gold keeps its share while it lasts; once each gold item has been handed out
    the worker gets task items, never a gold item again."""
    requester, _ = f.user(db, "requester", password=None)
    project_id = f.project(db, requester, overlap=1, gold_rate=gold_rate)
    gold = [
        {"id": f"g{i}", "data": {"text": f"gold {i}"}, "gold": {"label": "toxic"}} for i in range(3)
    ]
    tasks = [{"id": f"t{i}", "data": {"text": f"task {i}"}} for i in range(12)]
    f.add_items(db, requester, project_id, gold + tasks)
    worker, _ = f.consented_worker(db, project_id, password=None)
    handed: list[str] = []
    while (got := lease_next(db, worker, project_id, now=T0)) is not None:
        handed.append(got.external_id)
        f.answer_label(db, worker, got.id, seconds=5, now=T0)
        golds = sum(1 for h in handed if h.startswith("g"))
        if golds < len(gold):
            assert abs(golds - gold_rate * len(handed)) <= 1, handed
        assert len(handed) <= len(gold) + len(tasks), handed
    assert sorted(handed) == sorted(r["id"] for r in gold + tasks)
