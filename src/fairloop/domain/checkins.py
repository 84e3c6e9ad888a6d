"""The Short Warwick-Edinburgh Mental Wellbeing Scale: seven statements about the last
two weeks, each answered 1 (none of the time) to 5 (all of the time); the raw score
is their sum, 7 to 35."""

from __future__ import annotations

from typing import Any

from fairloop.domain.languages import N_
from fairloop.errors import InvalidInput

ITEMS = (
    N_("I've been feeling optimistic about the future"),
    N_("I've been feeling useful"),
    N_("I've been feeling relaxed"),
    N_("I've been dealing with problems well"),
    N_("I've been thinking clearly"),
    N_("I've been feeling close to other people"),
    N_("I've been able to make up my own mind about things"),
)
SCALE = (
    N_("None of the time"),
    N_("Rarely"),
    N_("Some of the time"),
    N_("Often"),
    N_("All of the time"),
)


def score(answers: Any) -> int:
    """The raw score of seven answers of 1-5; InvalidInput naming the first bad answer."""
    if not isinstance(answers, list) or len(answers) != len(ITEMS):
        raise InvalidInput(f"answers must be a list of {len(ITEMS)} numbers", field="answers")
    for i, value in enumerate(answers):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= len(SCALE):
            raise InvalidInput(
                f"answer {i + 1} must be a whole number from 1 to 5", field=f"answers[{i}]"
            )
    return sum(answers)
