"""Invariants 6 and 7 over the real lease path and database, with a fake clock:
random projects, items, opt-outs, consents, disclosure changes and work sequences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from fairloop.db.models import Assignment, Item
from fairloop.domain.wellbeing import HazardWork, Policy, continuous_run, day_start
from fairloop.domain.wellbeing import weighted_seconds as weighted
from fairloop.errors import Forbidden, WellbeingRefusal
from fairloop.services.projects import consent, revise_disclosure
from fairloop.services.wellbeing.exposure import set_opt_outs
from fairloop.services.work.assign import lease_next, release
from fairloop.services.work.submit import submit
from tests import factories as f
from tests.conftest import clean

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
CODES = ["vcr", "hte", "ssh"]
POLICY = Policy()

items_strategy = st.lists(
    st.tuples(
        st.sampled_from([["vcr"], ["hte"], ["ssh"], ["vcr", "hte"], ["vcr"], []]),
        st.integers(0, 4),
    ),
    min_size=10,
    max_size=25,
)
work = st.tuples(
    st.just("work"),
    st.integers(0, 1),  # project
    st.sampled_from([0, 0, 0, 1, 3, 9, 11, 30]),  # minutes of rest first
    st.integers(3, 29),  # minutes the item takes
    st.booleans(),  # submit (True) or stop and skip (False)
)
event = st.one_of(
    work,
    work,
    work,
    work,
    st.tuples(st.just("opt_out"), st.lists(st.sampled_from(CODES), unique=True, max_size=2)),
    st.tuples(st.just("consent"), st.integers(0, 1)),
    st.tuples(st.just("revise"), st.integers(0, 1)),
)


def answer(db, worker, lease, now, minutes):
    submit(
        db,
        worker,
        lease.id,
        {"label": "toxic"},
        active_seconds=minutes * 60,
        idempotency_key=f"k{lease.id}",
        now=now,
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    projects=st.lists(items_strategy, min_size=2, max_size=2),
    events=st.lists(event, min_size=20, max_size=50),
)
def test_leases_respect_opt_outs_budget_breaks_and_consent(db, projects, events):
    clean(db)
    requester, _ = f.user(db, "requester")
    worker, _ = f.user(db, "worker")
    ids = []
    for n, items in enumerate(projects):
        pid = f.project(db, requester, overlap=1, **f.hazard_spec(CODES, name=f"p{n}"))
        rows = [
            {"data": {"text": f"t{i}"}, **({"hazards": h, "severity": s} if h else {})}
            for i, (h, s) in enumerate(items)
        ]
        f.add_items(db, requester, pid, rows)
        ids.append(pid)
    version = {pid: 1 for pid in ids}
    consent(db, worker, ids[0])
    consented: dict[int, int] = {ids[0]: 1}
    opted: set[str] = set()
    now = T0
    revisions = 0
    for ev in events:
        kind = ev[0]
        if kind == "opt_out":
            set_opt_outs(db, worker, ev[1])
            opted = set(ev[1])
        elif kind == "consent":
            consent(db, worker, ids[ev[1]])
            consented[ids[ev[1]]] = version[ids[ev[1]]]
        elif kind == "revise":
            pid = ids[ev[1]]
            revisions += 1
            body = {**f.SPEC["disclosure"], "end_use": f"Revision {revisions}"}
            version[pid] = revise_disclosure(db, requester, pid, body)["disclosure_version"]
        else:
            _, p, rest, minutes, submits = ev
            pid = ids[p]
            now += timedelta(minutes=rest)
            may = consented.get(pid) == version[pid]
            try:
                lease = lease_next(db, worker, pid, now=now)
            except WellbeingRefusal as refusal:
                assert may and refusal.resume_at is not None
                continue
            except Forbidden as refused:
                assert refused.code == "consent_required" and not may
                continue
            assert may, "leased before consent to the current disclosure"
            if lease is None:
                continue
            assert not set(lease.hazards or []) & opted, "leased an opted-out hazard"
            now += timedelta(minutes=minutes)
            if submits:
                answer(db, worker, lease, now, minutes)
            else:
                release(db, worker, lease.id, active_seconds=minutes * 60, now=now)
    _check_exposure_and_breaks(db)


def _check_exposure_and_breaks(db):
    with db.transaction(readonly=True) as s:
        rows = s.execute(
            select(
                Assignment.leased_at, Assignment.ended_at, Assignment.active_seconds, Item.severity
            )
            .join(Item, Item.id == Assignment.item_id)
            .where(Item.hazards.is_not(None))
            .order_by(Assignment.leased_at)
        ).all()
    work = [HazardWork(r.leased_at, r.ended_at, r.active_seconds, r.severity) for r in rows]
    if not work:
        return
    longest = max(weighted(w, POLICY) for w in work)
    per_day: dict[datetime, float] = {}
    for w in work:
        per_day[day_start(w.started_at)] = per_day.get(day_start(w.started_at), 0) + weighted(
            w, POLICY
        )
    assert max(per_day.values()) <= POLICY.daily_minutes * 60 + longest
    for i, w in enumerate(work):
        run = continuous_run(work[:i], w.started_at, POLICY)
        if run and run[1] - run[0] >= timedelta(minutes=POLICY.break_after_minutes):
            assert w.started_at - run[1] >= timedelta(minutes=POLICY.break_minutes), (
                "no break after a long run"
            )
