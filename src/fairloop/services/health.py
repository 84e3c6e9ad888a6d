from __future__ import annotations

from sqlalchemy import text

from fairloop.db.engine import Database


def check_database(db: Database) -> None:
    """Raises if the database does not answer."""
    with db.transaction(readonly=True) as session:
        session.execute(text("SELECT 1"))
