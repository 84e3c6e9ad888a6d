"""The scheduling rule over random projects, workers and event sequences (lease,
submit, release, expire, clock jumps), without a database."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from fairloop.domain import scheduling as rule

SKILLS = ["language:sw", "language:en", "domain:medicine@2", "coding:python@3"]
LABELS = ["a", "b", "c"]
LEASE_TICKS = 5


@dataclass
class Lease:
    worker: int
    item: rule.ItemState
    expires: int
    open: bool = True


@dataclass
class World:
    rules: rule.Rules
    overlap: rule.OverlapRule
    items: list[rule.ItemState]
    workers: dict[int, rule.WorkerState]
    answers: dict[int, list[str]] = field(default_factory=dict)
    leases: list[Lease] = field(default_factory=list)
    now: int = 0
    handed: list[tuple[int, int]] = field(default_factory=list)

    def live(self, lease: Lease) -> bool:
        return lease.open and lease.expires > self.now

    def refresh(self) -> None:
        """Derive what the SQL derives: live leases per item, pending per worker."""
        for item in self.items:
            item.live_leases = sum(1 for ls in self.leases if ls.item is item and self.live(ls))
        for wid, w in self.workers.items():
            pending = sum(1 for ls in self.leases if ls.worker == wid and self.live(ls))
            self.workers[wid] = replace(w, pending=pending)

    def lease(self, wid: int) -> None:
        self.refresh()
        worker = self.workers[wid]
        try:
            item = rule.choose(self.rules, worker, self.items)
        except rule.Refused:
            return
        if item is None:
            return
        self.handed.append((wid, item.id))
        item.had_by.add(wid)
        self.leases.append(Lease(wid, item, self.now + LEASE_TICKS))
        self.workers[wid] = replace(
            worker,
            leased=worker.leased + 1,
            gold_leased=worker.gold_leased + (item.kind == "gold"),
            leased_today=worker.leased_today + 1,
        )
        self.refresh()
        # Room was checked with the lease counted nowhere: never over what it wants.
        if item.kind == "task":
            assert item.submissions + item.live_leases <= item.wanted

    def submit(self, index: int, label: str) -> None:
        """Late work is accepted; it counts only while the item is under ``wanted``."""
        open_leases = [ls for ls in self.leases if ls.open]
        if not open_leases:
            return
        lease = open_leases[index % len(open_leases)]
        lease.open = False
        item = lease.item
        if item.kind != "task" or item.submissions < item.wanted:
            item.submissions += 1
            if item.kind == "task":
                self.answers.setdefault(item.id, []).append(label)
                item.wanted = rule.wanted_submissions(self.overlap, self.answers[item.id])

    def release(self, index: int) -> None:
        open_leases = [ls for ls in self.leases if ls.open]
        if open_leases:
            open_leases[index % len(open_leases)].open = False


overlaps = st.one_of(
    st.integers(1, 4).map(lambda n: rule.OverlapRule(n, n)),
    st.tuples(st.integers(1, 3), st.integers(0, 3), st.sampled_from([0.6, 0.75, 0.9])).map(
        lambda t: rule.OverlapRule(t[0], t[0] + t[1], t[2])
    ),
)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    overlap = draw(overlaps)
    items = []
    for i in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["task", "task", "task", "gold"]))
        needs = draw(st.lists(st.sampled_from(SKILLS), max_size=1))
        items.append(
            rule.ItemState(
                id=i,
                seq=i,
                kind=kind,
                priority=draw(st.integers(0, 2)),
                skills=tuple(rule.requirement_token(s) for s in needs),
                wanted=overlap.min,
            )
        )
    workers = {}
    for w in range(draw(st.integers(1, 5))):
        held = draw(
            st.dictionaries(st.sampled_from([s.split("@")[0] for s in SKILLS]), st.integers(1, 5))
        )
        workers[w] = rule.WorkerState(id=w, skills=held, qualified=draw(st.booleans()))
    rules = rule.Rules(
        gold_rate=draw(st.sampled_from([0.0, 0.1, 0.3])),
        max_pending=draw(st.integers(1, 3)),
        daily_cap=draw(st.one_of(st.none(), st.integers(1, 6))),
        skills=tuple(draw(st.lists(st.sampled_from(["language:en"]), max_size=1))),
    )
    return World(rules, overlap, items, workers)


events = st.lists(
    st.one_of(
        st.tuples(st.just("lease"), st.integers(0, 4), st.just("")),
        st.tuples(st.just("submit"), st.integers(0, 20), st.sampled_from(LABELS)),
        st.tuples(st.just("release"), st.integers(0, 20), st.just("")),
        st.tuples(st.just("tick"), st.integers(1, 3), st.just("")),
        st.tuples(st.just("jump"), st.integers(LEASE_TICKS, 50), st.just("")),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(worlds(), events)
def test_invariants_hold_over_any_event_sequence(world: World, sequence):
    for name, n, label in sequence:
        if name == "lease" and n in world.workers:
            world.lease(n)
        elif name == "submit":
            world.submit(n, label)
        elif name == "release":
            world.release(n)
        else:  # tick, or a clock jump past every lease: expired leases free their items
            world.now += n
    # No worker twice on an item (gold included).
    assert len(world.handed) == len(set(world.handed))
    by_id = {i.id: i for i in world.items}
    for wid, item_id in world.handed:
        worker, item = world.workers[wid], by_id[item_id]
        # Never to a worker lacking a required skill or the qualification.
        assert rule.meets(item.skills, worker.skills)
        assert rule.meets(world.rules.skills, worker.skills)
        assert worker.qualified
        assert item.kind != "qualification"
    for item in world.items:
        if item.kind == "task":
            # Overlap never exceeded; dynamic overlap stays within min and max.
            assert item.submissions <= world.overlap.max
            assert world.overlap.min <= item.wanted <= world.overlap.max
            assert item.submissions <= item.wanted
    for w in world.workers.values():
        if world.rules.daily_cap is not None:
            assert w.leased_today <= world.rules.daily_cap


@settings(max_examples=50, deadline=None)
@given(st.sampled_from([0.02, 0.05, 0.1, 0.25]), st.integers(0, 10_000), st.integers(400, 1500))
def test_gold_share_stays_within_one_item_of_gold_rate(gold_rate, worker_id, n):
    """One worker over a long run, with work and gold never running out."""
    leased = gold = 0
    for _ in range(n):
        due = rule.gold_due(
            gold_rate=gold_rate, leased=leased, gold_leased=gold, worker_id=worker_id
        )
        leased += 1
        gold += due
        assert abs(gold - gold_rate * leased) <= 1
    assert abs(gold / leased - gold_rate) <= 1 / leased + 1e-9


@settings(max_examples=50, deadline=None)
@given(st.sampled_from([0.05, 0.1]), st.integers(0, 10_000))
def test_gold_is_never_handed_twice_even_when_it_runs_out(gold_rate, worker_id):
    items = [
        rule.ItemState(id=i, seq=i, kind="gold" if i < 3 else "task", wanted=1) for i in range(200)
    ]
    worker = rule.WorkerState(id=worker_id, skills={})
    seen = []
    for _ in range(150):
        item = rule.choose(rule.Rules(gold_rate=gold_rate), worker, items)
        assert item is not None
        seen.append(item.id)
        item.had_by.add(worker_id)
        item.submissions += 1
        worker = replace(
            worker, leased=worker.leased + 1, gold_leased=worker.gold_leased + (item.kind == "gold")
        )
    assert len(seen) == len(set(seen))
    assert sum(1 for i in seen if i < 3) == 3


@given(st.lists(st.sampled_from(LABELS), max_size=12), overlaps)
def test_dynamic_overlap_stops_when_confident_and_asks_more_on_disagreement(keys, overlap):
    wanted = rule.wanted_submissions(overlap, keys)
    assert overlap.min <= wanted <= overlap.max
    if not overlap.dynamic:
        assert wanted == overlap.max
    elif len(keys) >= overlap.min and len(keys) < overlap.max:
        confident = rule.item_confidence(keys) >= overlap.confidence
        assert wanted == (len(keys) if confident else len(keys) + 1)


def test_item_confidence_is_the_majority_share():
    assert rule.item_confidence([]) == 0
    assert rule.item_confidence(["a", "a", "b"]) == 2 / 3
    assert rule.item_confidence(["a", "a"]) == 1


@given(st.dictionaries(st.sampled_from(["language:sw", "domain:law"]), st.integers(1, 5)))
def test_skill_levels_meet_requirements_at_or_below_them(skills):
    for name, level in skills.items():
        assert rule.meets([f"{name}@{level}"], skills)
        assert rule.meets([name], skills)
        if level < 5:
            assert not rule.meets([f"{name}@{level + 1}"], skills)
    assert not rule.meets(["coding:rust"], skills)


def test_pending_cap_drops_to_one_when_work_is_scarce():
    assert rule.pending_cap(3, 30) == 3
    assert rule.pending_cap(3, 29) == 1
    assert rule.pending_cap(1, 0) == 1


def test_the_scheduled_example_spec_is_valid():
    from pathlib import Path

    from fairloop.domain.specs import load_spec_text

    root = Path(__file__).parents[2]
    spec = load_spec_text((root / "examples" / "label-scheduled.yaml").read_text())
    assert spec.overlap_min == 2 and spec.overlap_max == 5 and spec.gold_rate == 0.05
    assert spec.qualification is not None and spec.qualification.pass_mark == 0.8
