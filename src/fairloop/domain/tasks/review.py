"""``review``: the worker names the hazards in an item and how severe it is.

The item is text, an image or a conversation; the page shows it under the safe-viewing
rules (images blurred until revealed, text above the worker's level collapsed).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from fairloop.domain.hazards import HAZARDS, MAX_SEVERITY, unknown_hazards
from fairloop.domain.tasks.base import TaskBase
from fairloop.errors import InvalidInput

MAX_NOTE = 5_000


class ReviewTask(TaskBase):
    type: Literal["review"]
    categories: list[str] = Field(default_factory=lambda: list(HAZARDS))
    """The hazard codes offered to the worker (default: every category)."""

    @field_validator("categories")
    @classmethod
    def _known(cls, codes: list[str]) -> list[str]:
        if not codes:
            raise ValueError("categories must name at least one hazard code")
        if bad := unknown_hazards(codes):
            raise ValueError(f"unknown hazard code(s): {', '.join(bad)}")
        return list(dict.fromkeys(codes))

    def validate_answer(self, answer: Any) -> dict[str, Any]:
        if not isinstance(answer, dict):
            raise InvalidInput("answer must be a JSON object", field="answer")
        if extra := sorted(set(answer) - {"hazards", "severity", "note"}):
            raise InvalidInput(f"unknown answer field {extra[0]!r}", field=f"answer.{extra[0]}")
        codes = answer.get("hazards", [])
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise InvalidInput(
                "answer.hazards must be a list of hazard codes", field="answer.hazards"
            )
        for code in codes:
            if code not in self.categories:
                raise InvalidInput(
                    f"unknown hazard code {code!r}; expected one of: {', '.join(self.categories)}",
                    field="answer.hazards",
                )
        severity = answer.get("severity")
        if not isinstance(severity, int) or isinstance(severity, bool):
            raise InvalidInput(
                f"answer.severity must be a whole number from 0 to {MAX_SEVERITY}",
                field="answer.severity",
            )
        if not 0 <= severity <= MAX_SEVERITY:
            raise InvalidInput(
                f"severity {severity} is out of range: 0 to {MAX_SEVERITY}", field="answer.severity"
            )
        if codes and severity == 0:
            raise InvalidInput(
                "severity 0 means no harm: give 1 or more when you name hazards",
                field="answer.severity",
            )
        note = answer.get("note", "")
        if not isinstance(note, str) or len(note) > MAX_NOTE:
            raise InvalidInput(
                f"answer.note must be text of at most {MAX_NOTE} characters", field="answer.note"
            )
        ordered = [c for c in self.categories if c in codes]
        return {"hazards": ordered, "severity": severity, "note": note.strip()}
