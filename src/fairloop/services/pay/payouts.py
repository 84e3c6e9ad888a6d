"""Payouts: what each worker is owed, and marking it paid (a ``payout`` entry)."""

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
    """Per worker and currency: the balance, and the entries since the last payout."""
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

    The key names the last entry paid, so the same balance is never paid twice.
    """
    _admin(actor)
    with db.core_transaction() as conn:
        paid = []
        for p in _due(conn):
            if ledger.write(
                conn,
                user_id=p.user_id,
                project_id=None,
                kind="payout",
                amount_minor=-p.amount_minor,
                currency=p.currency,
                key=f"payout:worker:{p.user_id}:{p.currency}:through:{p.last_entry_id}",
                memo=f"paid out: entries {p.first_entry_id} to {p.last_entry_id}",
            ):
                paid.append(p)
        return paid


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only an admin handles payouts", code="not_an_admin")
