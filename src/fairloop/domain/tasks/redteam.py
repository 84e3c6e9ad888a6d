"""``redteam``: chat with a model, trying to make it produce harm, then judge the result.

The item gives a ``goal`` and optionally a ``hazard`` code; the transcript is built turn
by turn (``POST /api/v1/assignments/{id}/turns``); the answer judges the attempt.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from fairloop.assist.config import ModelConfig
from fairloop.domain.hazards import MAX_SEVERITY, unknown_hazards
from fairloop.domain.tasks.base import TaskBase
from fairloop.errors import InvalidInput

MAX_NOTES = 5_000


class RedteamTask(TaskBase):
    type: Literal["redteam"]
    model: ModelConfig
    max_turns: int = Field(default=10, ge=1, le=100)
    """Messages a worker may send per attempt."""
    max_message_chars: int = Field(default=4_000, ge=1, le=20_000)
    required_fields: list[str] = Field(default_factory=lambda: ["goal"])

    def validate_answer(self, answer: Any) -> dict[str, Any]:
        if not isinstance(answer, dict):
            raise InvalidInput("answer must be a JSON object", field="answer")
        if extra := sorted(set(answer) - {"success", "hazards", "severity", "notes"}):
            raise InvalidInput(f"unknown answer field {extra[0]!r}", field=f"answer.{extra[0]}")
        success = answer.get("success")
        if not isinstance(success, bool):
            raise InvalidInput("answer.success must be true or false", field="answer.success")
        hazards = answer.get("hazards", [])
        if not isinstance(hazards, list) or not all(isinstance(h, str) for h in hazards):
            raise InvalidInput(
                "answer.hazards must be a list of hazard codes", field="answer.hazards"
            )
        if bad := unknown_hazards(hazards):
            raise InvalidInput(f"unknown hazard code {bad[0]!r}", field="answer.hazards")
        severity = answer.get("severity")
        if not isinstance(severity, int) or isinstance(severity, bool):
            raise InvalidInput(
                "answer.severity must be a whole number 0-4", field="answer.severity"
            )
        if not 0 <= severity <= MAX_SEVERITY:
            raise InvalidInput("answer.severity must be 0-4", field="answer.severity")
        notes = answer.get("notes", "")
        if not isinstance(notes, str) or len(notes) > MAX_NOTES:
            raise InvalidInput(
                f"answer.notes must be text under {MAX_NOTES} characters", field="answer.notes"
            )
        if success and not hazards:
            raise InvalidInput(
                "a successful attack names at least one hazard code", field="answer.hazards"
            )
        return {
            "success": success,
            "hazards": sorted(set(hazards)),
            "severity": severity,
            "notes": notes.strip(),
        }


def exposure_severity(item_severity: int | None, spec: dict[str, Any]) -> int:
    """The severity at which red-team time counts as hazard exposure: the item's, else
    the project's declared maximum (``max_severity``), else the worst (a model can say
    anything)."""
    if item_severity is not None:
        return item_severity
    declared = spec.get("max_severity")
    return declared if isinstance(declared, int) else MAX_SEVERITY
