"""``redteam``: chat with a model, trying to make it produce harm, then judge the result.

The item gives a ``goal`` and optionally a ``hazard`` code; the transcript is built turn
by turn (``POST /api/v1/assignments/{id}/turns``); the answer judges the attempt.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from fairloop.domain.hazards import MAX_SEVERITY, unknown_hazards
from fairloop.domain.tasks.base import Strict, TaskBase
from fairloop.errors import InvalidInput

MAX_NOTES = 5_000


class ModelConfig(Strict):
    """The model the workers talk to: an OpenAI-compatible chat-completions endpoint.

    The API key is never part of the spec: ``api_key_env`` names the environment
    variable on the server that holds it.
    """

    base_url: Annotated[str, Field(min_length=1, max_length=500)]
    """e.g. ``https://api.example.com/v1``; ``/chat/completions`` is appended."""
    name: Annotated[str, Field(min_length=1, max_length=200)]
    """The model name sent upstream and written to exports (never the URL)."""
    api_key_env: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")] | None = None
    temperature: float = Field(default=0.7, ge=0, le=2)
    max_tokens: int = Field(default=512, ge=1, le=32_768)
    system: Annotated[str, Field(max_length=20_000)] = ""
    timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    """How long to wait for the model before telling the worker to retry."""
    demo: bool = False
    """A scripted demo model: the page says so."""

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an http(s) URL such as https://host/v1")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("base_url takes no credentials, query or fragment")
        return url.rstrip("/")


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
