"""The human-feedback task types as pure rules: specs, answers, order shown, and the
aggregation the datasets are built on."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairloop.domain.answers import validate_answer
from fairloop.domain.items import validate_item
from fairloop.domain.preferences import Vote, aggregate_order, aggregate_preference
from fairloop.domain.specs import parse_spec
from fairloop.domain.tasks.order import shown_order
from fairloop.errors import InvalidInput
from tests.factories.feedback import GOOD_ANSWERS, feedback_spec, item

KINDS = ["rate", "compare", "rank", "write", "converse"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_type_parses_and_takes_its_good_answer(kind):
    spec = parse_spec(feedback_spec(kind))
    validate_item(item(kind, 1), spec, where="items.jsonl:1")
    shown = shown_order(kind, item(kind, 1)["data"])
    assert validate_answer(GOOD_ANSWERS[kind], spec.task, shown=shown)


@pytest.mark.parametrize(
    ("kind", "task", "field"),
    [
        ("rate", {"criteria": [{"name": "x", "min": 5, "max": 3}]}, "task.criteria[0]"),
        ("rate", {"pairs": {"criterion": "nope"}}, "task"),
        ("compare", {"strengths": []}, "task.strengths"),
        ("write", {"min_length": 10, "max_length": 5}, "task"),
        ("converse", {"min_turns": 1}, "task.min_turns"),
    ],
)
def test_spec_errors_name_the_task_field(kind, task, field):
    with pytest.raises(InvalidInput) as refused:
        parse_spec(feedback_spec(kind, task=task))
    assert refused.value.field == field


ids = st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=3, max_size=9, unique=True)


@given(ids, st.data())
def test_a_rank_is_accepted_exactly_when_it_is_a_permutation_of_the_shown(shown, data):
    task = parse_spec(feedback_spec("rank", task={"allow_ties": False})).task
    order = data.draw(st.lists(st.sampled_from([*shown, "zz"]), min_size=1, max_size=10))
    if sorted(order) == sorted(shown):
        assert validate_answer({"order": order}, task, shown=shown) == {"order": order}
    else:
        with pytest.raises(InvalidInput) as refused:
            validate_answer({"order": order}, task, shown=shown)
        assert refused.value.field == "answer.order"


@given(st.integers(min_value=-3, max_value=12))
def test_a_rating_is_accepted_exactly_within_its_scale(value):
    task = parse_spec(feedback_spec("rate")).task
    answer = {"ratings": {"helpfulness": value, "honesty": 4}}
    if 1 <= value <= 7:
        assert validate_answer(answer, task)["ratings"]["helpfulness"] == value
    else:
        with pytest.raises(InvalidInput) as refused:
            validate_answer(answer, task)
        assert refused.value.field == "answer.ratings.helpfulness"


def test_the_order_shown_is_a_shuffle_of_the_response_ids():
    data = item("rank", 0)["data"]
    seen = {tuple(shown_order("rank", data, rng=random.Random(s))) for s in range(50)}
    assert all(sorted(order) == ["p", "q", "r", "s"] for order in seen)
    assert len(seen) > 10
    assert shown_order("write", item("write", 0)["data"]) is None


picks = st.lists(st.sampled_from(["a", "b", "tie"]), min_size=1, max_size=9)


@given(st.lists(picks, min_size=1, max_size=20))
def test_majority_preference_names_a_strict_winner_or_a_tie(items):
    votes = [Vote(i, w, p) for i, item_picks in enumerate(items) for w, p in enumerate(item_picks)]
    results = list(aggregate_preference(votes))
    assert [r.item_id for r in results] == list(range(len(items)))
    for result, item_picks in zip(results, items, strict=True):
        counts = {p: item_picks.count(p) for p in ("a", "b", "tie")}
        assert result.votes == len(item_picks)
        if result.winner is None:
            top = max(counts.values())
            assert counts["tie"] == top or counts["a"] == counts["b"] == top
        else:
            assert all(counts[result.winner] > n for p, n in counts.items() if p != result.winner)


def test_aggregate_order_by_mean_place_keeps_equal_means_tied():
    assert aggregate_order([["a", "b", "c"], ["b", "a", "c"]]) == [["a", "b"], "c"]
    assert aggregate_order([["a", ["b", "c"]], ["a", "c", "b"]]) == ["a", "c", "b"]


def test_a_modelled_winner_leads_the_order():
    from fairloop.domain.preferences import lead_with

    assert lead_with(["a", ["b", "c"], "d"], "c") == ["c", "a", "b", "d"]
    assert lead_with(["a", ["b", "c", "d"]], "d") == ["d", "a", ["b", "c"]]
    assert lead_with(["a", "b"], None) == ["a", "b"]
    assert lead_with(["a", "b"], "a") == ["a", "b"]
