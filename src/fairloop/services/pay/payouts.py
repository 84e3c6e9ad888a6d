"""Payouts: what each worker is owed, and marking it paid (a ``payout`` entry).

Exactly once: marking holds the ledger's debit lock (:func:`ledger.lock_debits`) and
pays each worker's balance as read in one statement after taking it, so a settlement
committing meanwhile is paid by the next marking, never by two. A payout's key names
the payout before it, so two markings that read the same state write one payout,
lock or no lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from fairloop.db.engine import Database
from fairloop.db.models import LedgerEntry, User
from fairloop.domain.actors import Actor
from fairloop.domain.pay import from_minor
from fairloop.errors import Forbidden
from fairloop.services.pay import ledger


@dataclass(frozen=True)
class Payout:
    user_id: int
    email: str
    currency: str
    amount_minor: int
    entries: int
    first_entry_id: int
    last_entry_id: int
    previous_payout_id: int = 0
    """The worker's last payout entry in this currency (0: none yet)."""

    def as_row(self) -> dict[str, Any]:
        return {
            "worker_id": self.user_id,
            "email": self.email,
            "currency": self.currency,
            "amount": from_minor(self.amount_minor),
            "entries": self.entries,
            "first_entry_id": self.first_entry_id,
            "last_entry_id": self.last_entry_id,
        }


def _due(conn: Connection) -> list[Payout]:
    """Per worker and currency: the balance, and the entries since the last payout.

    One statement, so one snapshot: every balance as of the same moment."""
    last_payout = (
        select(
            LedgerEntry.user_id.label("user_id"),
            LedgerEntry.currency.label("currency"),
            func.max(LedgerEntry.id).label("last_id"),
        )
        .where(LedgerEntry.kind == "payout")
        .group_by(LedgerEntry.user_id, LedgerEntry.currency)
        .subquery()
    )
    since = func.coalesce(last_payout.c.last_id, 0)
    new = LedgerEntry.id > since
    rows = conn.execute(
        select(
            LedgerEntry.user_id,
            User.email,
            LedgerEntry.currency,
            func.sum(LedgerEntry.amount_minor),
            func.count(LedgerEntry.id).filter(new),
            func.min(LedgerEntry.id).filter(new),
            func.max(LedgerEntry.id),
            func.max(since),
        )
        .join(User, User.id == LedgerEntry.user_id)
        .outerjoin(
            last_payout,
            (last_payout.c.user_id == LedgerEntry.user_id)
            & (last_payout.c.currency == LedgerEntry.currency),
        )
        .group_by(LedgerEntry.user_id, User.email, LedgerEntry.currency)
        .order_by(LedgerEntry.user_id, LedgerEntry.currency)
    )
    return [Payout(*r) for r in rows if r[3] > 0]


def payouts_due(db: Database, actor: Actor) -> list[Payout]:
    _admin(actor)
    with db.core_transaction(readonly=True) as conn:
        return _due(conn)


def mark_paid(db: Database, actor: Actor) -> list[Payout]:
    """Write a ``payout`` entry for each amount due now; a second run writes none.

    Under the debit lock, and for the balance as of one snapshot: whatever commits
    meanwhile (settlement, new work) stays in the balance for the next run.
    """
    _admin(actor)
    with db.core_transaction() as conn:
        ledger.lock_debits(conn)
        paid = []
        for p in _due(conn):
            if ledger.write(
                conn,
                user_id=p.user_id,
                project_id=None,
                kind="payout",
                amount_minor=-p.amount_minor,
                currency=p.currency,
                key=f"payout:worker:{p.user_id}:{p.currency}:after:{p.previous_payout_id}",
                memo=f"paid out: entries {p.first_entry_id} to {p.last_entry_id}",
            ):
                paid.append(p)
        return paid


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only an admin handles payouts", code="not_an_admin")
