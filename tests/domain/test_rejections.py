"""The evidence rules of a rejection, without a database: a quote must be in the answer,
a missing part must be empty in it, a failed check must really fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fairloop.domain.rejections import (
    Claim,
    GoldCheck,
    appeal_deadline,
    check_review,
    failed_checks_evidence,
    low_effort_evidence,
    missing_parts_evidence,
    review_deadline,
)
from fairloop.errors import InvalidInput

ANSWER = {
    "text": "It is fine.\n\nReally   fine.",
    "fields": {"sources": "", "title": "Fine"},
    "turns": [{"content": "hello"}, {"content": ""}],
}


def test_a_quote_is_found_in_the_answer_whatever_its_white_space():
    claim = Claim(quotes=("fine. Really fine.", "hello"), note="two words for an essay")
    shown = low_effort_evidence(ANSWER, claim)
    assert '"fine. Really fine." (in answer.text)' in shown
    assert '"hello" (in answer.turns.0.content)' in shown


@pytest.mark.parametrize("quote", ["It is terrible.", "FINE", "Fine, really"])
def test_a_made_up_quote_is_refused(quote):
    with pytest.raises(InvalidInput) as refused:
        low_effort_evidence(ANSWER, Claim(quotes=("hello", quote), note="x" * 20))
    assert refused.value.field == "evidence.quotes[1]"


def test_missing_parts_must_be_empty_parts_of_the_answer():
    shown = missing_parts_evidence(
        ANSWER, Claim(parts=("fields.sources", "answer.turns.1.content"))
    )
    assert shown == "Empty in the answer: answer.fields.sources, answer.turns.1.content."
    for part, why in (("fields.title", "has content"), ("fields.notes", "no part")):
        with pytest.raises(InvalidInput) as refused:
            missing_parts_evidence(ANSWER, Claim(parts=(part,)))
        assert refused.value.field == "evidence.parts[0]" and why in refused.value.message


@pytest.mark.parametrize(
    "reason, evidence, field",
    [
        ("low_effort", "twenty characters of anything", "evidence"),
        ("low_effort", {"quotes": ["fine"]}, "evidence.note"),
        ("low_effort", {"quotes": [], "note": "x" * 20}, "evidence.quotes"),
        ("low_effort", {"quotes": [""], "note": "x" * 20}, "evidence.quotes[0]"),
        ("missing_parts", {"parts": "text"}, "evidence.parts"),
        ("missing_parts", {"parts": ["a"], "why": "x"}, "evidence.why"),
        ("failed_checks", "gold item 3 was wrong, trust me", "evidence"),
        ("too_fast", {"seconds": 1}, "evidence"),
    ],
)
def test_evidence_a_reviewer_cannot_check_is_refused(reason, evidence, field):
    with pytest.raises(InvalidInput) as refused:
        check_review("reject", reason, evidence)
    assert refused.value.field == field


def test_a_failed_check_is_evidence_and_a_passed_one_is_not():
    failed = GoldCheck(item='"g1"', expected={"label": "a"}, given={"label": "b"}, passed=False)
    shown = failed_checks_evidence(failed, passed=3, answered=4)
    assert shown is not None and '{"label": "a"}' in shown and "passed 3 of 4" in shown
    passed = GoldCheck(item='"g1"', expected={"label": "a"}, given={"label": "a"}, passed=True)
    assert failed_checks_evidence(passed, passed=4, answered=4) is None
    assert failed_checks_evidence(None, passed=0, answered=0) is None


def test_deadlines():
    t = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert review_deadline(t, 3) == t + timedelta(days=3)
    assert appeal_deadline(t, 7) == t + timedelta(days=7)
