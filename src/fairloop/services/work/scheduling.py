"""The scheduling rule as SQL: candidate queries built once, the worker's counters,
and the refusals that come before any item is chosen.

The pure rule is :mod:`fairloop.domain.scheduling`; here each of its conditions is a
clause of one indexed query per item kind (task, gold, qualification). Expired
leases need no job: "live" is ``state = 'leased' AND lease_expires_at > now``, so an
expired lease simply stops counting in the next query.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Boolean,
    Connection,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB

from fairloop.db.models import (
    Assignment,
    HazardOptOut,
    Item,
    ProjectWorker,
    QualificationAttempt,
    WorkerSkill,
)
from fairloop.domain import scheduling as rule
from fairloop.services.work.rows import Counters, ItemRow

P: Any = bindparam("project_id")
W: Any = bindparam("worker_id")
NOW: Any = bindparam("now")
LIVE = and_(Assignment.state == "leased", Assignment.lease_expires_at > NOW)
_ITEM_COLUMNS = (
    Item.id,
    Item.external_id,
    Item.data,
    Item.submission_count,
    Item.wanted,
    Item.hazards,
    Item.severity,
)

SKILLS = select(WorkerSkill.skill, WorkerSkill.level).where(WorkerSkill.user_id == W)


def _worker_state(*, postgres: bool) -> Any:
    """What a lease needs to know of the worker, in one statement: the live leases
    held in this project, the project's counters (all None without a row), the
    skills and the hazard opt-outs, the lists as JSON."""
    array = func.json_agg if postgres else func.json_group_array
    mapping = func.json_object_agg if postgres else func.json_group_object

    def aggregate(column: Any, *where: Any) -> Any:
        return select(column).where(*where).scalar_subquery()

    one_row = select(literal_column("1").label("one")).subquery()
    mine = and_(ProjectWorker.project_id == P, ProjectWorker.user_id == W)
    return select(
        ProjectWorker.id.label("counters_id"),
        ProjectWorker.leased,
        ProjectWorker.gold_leased,
        ProjectWorker.day,
        ProjectWorker.leased_today,
        ProjectWorker.qualified_at,
        aggregate(
            array(Assignment.id, type_=JSON),
            Assignment.project_id == P,
            Assignment.worker_id == W,
            LIVE,
        ).label("held"),
        aggregate(
            mapping(WorkerSkill.skill, WorkerSkill.level, type_=JSON), WorkerSkill.user_id == W
        ).label("skills"),
        aggregate(array(HazardOptOut.hazard, type_=JSON), HazardOptOut.user_id == W).label("opted"),
    ).select_from(one_row.outerjoin(ProjectWorker, mine))


WORKER_STATE = {pg: _worker_state(postgres=pg) for pg in (False, True)}


@dataclass(frozen=True)
class WorkerState:
    held: list[int]
    counters: Counters | None  # None before the worker's first lease here
    skills: dict[str, int]
    opted: list[str]


def worker_state(conn: Connection, params: dict[str, Any], *, postgres: bool) -> WorkerState:
    row = conn.execute(WORKER_STATE[postgres], params).one()
    return WorkerState(
        held=sorted(row.held or []),
        counters=row if row.counters_id is not None else None,
        skills=dict(row.skills or {}),
        opted=list(row.opted or []),
    )


LIVE_ON_ITEM = select(func.count()).where(Assignment.item_id == bindparam("item_id"), LIVE)
# Bounded: we only need to know whether open items are fewer than a threshold.
OPEN_ITEMS = select(func.count()).select_from(
    select(Item.id)
    .where(Item.project_id == P, Item.kind == "task", Item.submission_count < Item.wanted)
    .limit(bindparam("limit"))
    .subquery()
)


_DAY: Any = bindparam("today")
# Bind names differ from the column names: an UPDATE reserves those for its SET.
COUNT_LEASE = (
    update(ProjectWorker)
    .where(
        ProjectWorker.project_id == bindparam("pw_project"),
        ProjectWorker.user_id == bindparam("pw_worker"),
    )
    .values(
        leased=ProjectWorker.leased + 1,
        gold_leased=ProjectWorker.gold_leased + bindparam("gold"),
        # A new day (UTC) restarts the daily count.
        leased_today=case((ProjectWorker.day == _DAY, ProjectWorker.leased_today + 1), else_=1),
        day=_DAY,
    )
)
"""One more lease in the worker's counters (``gold`` is 1 for a gold item, else 0)."""


def _not_opted_out(*, postgres: bool) -> Any:
    """No hazard of the item is in the worker's opt-outs (``opted``)."""
    if postgres:
        opted = cast(bindparam("opted"), ARRAY(Text))
        return or_(Item.hazards.is_(None), ~Item.hazards.op("?|", return_type=Boolean)(opted))
    codes = func.json_each(Item.hazards).table_valued("value")
    return ~exists(
        select(literal_column("1"))
        .select_from(codes)
        .where(codes.c.value.in_(bindparam("opted", expanding=True)))
    )


def _skills_met(*, postgres: bool) -> Any:
    """Every skill token the item requires is among the worker's (``tokens``)."""
    if postgres:
        held = cast(bindparam("tokens_json", type_=Text), JSONB)
        return or_(Item.skills.is_(None), Item.skills.op("<@", return_type=Boolean)(held))
    needed = func.json_each(Item.skills).table_valued("value")
    return ~exists(
        select(literal_column("1"))
        .select_from(needed)
        .where(needed.c.value.not_in(bindparam("tokens", expanding=True)))
    )


_NOT_TEST = text("assignments.kind != 'qualification'")


def _kind_clauses(kind: str) -> list[Any]:
    # The kind test, written as a literal, lets the partial unique index on
    # (item_id, worker_id) serve this probe.
    mine = exists().where(Assignment.item_id == Item.id, Assignment.worker_id == W, _NOT_TEST)
    if kind == "task":
        live = select(func.count()).where(Assignment.item_id == Item.id, LIVE).scalar_subquery()
        return [
            Item.submission_count < Item.wanted,
            ~mine,
            live < Item.wanted - Item.submission_count,
        ]
    if kind == "gold":
        return [~mine]  # gold has no overlap: each worker sees each gold item once
    # qualification: not yet answered (nor held) in the current attempt
    taken = exists().where(
        Assignment.item_id == Item.id,
        Assignment.worker_id == W,
        Assignment.kind == "qualification",
        Assignment.leased_at >= bindparam("since"),
        or_(Assignment.state == "submitted", LIVE),
    )
    return [~taken]


def _candidates(kind: str, *, postgres: bool) -> Any:
    """The next item of ``kind`` in queue order that this worker may have."""
    query = (
        select(*_ITEM_COLUMNS)
        .where(
            Item.project_id == P,
            Item.kind == kind,
            *_kind_clauses(kind),
            Item.id.not_in(bindparam("skip", expanding=True)),
            _not_opted_out(postgres=postgres),
            or_(bindparam("hazard_ok", type_=Boolean), Item.hazards.is_(None)),
            _skills_met(postgres=postgres),
        )
        .order_by(Item.neg_priority, Item.submission_count, Item.seq)
        .limit(1)
    )
    # Only task items have room to protect; gold and test items may be leased by many
    # workers at once (each worker once: the worker lock and the unique index see to it).
    locking = postgres and kind == "task"
    return query.with_for_update(skip_locked=True, of=Item) if locking else query


CANDIDATES = {
    (kind, pg): _candidates(kind, postgres=pg)
    for kind in ("task", "gold", "qualification")
    for pg in (False, True)
}


def pick(
    conn: Connection, kind: str, params: dict[str, Any], *, postgres: bool, hazard_ok: bool
) -> ItemRow | None:
    """The next item row of ``kind``, locked where the database can lock rows.

    On PostgreSQL the candidate is taken FOR UPDATE SKIP LOCKED; every lease of an item
    holds that lock, so recounting its live leases in a fresh statement is exact.
    On SQLite the whole transaction is the single writer already.
    """
    query = CANDIDATES[(kind, postgres)]
    params = {**params, "skip": [], "hazard_ok": hazard_ok}
    while True:
        row = conn.execute(query, params).first()
        if row is None or not postgres or kind != "task":
            return row
        live = conn.execute(LIVE_ON_ITEM, {"item_id": row.id, "now": params["now"]}).scalar_one()
        if rule.has_room(overlap=row.wanted, submissions=row.submission_count, live_leases=live):
            return row
        params["skip"] = [*params["skip"], row.id]


def worker_skills(conn: Connection, worker_id: int) -> dict[str, int]:
    return {s.skill: s.level for s in conn.execute(SKILLS, {"worker_id": worker_id})}


def skill_params(skills: dict[str, int], *, postgres: bool) -> dict[str, Any]:
    tokens = rule.held_tokens(skills)
    return {"tokens_json": json.dumps(tokens)} if postgres else {"tokens": tokens}


def next_midnight(now: datetime) -> datetime:
    return datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)


LAST_ATTEMPT = (
    select(QualificationAttempt)
    .where(QualificationAttempt.project_id == P, QualificationAttempt.user_id == W)
    .order_by(QualificationAttempt.id.desc())
    .limit(1)
)
