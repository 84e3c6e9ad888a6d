"""What every command shares: the database, the operator as actor, progress bars."""

from __future__ import annotations

from fairloop.db.engine import Database
from fairloop.domain.actors import Actor
from fairloop.settings import get_settings

# Whoever runs the CLI has the database itself: they act as the instance's operator.
OPERATOR = Actor(id=0, role="admin", email="operator@cli")


def database(url: str | None = None) -> Database:
    return Database(url or get_settings().database_url)
