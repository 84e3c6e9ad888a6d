"""``record``: read a script aloud, or speak on a topic, into the microphone.

The take is uploaded first (``POST /api/v1/assignments/{id}/media``); the answer names
it by ``media_id``, with an optional transcript.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from fairloop.domain.tasks.base import TaskBase
from fairloop.errors import InvalidInput

AUDIO_FORMATS = ("webm", "ogg", "wav", "mp4", "mpeg", "flac")
"""Containers the server can decode; ``formats`` in a spec picks among them."""
MAX_TRANSCRIPT = 20_000


class RecordTask(TaskBase):
    type: Literal["record"]
    min_seconds: float = Field(default=1.0, ge=0, le=3_600)
    max_seconds: float = Field(default=60.0, gt=0, le=3_600)
    formats: list[str] = Field(default_factory=lambda: ["webm", "ogg", "wav"], min_length=1)
    max_bytes: int = Field(default=10_000_000, ge=1_000, le=50_000_000)
    """Largest upload accepted, in bytes."""
    transcript: bool = False
    """Ask the worker to type what they said."""

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, formats: list[str]) -> list[str]:
        for fmt in formats:
            if fmt not in AUDIO_FORMATS:
                raise ValueError(f"unknown audio format {fmt!r}; use {', '.join(AUDIO_FORMATS)}")
        return sorted(set(formats), key=formats.index)

    @model_validator(mode="after")
    def _range(self) -> RecordTask:
        if self.min_seconds > self.max_seconds:
            raise ValueError("min_seconds is more than max_seconds")
        return self

    def validate_answer(self, answer: Any) -> dict[str, Any]:
        if not isinstance(answer, dict):
            raise InvalidInput("answer must be a JSON object", field="answer")
        if extra := sorted(set(answer) - {"media_id", "transcript"}):
            raise InvalidInput(f"unknown answer field {extra[0]!r}", field=f"answer.{extra[0]}")
        media_id = answer.get("media_id")
        if not isinstance(media_id, int) or isinstance(media_id, bool) or media_id < 1:
            raise InvalidInput(
                "answer.media_id must be the id returned by the upload", field="answer.media_id"
            )
        transcript = answer.get("transcript", "")
        if not isinstance(transcript, str) or len(transcript) > MAX_TRANSCRIPT:
            raise InvalidInput(
                f"answer.transcript must be text under {MAX_TRANSCRIPT} characters",
                field="answer.transcript",
            )
        return {"media_id": media_id, "transcript": transcript.strip()}
