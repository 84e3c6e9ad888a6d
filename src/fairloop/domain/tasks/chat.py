"""Shared by the human-feedback task types: conversations, prompts and responses as
they appear in item data and answers, checked the same way everywhere."""

from __future__ import annotations

from typing import Any

from fairloop.errors import InvalidInput

ROLES = ("system", "user", "assistant")
MAX_CONTENT = 100_000


def check_messages(
    value: Any, field: str, *, roles: tuple[str, ...] = ROLES
) -> list[dict[str, str]]:
    """A chat list ``[{"role", "content"}, ...]`` with known roles and text contents."""
    if not isinstance(value, list) or not value:
        raise InvalidInput(f"{field} must be a non-empty list of messages", field=field)
    messages = []
    for i, m in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(m, dict) or set(m) - {"role", "content"}:
            raise InvalidInput('a message is {"role": .., "content": ..}', field=where)
        if m.get("role") not in roles:
            raise InvalidInput(f"role must be one of: {', '.join(roles)}", field=f"{where}.role")
        content = m.get("content")
        if not isinstance(content, str) or not content.strip():
            raise InvalidInput("content must be non-empty text", field=f"{where}.content")
        if len(content) > MAX_CONTENT:
            raise InvalidInput(
                f"content is over {MAX_CONTENT} characters", field=f"{where}.content"
            )
        messages.append({"role": m["role"], "content": content})
    return messages


def check_prompt(data: dict[str, Any], where: str) -> None:
    """Item data carries ``prompt`` (text) or ``messages`` (a conversation)."""
    if "messages" in data:
        check_messages(data["messages"], f"{where}data.messages")
    elif not isinstance(data.get("prompt"), str) or not data["prompt"].strip():
        raise InvalidInput(
            "data needs a prompt (text) or messages (a conversation)", field=f"{where}data.prompt"
        )


def check_responses(data: dict[str, Any], where: str, *, low: int, high: int) -> list[str]:
    """``responses``: low..high of ``{"id", "text"}`` with distinct string ids; their ids."""
    field = f"{where}data.responses"
    responses = data.get("responses")
    if not isinstance(responses, list) or not low <= len(responses) <= high:
        count = f"exactly {low}" if low == high else f"{low} to {high}"
        raise InvalidInput(f"responses must be a list of {count} responses", field=field)
    ids: list[str] = []
    for i, r in enumerate(responses):
        if not isinstance(r, dict) or not isinstance(r.get("text"), str):
            raise InvalidInput('a response is {"id": "..", "text": ".."}', field=f"{field}[{i}]")
        rid = r.get("id")
        if not isinstance(rid, str) or not rid or rid == "tie" or len(rid) > 200:
            raise InvalidInput(
                'id must be a string of 1 to 200 characters, not "tie"', field=f"{field}[{i}].id"
            )
        if rid in ids:
            raise InvalidInput(f"id {rid!r} appears twice", field=f"{field}[{i}].id")
        ids.append(rid)
    return ids


def as_object(answer: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise InvalidInput("answer must be a JSON object", field="answer")
    if extra := sorted(set(answer) - allowed):
        raise InvalidInput(f"unknown answer field {extra[0]!r}", field=f"answer.{extra[0]}")
    return answer


def optional_text(answer: dict[str, Any], key: str, *, required: bool, min_length: int = 0) -> str:
    value = answer.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"answer.{key} must be text", field=f"answer.{key}")
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"answer.{key} is required by the spec", field=f"answer.{key}")
    if value and len(value) < min_length:
        raise InvalidInput(
            f"answer.{key} must be at least {min_length} characters", field=f"answer.{key}"
        )
    if len(value) > MAX_CONTENT:
        raise InvalidInput(f"answer.{key} is over {MAX_CONTENT} characters", field=f"answer.{key}")
    return value


def whole_number(value: Any, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{field} must be a whole number from {low} to {high}", field=field)
    return value
