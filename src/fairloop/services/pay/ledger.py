"""The ledger: the one place money is written. Entries are only ever inserted.

Every entry's ``idempotency_key`` is derived from its cause (``task_pay:submission:42``),
and the key is unique: writing the same cause twice writes once, whoever races.

Money only leaves a balance under :func:`lock_debits` (payouts, negative adjustments):
one such writer at a time, each deciding on what it read after taking the lock, so no
two of them spend the same cents. Credits (pay, top-ups, bonuses) need no lock: they
only ever raise a balance.
"""

from __future__ import annotations

from sqlalchemy import Connection, Insert, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.models import LedgerEntry
from fairloop.domain.pay import KINDS

Conn = Session | Connection

DEBIT_LOCK = 7_270_015
"""The PostgreSQL advisory lock held by whatever takes money out of a balance
(settlement holds 7_270_005; the two never wait for each other)."""


def _dialect(conn: Conn) -> str:
    return conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name


def lock_debits(conn: Conn) -> None:
    """Take the debit lock until this transaction ends: call it before reading any
    balance a debit is decided on. On SQLite the write transaction (``BEGIN
    IMMEDIATE``) is the lock already: one writer at a time."""
    if _dialect(conn) == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DEBIT_LOCK})


def insert_ignoring_duplicates(conn: Conn) -> Insert:
    """``INSERT .. ON CONFLICT DO NOTHING`` into the ledger, for either database."""
    if _dialect(conn) == "postgresql":
        return postgresql.insert(LedgerEntry).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
    return sqlite.insert(LedgerEntry).on_conflict_do_nothing(index_elements=["idempotency_key"])


def write(
    conn: Conn,
    *,
    user_id: int,
    project_id: int | None,
    kind: str,
    amount_minor: int,
    currency: str,
    key: str,
    memo: str = "",
) -> bool:
    """Write one entry for ``key``; False when that cause was written already."""
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")
    if not key.startswith(f"{kind}:"):
        # The key names its cause; its kind prefix keeps causes of kinds apart.
        raise ValueError(f"ledger key {key!r} must start with {kind!r}")
    written = conn.execute(
        insert_ignoring_duplicates(conn).returning(LedgerEntry.id),
        {
            "user_id": user_id,
            "project_id": project_id,
            "kind": kind,
            "amount_minor": amount_minor,
            "currency": currency,
            "idempotency_key": key,
            "memo": memo[:500],
            "created_at": utcnow(),
        },
    ).first()
    return written is not None


def balance(conn: Conn, user_id: int) -> dict[str, int]:
    """A worker's balance per currency: the sum of their entries, nothing else."""
    rows = conn.execute(
        select(LedgerEntry.currency, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.user_id == user_id)
        .group_by(LedgerEntry.currency)
    ).all()
    return {currency: int(total) for currency, total in rows}
