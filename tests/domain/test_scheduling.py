"""The scheduling rules the lease service applies, over plain values; the service
itself is property-tested on both databases in tests/services/test_scheduling_properties.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fairloop.domain import scheduling as rule
from fairloop.domain.scheduling import has_room, queue_order
from fairloop.domain.specs import load_spec_text

LABELS = ["a", "b", "c"]

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@given(st.integers(1, 50), st.integers(0, 60), st.integers(0, 60))
def test_room_means_staying_under_overlap(overlap, submissions, live):
    assert has_room(overlap=overlap, submissions=submissions, live_leases=live) == (
        submissions + live < overlap
    )


@given(
    st.lists(
        st.tuples(st.integers(-5, 5), st.integers(0, 5), st.integers(0, 1000)),
        min_size=2,
        unique_by=lambda t: t[2],
    )
)
def test_queue_order_puts_priority_then_fewest_submissions_then_import_order_first(rows):
    first = min(rows, key=lambda r: queue_order(*r))
    assert first[0] == min(r[0] for r in rows)
    same_priority = [r for r in rows if r[0] == first[0]]
    assert first[1] == min(r[1] for r in same_priority)


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


overlaps = st.one_of(
    st.integers(1, 4).map(lambda n: rule.OverlapRule(n, n)),
    st.tuples(st.integers(1, 3), st.integers(0, 3), st.sampled_from([0.6, 0.75, 0.9])).map(
        lambda t: rule.OverlapRule(t[0], t[0] + t[1], t[2])
    ),
)


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
    root = Path(__file__).parents[2]
    spec = load_spec_text((root / "examples" / "label-scheduled.yaml").read_text())
    assert spec.overlap_min == 2 and spec.overlap_max == 5 and spec.gold_rate == 0.05
    assert spec.qualification is not None and spec.qualification.pass_mark == 0.8
