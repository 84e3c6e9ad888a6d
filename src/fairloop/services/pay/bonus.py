"""Money beside the task's pay: a requester's bonus to a worker (named by pseudonym),
outside the floor, and an admin's adjustment (a correction, positive or negative, with
a reason), which counts toward the floor of the project it names. Both are ledger
entries keyed by the caller's Idempotency-Key, so a retried request pays once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import LedgerEntry, Project, ProjectWorker, User
from fairloop.domain.actors import Actor
from fairloop.domain.floors import FloorPosition, adjustment_problem
from fairloop.domain.pay import floor_owed, from_minor, to_minor
from fairloop.errors import BadRequest, Conflict, Forbidden, InvalidInput, NotFound
from fairloop.services import audit
from fairloop.services.access import project_for_requester
from fairloop.services.pay import ledger
from fairloop.services.pay.settle import floor_pay, settled_time, worker_floors
from fairloop.settings import get_settings

MAX_AMOUNT = Decimal("10000")


def _amount(value: Any, *, negative_ok: bool) -> int:
    try:
        amount = Decimal(str(value)) if isinstance(value, str | int) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise InvalidInput('amount must be a decimal string such as "1.50"', field="amount")
    # Bounded before rounding: quantize cannot hold "1E+1000" and would raise.
    if abs(amount) > MAX_AMOUNT or amount == 0 or (amount < 0 and not negative_ok):
        low = -MAX_AMOUNT if negative_ok else Decimal("0.01")
        raise InvalidInput(f"amount must be from {low} to {MAX_AMOUNT}, not 0", field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput('amount must be a decimal string such as "1.50"', field="amount")
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
    db: Database,
    actor: Actor,
    user_id: int,
    body: dict[str, Any],
    *,
    key: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """An admin's correction to a worker's balance, with the reason as its note.

    ``{"amount": "-0.50", "currency": "USD", "note": "..", "project_id": 3}``: the
    currency is one the instance pays in (the project's, when one is named, which it
    may then be left out for). On a project the adjustment counts toward its floor, so
    settlement tops pay back up to the floor after it. A negative one is refused, with
    the figures, when it would leave the worker's pay under the floor for their
    settled time (on the project, or over all projects in the currency) or their
    balance under 0.
    """
    if not actor.is_admin:
        raise Forbidden("only an admin adjusts balances", code="not_an_admin")
    amount = _amount(body.get("amount"), negative_ok=True)
    note, idem = _note(body.get("note")), _key(key)
    project_id = _project_id(body.get("project_id"))
    entry_key = f"adjustment:user:{user_id}:request:{idem}"
    with db.transaction() as session:
        if amount < 0:
            # Before anything is read: the balance and floor checked are the ones
            # payouts and other clawbacks see (ledger.lock_debits).
            ledger.lock_debits(session)
        if session.get(User, user_id) is None:
            raise NotFound(f"no user {user_id}", field="user_id")
        project = _adjusted_project(session, project_id)
        currency = _adjusted_currency(body.get("currency"), project)
        replay = session.scalar(
            select(LedgerEntry.id).where(LedgerEntry.idempotency_key == entry_key)
        )
        if replay is None:
            _refuse_under_floor(session, user_id, amount, currency, project, now or utcnow())
        written = ledger.write(
            session,
            user_id=user_id,
            project_id=project_id,
            kind="adjustment",
            amount_minor=amount,
            currency=currency,
            key=entry_key,
            memo=note,
        )
        audit.record(session, actor, "pay.adjust", f"user:{user_id}", amount=amount)
        return {
            "amount": from_minor(amount),
            "currency": currency,
            "project_id": project_id,
            "replayed": not written,
        }


def _project_id(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput(
            f"project_id is the id of the project the adjustment corrects, not {value!r}",
            field="project_id",
        )
    return value


def _adjusted_project(session: Session, project_id: int | None) -> Project | None:
    if project_id is None:
        return None
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}", field="project_id")
    return project


def _adjusted_currency(value: Any, project: Project | None) -> str:
    """The adjustment's currency: one the instance pays in, the project's if named."""
    if value is None and project is not None:
        return str(project.spec["pay"]["currency"])
    if not isinstance(value, str) or len(value) != 3:
        raise InvalidInput("currency is a three-letter code", field="currency")
    known = get_settings().minimum_floors()
    if value not in known:
        raise InvalidInput(
            f"currency {value!r} is not one this instance pays in ({', '.join(sorted(known))}; "
            "FAIRLOOP_CURRENCY and FAIRLOOP_MIN_HOURLY_FLOORS name them)",
            field="currency",
            code="unknown_currency",
        )
    theirs = project.spec["pay"]["currency"] if project is not None else value
    if project is not None and value != theirs:
        raise InvalidInput(
            f"currency {value} is not project {project.id}'s currency ({theirs}): an "
            "adjustment on a project is in the project's currency",
            field="currency",
        )
    return value


def _refuse_under_floor(
    session: Session,
    user_id: int,
    amount: int,
    currency: str,
    project: Project | None,
    now: datetime,
) -> None:
    """Refuse a negative adjustment that would leave the worker's balance under 0 or
    their pay under what the floors owe for their settled time, naming the figures."""
    if amount >= 0:
        return
    positions = _floor_positions(session, user_id, currency, project, now)
    balance = ledger.balance(session, user_id).get(currency, 0)
    if problem := adjustment_problem(amount, currency, balance_minor=balance, positions=positions):
        code, message = problem
        raise Conflict(message, field="amount", code=code)


def _floor_positions(
    session: Session, user_id: int, currency: str, project: Project | None, now: datetime
) -> list[FloorPosition]:
    """The worker's pay against the floor: on ``project`` (if named and worked on), and
    over all their projects in ``currency`` (every kind of pay counted but payouts)."""
    settled = {p: s for (_w, p), s in settled_time(session, None, now, worker_id=user_id).items()}
    specs = session.execute(select(Project.id, Project.spec).where(Project.id.in_(settled)))
    pays = {pid: spec["pay"] for pid, spec in specs if spec["pay"]["currency"] == currency}
    floors = worker_floors(session, pays, [(user_id, p) for p in pays])
    owed = {p: floor_owed(to_minor(floors[(user_id, p)]), settled[p]) for p in pays}
    earned = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_minor), 0)).where(
            LedgerEntry.user_id == user_id,
            LedgerEntry.currency == currency,
            LedgerEntry.kind != "payout",
        )
    )
    positions = [
        FloorPosition(
            where=f"in {currency} over all projects",
            currency=currency,
            seconds=sum(settled[p] for p in pays),
            paid_minor=int(earned or 0),
            owed_minor=sum(owed.values()),
            floor="the floors of their projects",
        )
    ]
    if project is not None and project.id in pays:
        paid = floor_pay(session, [project.id], worker_id=user_id).get((user_id, project.id), 0)
        positions.insert(
            0,
            FloorPosition(
                where=f"on project {project.id}",
                currency=currency,
                seconds=settled[project.id],
                paid_minor=paid,
                owed_minor=owed[project.id],
                floor=f"the floor of {floors[(user_id, project.id)]:.2f} {currency} an hour",
            ),
        )
    return positions
