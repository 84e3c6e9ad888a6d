"""The ``review`` task: hazard codes and a severity for an item."""

from __future__ import annotations

import pytest

from fairloop.domain.specs import parse_spec
from fairloop.errors import InvalidInput
from tests.factories import SPEC


def review(**task):
    return parse_spec({**SPEC, "task": {"type": "review", **task}}).task


def refused(task, answer) -> InvalidInput:
    with pytest.raises(InvalidInput) as exc:
        task.validate_answer(answer)
    return exc.value


def test_answer_is_stored_in_category_order():
    task = review(categories=["hte", "vcr"])
    got = task.validate_answer({"hazards": ["vcr", "hte"], "severity": 3, "note": " x "})
    assert got == {"hazards": ["hte", "vcr"], "severity": 3, "note": "x"}
    assert task.validate_answer({"hazards": [], "severity": 0}) == {
        "hazards": [],
        "severity": 0,
        "note": "",
    }


def test_bad_answers_name_their_field():
    task = review()
    assert refused(task, {"hazards": ["vcr"], "severity": 7}).field == "answer.severity"
    assert "7" in refused(task, {"hazards": ["vcr"], "severity": 7}).message
    bad_code = refused(task, {"hazards": ["zzz"], "severity": 2})
    assert bad_code.field == "answer.hazards" and "zzz" in bad_code.message
    assert refused(task, {"hazards": ["vcr"], "severity": 0}).field == "answer.severity"
    assert refused(task, {"hazards": ["vcr"], "severity": True}).field == "answer.severity"
    assert refused(task, {"severity": 1, "extra": 1}).field == "answer.extra"


def test_spec_refuses_unknown_categories():
    with pytest.raises(InvalidInput) as exc:
        review(categories=["vcr", "nope"])
    assert exc.value.field == "task.categories" and "nope" in exc.value.message
