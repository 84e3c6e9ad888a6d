"""Red-team turns: store the worker's message, ask the project's model, store the reply.

A turn is two short transactions around the model call (never a transaction held open
while the model thinks): the worker's message is stored before the model is asked, the
reply the moment it is complete, so a dropped connection loses nothing. A failed call
leaves the message unanswered; the worker retries it (``retry``) rather than resending.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fairloop.assist.connector import Message, ModelError
from fairloop.assist.openai import OpenAIChat
from fairloop.assist.outbound import check_url
from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Item, Project, Turn
from fairloop.domain.actors import Actor
from fairloop.domain.specs import parse_task
from fairloop.domain.tasks.redteam import ModelConfig, RedteamTask, exposure_severity
from fairloop.errors import Conflict, InvalidInput, Upstream
from fairloop.services.assign import leased_assignment, own_assignment


@dataclass(frozen=True)
class PendingTurn:
    """A stored worker message waiting for the model's reply."""

    assignment_id: int
    seq: int
    messages: list[Message]
    model: ModelConfig
    api_key: str | None
    severity: int


def turn_json(turn: Turn) -> dict[str, Any]:
    return {
        "seq": turn.seq,
        "role": turn.role,
        "content": turn.content,
        "created_at": turn.created_at.isoformat(),
    }


def model_key(model: ModelConfig, *, field: str) -> str | None:
    """The API key from the server's environment; None when the model needs none."""
    if model.api_key_env is None:
        return None
    key = os.environ.get(model.api_key_env, "")
    if not key:
        raise InvalidInput(
            f"the environment variable {model.api_key_env} (api_key_env) is not set on the server",
            field=field,
        )
    return key


def check_launch(task: Any) -> None:
    """What a red-team project needs before it may start: a reachable, allowed model
    host and its key present on the server. Called when a project is created."""
    if not isinstance(task, RedteamTask):
        return
    model_key(task.model, field="task.model.api_key_env")
    check_url(task.model.base_url, field="task.model.base_url")


def transcript(db: Database, actor: Actor, assignment_id: int) -> list[dict[str, Any]]:
    with db.transaction(readonly=True) as session:
        own_assignment(session, actor, assignment_id)
        return [turn_json(t) for t in _turns(session, assignment_id)]


def chat_view(db: Database, actor: Actor, assignment_id: int) -> tuple[list[dict[str, Any]], int]:
    """The transcript and the severity its replies are shown (and counted) at."""
    with db.transaction(readonly=True) as session:
        assignment = own_assignment(session, actor, assignment_id)
        project = session.get(Project, assignment.project_id)
        item = session.get(Item, assignment.item_id)
        assert project is not None and item is not None
        turns = [turn_json(t) for t in _turns(session, assignment_id)]
        return turns, exposure_severity(item.severity, project.spec)


def _turns(session: Session, assignment_id: int) -> list[Turn]:
    query = select(Turn).where(Turn.assignment_id == assignment_id).order_by(Turn.seq)
    return list(session.scalars(query))


def _content(content: Any, task: RedteamTask) -> str:
    if not isinstance(content, str) or not content.strip():
        raise InvalidInput("content must be a non-empty message", field="content")
    if len(content) > task.max_message_chars:
        raise InvalidInput(
            f"content is longer than {task.max_message_chars} characters", field="content"
        )
    return content.strip()


def begin_turn(
    db: Database, actor: Actor, assignment_id: int, content: Any, *, retry: bool = False
) -> PendingTurn:
    """Store the worker's message (or find the unanswered one, on retry)."""
    with db.transaction() as session:
        assignment = leased_assignment(session, actor, assignment_id)
        project = session.get(Project, assignment.project_id)
        assert project is not None
        task = parse_task(project.spec["task"])
        if not isinstance(task, RedteamTask):
            raise Conflict("turns belong to red-team tasks only", field="assignment_id")
        key = model_key(task.model, field="task.model.api_key_env")
        # Before storing anything: a host the instance no longer allows refuses the turn.
        check_url(task.model.base_url, field="task.model.base_url")
        turns = _turns(session, assignment_id)
        pending = bool(turns) and turns[-1].role == "user"
        if retry and not pending:
            raise Conflict("there is no unanswered message to retry", field="retry")
        if not retry:
            text = _content(content, task)
            if pending:
                raise Conflict(
                    "your last message has no reply yet: retry it first",
                    field="content",
                    code="reply_pending",
                )
            sent = sum(1 for t in turns if t.role == "user")
            if sent >= task.max_turns:
                raise Conflict(
                    f"this attempt has used all {task.max_turns} messages (max_turns): "
                    "submit your judgement",
                    field="max_turns",
                    code="max_turns",
                )
            turn = Turn(
                assignment_id=assignment_id,
                seq=len(turns) + 1,
                role="user",
                content=text,
                created_at=utcnow(),
            )
            session.add(turn)
            turns.append(turn)
        item = session.get(Item, assignment.item_id)
        assert item is not None
        return PendingTurn(
            assignment_id=assignment_id,
            seq=len(turns) + 1,
            messages=[{"role": t.role, "content": t.content} for t in turns],
            model=task.model,
            api_key=key,
            severity=exposure_severity(item.severity, project.spec),
        )


def finish_turn(db: Database, pending: PendingTurn, reply: str, model_ms: int) -> dict[str, Any]:
    """Store the model's complete reply."""
    with db.transaction() as session:
        turn = Turn(
            assignment_id=pending.assignment_id,
            seq=pending.seq,
            role="assistant",
            content=reply,
            severity=pending.severity,
            model_ms=model_ms,
            created_at=utcnow(),
        )
        session.add(turn)
        session.flush()
        body = turn_json(turn)
        body["turns_used"] = session.scalar(
            select(func.count()).where(
                Turn.assignment_id == pending.assignment_id, Turn.role == "user"
            )
        )
        return body


async def reply_pieces(pending: PendingTurn) -> AsyncIterator[str]:
    """The model's reply in pieces; raises ModelError when it cannot answer. The host
    was checked against the outbound rule when the message was stored."""
    async for piece in OpenAIChat(pending.model, api_key=pending.api_key).stream(pending.messages):
        yield piece


async def turn_events(db: Database, pending: PendingTurn) -> AsyncIterator[dict[str, Any]]:
    """The streaming form: ``{"delta": piece}`` as the reply arrives, then
    ``{"done": turn}`` once it is stored, or ``{"error": ..., "retry": true}``."""
    started = time.monotonic()
    parts: list[str] = []
    try:
        async for piece in reply_pieces(pending):
            parts.append(piece)
            yield {"delta": piece}
    except ModelError as exc:
        yield {"error": {"code": exc.code, "message": exc.message, "field": "model"}, "retry": True}
        return
    model_ms = int((time.monotonic() - started) * 1000)
    stored = await anyio.to_thread.run_sync(
        lambda: finish_turn(db, pending, "".join(parts), model_ms)
    )
    yield {"done": stored}


async def start_turn(
    db: Database, actor: Actor, assignment_id: int, content: Any, *, retry: bool = False
) -> PendingTurn:
    return await anyio.to_thread.run_sync(
        lambda: begin_turn(db, actor, assignment_id, content, retry=retry)
    )


async def take_turn(db: Database, pending: PendingTurn) -> dict[str, Any]:
    """The whole reply at once (the JSON API). A model failure is a 502 naming what
    went wrong; the worker's message stays stored for a retry."""
    started = time.monotonic()
    try:
        reply = "".join([piece async for piece in reply_pieces(pending)])
    except ModelError as exc:
        raise Upstream(exc.message, code=exc.code, field="model") from None
    model_ms = int((time.monotonic() - started) * 1000)
    return await anyio.to_thread.run_sync(lambda: finish_turn(db, pending, reply, model_ms))
