"""Red-team turns: store the worker's message, ask the project's model, store the reply.

A turn is two short transactions around the model call (never a transaction held open
while the model thinks): the worker's message is stored before the model is asked, the
reply the moment it is complete, so a dropped connection loses nothing. A failed call
leaves the message unanswered; the worker retries it (``retry``) rather than resending.
"""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Protocol

import anyio
import anyio.to_thread
from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.orm import Session

from fairloop.assist.config import ModelConfig
from fairloop.assist.connector import Message, ModelError
from fairloop.assist.openai import OpenAIChat
from fairloop.assist.outbound import Target, check_url, pin
from fairloop.db.base import table_of, utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, Item, Organisation, Project, Turn
from fairloop.domain.actors import Actor
from fairloop.domain.specs import parse_task
from fairloop.domain.tasks.base import TaskBase
from fairloop.domain.tasks.redteam import RedteamTask, exposure_severity
from fairloop.errors import Conflict, InvalidInput, Upstream
from fairloop.services.access import check_leased, check_owner, own_assignment
from fairloop.settings import key_registered


@dataclass(frozen=True)
class PendingTurn:
    """A stored worker message waiting for the model's reply."""

    assignment_id: int
    seq: int
    messages: list[Message]
    model: ModelConfig
    api_key: str | None
    severity: int
    turns_used: int
    """The worker's messages so far, this one included."""
    target: Target | None = None
    """Where the call goes: the model's address as checked when the message was stored."""


class StoredTurn(Protocol):
    """A turn as stored: a Turn, or the values just inserted."""

    seq: int
    role: str
    content: str
    created_at: datetime


def turn_json(turn: StoredTurn) -> dict[str, Any]:
    return {
        "seq": turn.seq,
        "role": turn.role,
        "content": turn.content,
        "created_at": turn.created_at.isoformat(),
    }


def model_key(model: ModelConfig, org: str, *, field: str) -> str | None:
    """The API key of a model key the admin registered for ``org`` (or for every
    organisation) in FAIRLOOP_MODEL_KEY_ENVS; None when the model needs none.

    Nothing else of the server's environment is reachable from a spec, and a refusal
    reads the same whether or not a variable of that name exists."""
    if model.api_key_env is None:
        return None
    key = os.environ.get(model.api_key_env, "") if key_registered(org, model.api_key_env) else ""
    if not key:
        raise InvalidInput(
            f"{model.api_key_env!r} (api_key_env) is not a model key registered for your "
            "organisation on this server; ask the instance's admin to register it",
            field=field,
        )
    return key


def check_launch(task: TaskBase) -> None:
    """What a red-team project needs before it may start: a reachable, allowed model
    host. Called when a project is created, before its transaction (a lookup may take
    a while); its key is checked for the project's organisation inside it."""
    if not isinstance(task, RedteamTask):
        return
    check_url(task.model.base_url, field="task.model.base_url")


def unregistered_keys(db: Database) -> list[tuple[str, str, str]]:
    """(organisation, project, api_key_env) of live red-team projects whose model key
    is not registered for their organisation: what the admin must register."""
    query = (
        select(Organisation.name, Project.name, Project.spec)
        .join(Organisation, Organisation.id == Project.org_id)
        .where(Project.task_type == "redteam", Project.state != "suspended")
        .order_by(Organisation.name, Project.name)
    )
    with db.transaction(readonly=True) as session:
        rows = session.execute(query).all()
    missing = []
    for org, name, spec in rows:
        key = spec["task"].get("model", {}).get("api_key_env")
        if key and not key_registered(org, key):
            missing.append((org, name, key))
    return missing


def check_key(task: TaskBase, org: str) -> None:
    """A red-team project's model key is registered for its organisation."""
    if isinstance(task, RedteamTask):
        model_key(task.model, org, field="task.model.api_key_env")


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


def _content(content: object, task: RedteamTask) -> str:
    if not isinstance(content, str) or not content.strip():
        raise InvalidInput("content must be a non-empty message", field="content")
    if len(content) > task.max_message_chars:
        raise InvalidInput(
            f"content is longer than {task.max_message_chars} characters", field="content"
        )
    return content.strip()


_TURN_CONTEXT = (
    select(
        Assignment.worker_id,
        Assignment.state,
        Item.severity,
        Project.spec,
        Organisation.name.label("org"),
    )
    .join(Project, Project.id == Assignment.project_id)
    .join(Organisation, Organisation.id == Project.org_id)
    .join(Item, Item.id == Assignment.item_id)
    .where(Assignment.id == bindparam("assignment_id"))
)
_TURN_CONTEXT_LOCKED = _TURN_CONTEXT.with_for_update(of=Assignment)
_SAID = (
    select(Turn.role, Turn.content)
    .where(Turn.assignment_id == bindparam("assignment_id"))
    .order_by(Turn.seq)
)
_ADD_TURN = insert(table_of(Turn))


class _TurnContext(Protocol):
    """A row of _TURN_CONTEXT."""

    worker_id: int
    state: str
    severity: int | None
    spec: dict[str, Any]
    org: str


def begin_turn(
    db: Database, actor: Actor, assignment_id: int, content: object, *, retry: bool = False
) -> PendingTurn:
    """Store the worker's message (or find the unanswered one, on retry).

    The model's host is resolved and checked first, outside any transaction (a lookup
    may take a while); then three Core statements under the writer: with 32
    red-teamers at once, every millisecond it is held is one the others wait."""
    with db.lookup() as conn:
        row = _leased_turn_context(conn, db, actor, assignment_id, lock=False)
    task = parse_task(row.spec["task"])
    if not isinstance(task, RedteamTask):
        raise Conflict("turns belong to red-team tasks only", field="assignment_id")
    key = model_key(task.model, row.org, field="task.model.api_key_env")
    # Before storing anything: a host the instance no longer allows refuses the turn.
    target = pin(f"{task.model.base_url}/chat/completions", field="task.model.base_url")
    with db.core_transaction() as conn:
        row = _leased_turn_context(conn, db, actor, assignment_id)
        said: list[Message] = [
            {"role": t.role, "content": t.content}
            for t in conn.execute(_SAID, {"assignment_id": assignment_id})
        ]
        if not retry:
            said.append(_new_message(conn, assignment_id, said, content, task))
        elif not said or said[-1]["role"] != "user":
            raise Conflict("there is no unanswered message to retry", field="retry")
    return PendingTurn(
        assignment_id=assignment_id,
        seq=len(said) + 1,
        messages=said,
        model=task.model,
        api_key=key,
        severity=exposure_severity(row.severity, row.spec),
        turns_used=sum(1 for m in said if m["role"] == "user"),
        target=target,
    )


def _leased_turn_context(
    conn: Connection, db: Database, actor: Actor, assignment_id: int, *, lock: bool = True
) -> _TurnContext:
    """The assignment's state, item severity and project spec; 404/409 as for a lease."""
    context = _TURN_CONTEXT_LOCKED if lock and db.is_postgres else _TURN_CONTEXT
    row = conn.execute(context, {"assignment_id": assignment_id}).first()
    return check_leased(check_owner(row, actor, assignment_id))


def _new_message(
    conn: Connection,
    assignment_id: int,
    said: list[Message],
    content: object,
    task: RedteamTask,
) -> Message:
    """Store the worker's next message, if the conversation has room for it."""
    text = _content(content, task)
    if said and said[-1]["role"] == "user":
        raise Conflict(
            "your last message has no reply yet: retry it first",
            field="content",
            code="reply_pending",
        )
    if sum(1 for m in said if m["role"] == "user") >= task.max_turns:
        raise Conflict(
            f"this attempt has used all {task.max_turns} messages (max_turns): "
            "submit your judgement",
            field="max_turns",
            code="max_turns",
        )
    turn = {"assignment_id": assignment_id, "seq": len(said) + 1, "role": "user"}
    conn.execute(_ADD_TURN, {**turn, "content": text, "created_at": utcnow()})
    return {"role": "user", "content": text}


def finish_turn(db: Database, pending: PendingTurn, reply: str, model_ms: int) -> dict[str, Any]:
    """Store the model's complete reply."""
    turn = {
        "assignment_id": pending.assignment_id,
        "seq": pending.seq,
        "role": "assistant",
        "content": reply,
        "severity": pending.severity,
        "model_ms": model_ms,
        "created_at": utcnow(),
    }
    with db.core_transaction() as conn:
        conn.execute(_ADD_TURN, turn)
    return {**turn_json(SimpleNamespace(**turn)), "turns_used": pending.turns_used}


async def reply_pieces(pending: PendingTurn, *, live: bool = True) -> AsyncIterator[str]:
    """The model's reply in pieces (in one, unless ``live``); raises ModelError when
    it cannot answer. The host was checked against the outbound rule when the message
    was stored."""
    chat = OpenAIChat(pending.model, api_key=pending.api_key)
    # The timeout holds for the whole reply, not only for each read: a model that
    # trickles a byte at a time would otherwise hold the worker (and a thread) for ever.
    deadline = time.monotonic() + pending.model.timeout_seconds
    async for piece in chat.stream(pending.messages, target=pending.target, live=live):
        if time.monotonic() > deadline:
            raise ModelError(
                f"the model did not finish within {pending.model.timeout_seconds:g} s; retry",
                code="model_timeout",
            )
        yield piece


_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)
TURN_THREADS = 2


def turn_limiter() -> anyio.CapacityLimiter:
    """The threads that store turns, apart from the pool every other request shares:
    a worker mid-conversation does not wait behind a crowd of new leases. 32
    red-teamers starting in one instant: turn overhead p99 69-79 ms on the shared pool,
    46-47 ms apart (bench/redteam.py). One set per event loop, as the loop owns them."""
    loop = asyncio.get_running_loop()
    if loop not in _LIMITERS:
        _LIMITERS[loop] = anyio.CapacityLimiter(TURN_THREADS)
    return _LIMITERS[loop]


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
        lambda: finish_turn(db, pending, "".join(parts), model_ms), limiter=turn_limiter()
    )
    yield {"done": stored}


async def start_turn(
    db: Database, actor: Actor, assignment_id: int, content: object, *, retry: bool = False
) -> PendingTurn:
    return await anyio.to_thread.run_sync(
        lambda: begin_turn(db, actor, assignment_id, content, retry=retry), limiter=turn_limiter()
    )


async def take_turn(db: Database, pending: PendingTurn) -> dict[str, Any]:
    """The whole reply at once (the JSON API). A model failure is a 502 naming what
    went wrong; the worker's message stays stored for a retry."""
    started = time.monotonic()
    try:
        reply = "".join([piece async for piece in reply_pieces(pending, live=False)])
    except ModelError as exc:
        raise Upstream(exc.message, code=exc.code, field="model") from None
    model_ms = int((time.monotonic() - started) * 1000)
    return await anyio.to_thread.run_sync(
        lambda: finish_turn(db, pending, reply, model_ms), limiter=turn_limiter()
    )
