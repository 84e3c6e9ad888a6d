"""A worker's protection: opt-outs, exposure, the viewing setting, reveals, and the one
call the lease path makes (:func:`check_hazard_item`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import Assignment, HazardOptOut, Item, User, ViewingSetting
from fairloop.domain import wellbeing as rules
from fairloop.domain.actors import Actor
from fairloop.domain.hazards import HAZARDS, MAX_SEVERITY, describe
from fairloop.domain.viewing import DEFAULT_TEXT_SEVERITY
from fairloop.domain.worktime import to_seconds
from fairloop.errors import Forbidden, InvalidInput, WellbeingRefusal
from fairloop.services import audit
from fairloop.services.access import own_assignment
from fairloop.settings import get_settings

_OPTED = select(HazardOptOut.hazard).where(HazardOptOut.user_id == bindparam("worker_id"))
_HISTORY = (
    select(
        Assignment.id,
        Assignment.leased_at,
        Assignment.ended_at,
        Assignment.state,
        Assignment.lease_expires_at,
        Assignment.active_seconds,
        Assignment.heartbeat_ms,
        Item.severity,
    )
    .join(Item, Item.id == Assignment.item_id)
    .where(
        Assignment.worker_id == bindparam("worker_id"),
        Assignment.leased_at >= bindparam("since"),
        Item.hazards.is_not(None),
    )
)


@lru_cache
def instance_policy() -> rules.Policy:
    s = get_settings()
    return rules.Policy(
        daily_minutes=s.daily_exposure_minutes,
        weekly_minutes=s.weekly_exposure_minutes,
        break_after_minutes=s.break_after_minutes,
        break_minutes=s.break_minutes,
        weights=rules.parse_weights(s.exposure_weights),
    )


def policy_for(spec: dict[str, Any]) -> rules.Policy:
    return rules.stricter(instance_policy(), spec.get("wellbeing"))


def opted_out(session: Connection | Session, worker_id: int) -> list[str]:
    return list(session.execute(_OPTED, {"worker_id": worker_id}).scalars())


_ZONE = select(User.time_zone).where(User.id == bindparam("worker_id"))


def worker_zone(session: Connection | Session, worker_id: int) -> tzinfo:
    """The worker's own time zone (UTC until they set one)."""
    name = session.execute(_ZONE, {"worker_id": worker_id}).scalar()
    return zone_named(name) or UTC


def zone_named(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def hazard_history(
    session: Connection | Session,
    worker_id: int,
    now: datetime,
    *,
    measuring: int | None = None,
    as_seen: bool = False,
) -> list[rules.HazardWork]:
    """The worker's hazard work of the last 8 days (enough for the weekly budget).

    A live lease counts at its full length, so that a new lease cannot overshoot;
    the lease being ``measuring`` (the task open now), or every live lease when
    ``as_seen`` (what the worker has seen so far, for display), at its measured time.
    A lease that ran out unanswered counts what was measured on it: exposure happened."""
    rows = session.execute(_HISTORY, {"worker_id": worker_id, "since": now - timedelta(days=8)})
    work = []
    for r in rows:
        live = r.state == "leased" and r.lease_expires_at > now and r.id != measuring
        live = live and not as_seen
        # An expired, never-closed lease ended when it ran out.
        ended = None if live else (r.ended_at or min(r.lease_expires_at, now))
        measured = r.active_seconds or to_seconds(r.heartbeat_ms)
        work.append(
            rules.HazardWork(
                started_at=r.leased_at,
                ended_at=ended,
                active_seconds=measured,
                severity=r.severity,
                lease_seconds=int((r.lease_expires_at - r.leased_at).total_seconds()),
            )
        )
    return work


class HazardItem(Protocol):
    """What the veto reads of a candidate item (a row of the lease's item query)."""

    hazards: list[str] | None
    severity: int | None


def check_hazard_item(
    session: Connection, worker_id: int, spec: dict[str, Any], item: HazardItem, now: datetime
) -> rules.Refusal | None:
    """The wellbeing veto for one candidate item row (with ``hazards`` and ``severity``)."""
    if not item.hazards:
        return None
    return rules.wellbeing_veto(
        history=hazard_history(session, worker_id, now),
        opted_out=opted_out(session, worker_id),
        item_hazards=item.hazards,
        item_severity=item.severity,
        now=now,
        policy=policy_for(spec),
        zone=worker_zone(session, worker_id),
    )


def limit_during_task(
    session: Connection | Session,
    worker_id: int,
    assignment_id: int,
    spec: dict[str, Any],
    now: datetime,
) -> rules.Refusal | None:
    """The limit an open hazard task has reached by ``now`` (its own time measured so
    far), or None: the lease must end there."""
    return rules.limit_reached(
        history=hazard_history(session, worker_id, now, measuring=assignment_id),
        now=now,
        policy=policy_for(spec),
        zone=worker_zone(session, worker_id),
    )


def refusal_error(refusal: rules.Refusal) -> WellbeingRefusal:
    resume = refusal.resume_at.isoformat() if refusal.resume_at else None
    when = f"; you can continue from {resume}" if resume else ""
    return WellbeingRefusal(refusal.message + when, code=refusal.code, resume_at=resume)


def _worker(actor: Actor) -> Actor:
    if actor.role != "worker":
        raise Forbidden("only workers have opt-outs and exposure", code="not_a_worker")
    return actor


def check_codes(codes: object, field: str = "hazards") -> list[str]:
    """A list of known hazard codes, or InvalidInput naming the first bad one."""
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise InvalidInput(f"{field} must be a list of hazard codes", field=field)
    for code in codes:
        if code not in HAZARDS:
            raise InvalidInput(
                f"unknown hazard code {code!r}; known codes: {', '.join(HAZARDS)}", field=field
            )
    return sorted(set(codes))


def set_opt_outs(db: Database, actor: Actor, codes: object) -> dict[str, list[str]]:
    """Replace the worker's opt-outs. Scores, eligibility and pay never read them."""
    wanted = check_codes(codes)
    with db.transaction() as session:
        _worker(actor)
        session.execute(delete(HazardOptOut).where(HazardOptOut.user_id == actor.id))
        if wanted:
            session.execute(
                insert(HazardOptOut), [{"user_id": actor.id, "hazard": c} for c in wanted]
            )
        return {"hazards": wanted}


def get_opt_outs(db: Database, actor: Actor) -> dict[str, list[str]]:
    with db.transaction(readonly=True) as session:
        return {"hazards": sorted(opted_out(session, _worker(actor).id))}


def text_severity_max(session: Session | Connection, worker_id: int) -> int:
    value = session.execute(
        select(ViewingSetting.text_severity_max).where(ViewingSetting.user_id == worker_id)
    ).scalar()
    return DEFAULT_TEXT_SEVERITY if value is None else int(value)


def set_text_severity(db: Database, actor: Actor, value: object) -> dict[str, int]:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SEVERITY:
        raise InvalidInput(
            f"text_severity_max must be a whole number from 0 to {MAX_SEVERITY}",
            field="text_severity_max",
        )
    with db.transaction() as session:
        setting = session.get(ViewingSetting, _worker(actor).id)
        if setting is None:
            session.add(ViewingSetting(user_id=actor.id, text_severity_max=value))
        else:
            setting.text_severity_max = value
            setting.updated_at = utcnow()
        return {"text_severity_max": value}


def set_time_zone(db: Database, actor: Actor, name: object) -> dict[str, str]:
    """The worker's own time zone, an IANA name: their exposure day follows it."""
    if not isinstance(name, str) or len(name) > 64 or zone_named(name.strip()) is None:
        raise InvalidInput(
            f"time_zone {str(name)[:64]!r} is not a known time zone; use a name such as "
            "Europe/Berlin or America/Los_Angeles",
            field="time_zone",
        )
    with db.transaction() as session:
        user = session.get(User, _worker(actor).id)
        assert user is not None
        user.time_zone = name.strip()
        return {"time_zone": user.time_zone}


def default_time_zone(db: Database, actor: Actor, name: str) -> None:
    """The browser's zone, kept at login if the worker has set none (a bad or missing
    name is simply not kept: the worker can set one on the wellbeing page)."""
    if actor.role != "worker" or len(name) > 64 or zone_named(name) is None:
        return
    with db.transaction() as session:
        user = session.get(User, actor.id)
        if user is not None and user.time_zone is None:
            user.time_zone = name


def my_wellbeing(db: Database, actor: Actor, *, now: datetime | None = None) -> dict[str, Any]:
    """What the worker's own wellbeing page shows: opt-outs, setting, exposure today."""
    now = now or utcnow()
    policy = instance_policy()
    with db.transaction(readonly=True) as session:
        _worker(actor)
        # As seen so far: an open hazard task counts its measured time, not its lease.
        history = hazard_history(session, actor.id, now, as_seen=True)
        zone = worker_zone(session, actor.id)
        return {
            "hazards": [describe(c) for c in HAZARDS],
            "opted_out": sorted(opted_out(session, actor.id)),
            "text_severity_max": text_severity_max(session, actor.id),
            "exposure_today_minutes": round(
                rules.exposure_since(history, rules.day_start(now, zone), policy) / 60, 1
            ),
            "time_zone": str(zone),
            "time_zone_set": session.execute(_ZONE, {"worker_id": actor.id}).scalar(),
            "daily_budget_minutes": policy.daily_minutes,
        }


def log_reveal(db: Database, actor: Actor, assignment_id: int, *, shown: bool) -> dict[str, Any]:
    """Record that the worker revealed (or hid again) a blurred image."""

    with db.transaction() as session:
        assignment = own_assignment(session, actor, assignment_id)
        action = "item.reveal" if shown else "item.hide"
        audit.record(session, actor, action, f"assignment:{assignment.id}")
        return {"assignment_id": assignment.id, "shown": shown}


def viewing_setting(db: Database, actor: Actor) -> int:
    """The worker's text severity setting (collapsed above it)."""
    with db.core_transaction(readonly=True) as conn:
        return text_severity_max(conn, actor.id)
