"""What the dataset builders share: pseudonyms, prompts, the submissions of a task."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, func, select, type_coerce
from sqlalchemy.dialects import postgresql

from fairloop.db.models import Item, ProjectWorker, Submission


def pseudonyms(conn: Connection, project_id: int) -> dict[int, str]:
    """user id -> this project's pseudonym (one row per worker: small)."""
    query = select(ProjectWorker.user_id, ProjectWorker.pseudonym).where(
        ProjectWorker.project_id == project_id
    )
    return {user_id: name for user_id, name in conn.execute(query)}


def has_chat_prompts(conn: Connection, project_id: int) -> bool:
    """Whether any item of the project gives its prompt as a conversation."""
    if conn.dialect.name == "postgresql":
        has = type_coerce(Item.data, postgresql.JSONB).has_key("messages")
    else:
        has = func.json_type(Item.data, "$.messages").is_not(None)
    return bool(conn.scalar(select(exists().where(Item.project_id == project_id, has))))


def prompt_of(data: dict[str, Any], *, chat: bool) -> str | list[dict[str, str]]:
    """The prompt as the trainer reads it: a message list in a chat project (a text
    prompt becomes one user turn), else the text."""
    if "messages" in data:
        messages: list[dict[str, str]] = data["messages"]
        return messages
    return [{"role": "user", "content": data["prompt"]}] if chat else data["prompt"]


def reply(text: str, *, chat: bool) -> str | list[dict[str, str]]:
    return [{"role": "assistant", "content": text}] if chat else text


def prompt_key(data: dict[str, Any]) -> str:
    """Items that share this key answer the same prompt (``prompt_id`` if given)."""
    if "prompt_id" in data:
        return f"id:{data['prompt_id']}"
    return json.dumps(data.get("messages") or data.get("prompt"), sort_keys=True)


def response_texts(data: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["text"] for r in data.get("responses", [])}


def task_submissions(project_id: int) -> Select[Submission, str | None, dict[str, Any], str]:
    """Each submission of the project with its item's external id and data and the
    worker's pseudonym, in submission order."""
    return (
        select(Submission, Item.external_id, Item.data, ProjectWorker.pseudonym)
        .join(Item, Item.id == Submission.item_id)
        .join(
            ProjectWorker,
            and_(
                ProjectWorker.project_id == Submission.project_id,
                ProjectWorker.user_id == Submission.worker_id,
            ),
        )
        .where(Submission.project_id == project_id)
        .order_by(Submission.id)
    )
