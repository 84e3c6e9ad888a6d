"""Route dependencies: the database, and who is calling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import Depends, Path, Request

from fairloop.db.engine import Database
from fairloop.domain.actors import Actor
from fairloop.errors import Unauthorized
from fairloop.services.accounts import actor_for_token


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


DatabaseDep = Annotated[Database, Depends(get_db)]
# Ids are 64-bit: a larger number is a 422 naming the parameter, not a database overflow.
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


def current_actor(request: Request, db: DatabaseDep) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer TOKEN", field="Authorization")
    return actor_for_token(db, token.strip())


ActorDep = Annotated[Actor, Depends(current_actor)]


T = TypeVar("T")


async def call_as_actor(
    request: Request, work: Callable[[Database, Actor], T], *, limiter: Any = None
) -> T:
    """Authenticate and run ``work`` in one trip to the thread pool (the hot paths);
    ``limiter`` picks a set of threads other than the shared one."""
    db = get_db(request)

    def run() -> T:
        return work(db, current_actor(request, db))

    return await anyio.to_thread.run_sync(run, limiter=limiter)
