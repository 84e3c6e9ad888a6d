"""Money outside the floor: a requester's bonus to a worker (named by pseudonym), and
an admin's adjustment (a correction, positive or negative, with a reason). Both are
ledger entries keyed by the caller's Idempotency-Key, so a retried request pays once."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from fairloop.db.engine import Database
from fairloop.db.models import ProjectWorker, User
from fairloop.domain.actors import Actor
from fairloop.domain.pay import from_minor, to_minor
from fairloop.errors import BadRequest, Forbidden, InvalidInput, NotFound
from fairloop.services import audit
from fairloop.services.access import project_for_requester
from fairloop.services.pay import ledger

MAX_AMOUNT = Decimal("10000")


def _amount(value: Any, *, negative_ok: bool) -> int:
    try:
        amount = Decimal(str(value)) if isinstance(value, str | int) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput('amount must be a decimal string such as "1.50"', field="amount")
    if abs(amount) > MAX_AMOUNT or amount == 0 or (amount < 0 and not negative_ok):
        low = -MAX_AMOUNT if negative_ok else Decimal("0.01")
        raise InvalidInput(f"amount must be from {low} to {MAX_AMOUNT}, not 0", field="amount")
    return to_minor(amount)


def _key(key: str | None) -> str:
    if key is None or not key.strip() or len(key) > 100:
        raise BadRequest(
            "an Idempotency-Key header (up to 100 characters) is required",
            field="Idempotency-Key",
        )
    return key.strip()


def _note(note: Any) -> str:
    if not isinstance(note, str) or not note.strip() or len(note) > 400:
        raise InvalidInput("note (up to 400 characters) says what it is for", field="note")
    return note.strip()


def bonus(
    db: Database, actor: Actor, project_id: int, body: dict[str, Any], *, key: str | None
) -> dict[str, Any]:
    """``{"worker": pseudonym, "amount": "1.50", "note": ".."}`` from the project's requester."""
    amount, note, idem = (
        _amount(body.get("amount"), negative_ok=False),
        _note(body.get("note")),
        _key(key),
    )
    with db.transaction() as session:
        project = project_for_requester(session, actor, project_id)
        worker_id = session.scalar(
            select(ProjectWorker.user_id).where(
                ProjectWorker.project_id == project.id,
                ProjectWorker.pseudonym == body.get("worker"),
            )
        )
        if worker_id is None:
            raise NotFound("no worker by that pseudonym on this project", field="worker")
        currency = project.spec["pay"]["currency"]
        written = ledger.write(
            session,
            user_id=worker_id,
            project_id=project.id,
            kind="bonus",
            amount_minor=amount,
            currency=currency,
            key=f"bonus:project:{project.id}:request:{actor.id}:{idem}",
            memo=note,
        )
        audit.record(session, actor, "pay.bonus", f"project:{project.id}", amount=amount)
        return {"amount": from_minor(amount), "currency": currency, "replayed": not written}


def adjust(
    db: Database, actor: Actor, user_id: int, body: dict[str, Any], *, key: str | None
) -> dict[str, Any]:
    """An admin's correction to a worker's balance, with the reason as its note."""
    if not actor.is_admin:
        raise Forbidden("only an admin adjusts balances", code="not_an_admin")
    amount = _amount(body.get("amount"), negative_ok=True)
    note, idem = _note(body.get("note")), _key(key)
    currency = body.get("currency")
    if not isinstance(currency, str) or len(currency) != 3:
        raise InvalidInput("currency is a three-letter code", field="currency")
    with db.transaction() as session:
        if session.get(User, user_id) is None:
            raise NotFound(f"no user {user_id}", field="user_id")
        written = ledger.write(
            session,
            user_id=user_id,
            project_id=None,
            kind="adjustment",
            amount_minor=amount,
            currency=currency,
            key=f"adjustment:user:{user_id}:request:{idem}",
            memo=note,
        )
        audit.record(session, actor, "pay.adjust", f"user:{user_id}", amount=amount)
        return {"amount": from_minor(amount), "currency": currency, "replayed": not written}
