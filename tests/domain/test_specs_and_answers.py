from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairloop.domain.answers import validate_answer
from fairloop.domain.consensus import majority
from fairloop.domain.items import validate_item
from fairloop.domain.specs import load_spec_text, parse_spec
from fairloop.errors import InvalidInput
from tests.factories import HAZARD_FIELDS, SPEC


def refused(body) -> InvalidInput:
    with pytest.raises(InvalidInput) as exc:
        parse_spec(body)
    return exc.value


@pytest.mark.parametrize("field", ["purpose", "end_use", "data_use", "withdrawal", "contact"])
def test_every_disclosure_field_is_required(field):
    body = copy.deepcopy(SPEC)
    del body["disclosure"][field]
    assert refused(body).field == f"disclosure.{field}"


def test_spec_errors_name_their_field():
    assert refused({**SPEC, "overlap": 0}).field == "overlap"
    assert refused({**SPEC, "pay": {**SPEC["pay"], "per_task": "0.305"}}).field == "pay.per_task"
    assert refused({**SPEC, "hazards": ["zzz"]}).field == "hazards"
    assert refused({**SPEC, "hazards": ["vcr"]}).field == "support"
    assert refused({**SPEC, "task": {**SPEC["task"], "labels": ["a"]}}).field == "task.labels"
    assert refused({**SPEC, "colour": "red"}).field == "colour"


def test_yaml_errors_name_the_line():
    with pytest.raises(InvalidInput) as exc:
        load_spec_text("name: x\n  bad: [\n", source="spec.yaml")
    assert exc.value.field.startswith("spec.yaml:")


label_text = st.text(alphabet=st.characters(categories=("L", "N", "P")), min_size=1, max_size=8)
labels = st.lists(label_text, min_size=2, max_size=6, unique=True)


@given(labels, st.data())
def test_an_answer_is_accepted_exactly_when_its_label_is_listed(names, data):
    task = parse_spec({**SPEC, "task": {"type": "label", "labels": names}}).task
    choice = data.draw(st.text(max_size=8))
    if choice in names:
        assert validate_answer({"label": choice}, task) == {"label": choice}
    else:
        with pytest.raises(InvalidInput):
            validate_answer({"label": choice}, task)


@given(labels, st.data())
def test_majority_picks_a_most_voted_label(names, data):
    votes = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=15))
    answer, confidence = majority([{"label": v} for v in votes], names)
    top = max(votes.count(n) for n in names)
    assert votes.count(answer["label"]) == top
    assert confidence == pytest.approx(top / len(votes))


def test_items_are_checked_against_the_spec():
    spec = parse_spec({**SPEC, **HAZARD_FIELDS, "hazards": ["vcr"]})
    good = validate_item(
        {"id": 7, "data": {"text": "x"}, "gold": "toxic", "hazards": ["vcr"], "severity": "2"},
        spec,
        where="f:2",
    )
    assert (good.external_id, good.gold, good.severity) == ("7", {"label": "toxic"}, 2)
    for raw, field in [
        ({"data": "x"}, "f:2: data"),
        ({"data": {}, "gold": "blue"}, "f:2: gold"),
        ({"data": {}, "hazards": ["hte"]}, "f:2: hazards"),
        ({"data": {}, "severity": 9}, "f:2: severity"),
        ({"data": {}, "colour": 1}, "f:2: colour"),
    ]:
        with pytest.raises(InvalidInput) as exc:
            validate_item(raw, spec, where="f:2")
        assert exc.value.field == field
