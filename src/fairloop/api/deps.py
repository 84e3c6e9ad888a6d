"""Route dependencies: the database, and who is calling."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fairloop.db.engine import Database
from fairloop.domain.actors import Actor
from fairloop.errors import Unauthorized
from fairloop.services.accounts import actor_for_token


def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


DatabaseDep = Annotated[Database, Depends(get_db)]


def current_actor(request: Request, db: DatabaseDep) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer TOKEN", field="Authorization")
    return actor_for_token(db, token.strip())


ActorDep = Annotated[Actor, Depends(current_actor)]
