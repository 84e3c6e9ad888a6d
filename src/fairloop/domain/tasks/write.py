"""``write``: the worker writes (or edits a model draft of) the next assistant turn of
a conversation, an SFT demonstration; or, in ``prompt`` mode, writes a prompt of the
category the item names."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from fairloop.domain.tasks.base import Strict, TaskBase
from fairloop.domain.tasks.chat import MAX_CONTENT, as_object, check_messages, optional_text
from fairloop.errors import InvalidInput


class ExtraField(Strict):
    """A short text the worker gives beside the main text (a title, a category...)."""

    name: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-]+$")]
    label: str = ""
    required: bool = False


class WriteTask(TaskBase):
    type: Literal["write"]
    mode: Literal["response", "prompt"] = "response"
    min_length: int = Field(default=1, ge=1, le=MAX_CONTENT)
    max_length: int = Field(default=8_000, ge=1, le=MAX_CONTENT)
    # Here the fields are what the worker writes, not the item's fields to show.
    fields: list[ExtraField] = Field(default_factory=list, max_length=10)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _lengths(self) -> WriteTask:
        if self.max_length < self.min_length:
            raise ValueError("max_length must be at least min_length")
        return self

    def validate_data(self, data: dict[str, Any], where: str) -> None:
        if self.mode == "response":
            check_messages(data.get("messages"), f"{where}data.messages")
        if "draft" in data and not isinstance(data["draft"], str):
            raise InvalidInput("draft must be text", field=f"{where}data.draft")

    def validate_answer(self, answer: Any) -> dict[str, Any]:
        answer = as_object(answer, {"text", "fields"})
        text = optional_text(answer, "text", required=True)
        if not self.min_length <= len(text) <= self.max_length:
            raise InvalidInput(
                f"answer.text must be {self.min_length} to {self.max_length} characters "
                f"(it has {len(text)})",
                field="answer.text",
            )
        given = answer.get("fields") or {}
        if not isinstance(given, dict):
            raise InvalidInput("answer.fields must be an object", field="answer.fields")
        if extra := sorted(set(given) - {f.name for f in self.fields}):
            raise InvalidInput(
                f"{extra[0]!r} is not a field of this project", field=f"answer.fields.{extra[0]}"
            )
        fields = {f.name: optional_text(given, f.name, required=f.required) for f in self.fields}
        result: dict[str, Any] = {"text": text}
        if self.fields:
            result["fields"] = fields
        return result
