"""``converse``: the worker writes a whole conversation, playing both the user and the
assistant, to the scenario the item gives."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from fairloop.domain.tasks.base import TaskBase
from fairloop.domain.tasks.chat import as_object, check_messages
from fairloop.errors import InvalidInput


class ConverseTask(TaskBase):
    type: Literal["converse"]
    min_turns: int = Field(default=4, ge=2, le=100)
    """Messages (user and assistant together) a conversation needs at least."""
    max_turns: int = Field(default=20, ge=2, le=100)

    @model_validator(mode="after")
    def _turns(self) -> ConverseTask:
        if self.max_turns < self.min_turns:
            raise ValueError("max_turns must be at least min_turns")
        return self

    def validate_data(self, data: dict[str, Any], where: str) -> None:
        if not isinstance(data.get("scenario"), str) or not data["scenario"].strip():
            raise InvalidInput("data.scenario (text) is required", field=f"{where}data.scenario")

    def validate_answer(self, answer: Any) -> dict[str, Any]:
        answer = as_object(answer, {"messages"})
        if not isinstance(answer.get("messages"), list):
            raise InvalidInput("answer.messages must be a list", field="answer.messages")
        turns = len(answer["messages"])
        if not self.min_turns <= turns <= self.max_turns:
            raise InvalidInput(
                f"the conversation has {turns} turns; it needs {self.min_turns} to "
                f"{self.max_turns}",
                field="answer.messages",
            )
        messages = check_messages(
            answer["messages"], "answer.messages", roles=("user", "assistant")
        )
        for i, m in enumerate(messages):
            expected = "user" if i % 2 == 0 else "assistant"
            if m["role"] != expected:
                raise InvalidInput(
                    f"turns alternate, starting with the user: turn {i + 1} is the {expected}'s",
                    field=f"answer.messages[{i}].role",
                )
        if messages[-1]["role"] != "assistant":
            raise InvalidInput(
                "the conversation ends with the assistant's turn", field="answer.messages"
            )
        return {"messages": messages}
