"""Projects: creation from a spec, the view each role gets, consent, progress."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from fairloop.db.base import utcnow
from fairloop.db.engine import Database
from fairloop.db.models import (
    Consent,
    Disclosure,
    Item,
    Membership,
    Organisation,
    Project,
    ProjectWorker,
    Submission,
    User,
)
from fairloop.domain.actors import Actor
from fairloop.domain.hazards import describe
from fairloop.domain.pay import floor_problem, parse_minimums
from fairloop.domain.specs import ProjectSpec, spec_to_json, task_for_workers
from fairloop.domain.terms import terms_of
from fairloop.errors import Conflict, Forbidden, InvalidInput
from fairloop.services import audit
from fairloop.services.access import (
    has_consented,
    project_for_anyone,
    project_for_requester,
    project_for_worker,
)
from fairloop.services.inbox import post_notice
from fairloop.services.requesters import RequesterRecord, requester_record
from fairloop.services.work.redteam import check_key, check_launch
from fairloop.settings import get_settings


def create_project(db: Database, actor: Actor, spec: ProjectSpec, *, org: str | None = None) -> int:
    """Store a validated spec as a live project with disclosure version 1."""
    if actor.role not in ("requester", "admin"):
        raise Forbidden("only requesters create projects", code="not_a_requester")
    check_launch(spec.task)
    check_floor(spec)
    with db.transaction() as session:
        org_id = _org_for(session, actor, org)
        owner = session.get(Organisation, org_id)
        assert owner is not None
        check_key(spec.task, owner.name)
        body = spec_to_json(spec)
        project = Project(
            org_id=org_id,
            name=spec.name,
            task_type=spec.task.type,
            spec=body,
            # The most submissions an item may get; under dynamic overlap each item's
            # own ``wanted`` says how many it asks for now.
            overlap=spec.overlap_max,
            lease_minutes=spec.lease_minutes,
            disclosure_version=1,
            created_by=actor.id or None,
        )
        session.add(project)
        session.flush()
        session.add(Disclosure(project_id=project.id, version=1, body=body["disclosure"]))
        audit.record(session, actor, "project.create", f"project:{project.id}")
        return project.id


def check_floor(spec: ProjectSpec) -> None:
    """Refuse pay under the project's own floor or the instance's minimum, with figures."""
    settings = get_settings()
    minimums = parse_minimums(
        settings.currency, settings.min_hourly_floor, settings.min_hourly_floors
    )
    pay = spec.pay.model_dump()
    if problem := floor_problem(pay, minimums.get(pay["currency"])):
        raise InvalidInput(problem.message, field=problem.field, code="pay_below_floor")


def _org_for(session: Session, actor: Actor, org: str | None) -> int:
    query = select(Organisation.id, Organisation.name)
    if not actor.is_admin:
        query = query.join(Membership, Membership.org_id == Organisation.id).where(
            Membership.user_id == actor.id
        )
    orgs = session.execute(query).all()
    if org is not None:
        orgs = [o for o in orgs if o.name == org]
        if not orgs:
            raise InvalidInput(
                f"you are not a member of an organisation named {org!r}", field="org"
            )
    if len(orgs) != 1:
        raise InvalidInput("name the organisation the project belongs to", field="org")
    return int(orgs[0].id)


@dataclass(frozen=True)
class Progress:
    items: int
    items_complete: int
    submissions: int
    workers: int
    pending_review: int
    gold_items: int = 0
    submissions_saved: int = 0
    """Submissions dynamic overlap did not need: ``max`` minus those asked, summed
    over finished items."""


def _progress(session: Session, project: Project) -> Progress:
    done = Item.submission_count >= Item.wanted
    task = and_(Item.kind == "task", Item.gold.is_(None))
    items, complete, gold, asked = session.execute(
        select(
            func.count(Item.id).filter(task),
            func.count(Item.id).filter(task, done),
            func.count(Item.id).filter(Item.gold.is_not(None)),
            func.coalesce(func.sum(Item.submission_count).filter(task, done), 0),
        ).where(Item.project_id == project.id)
    ).one()
    saved = complete * project.overlap - asked if isinstance(project.spec["overlap"], dict) else 0
    submissions, workers, pending = session.execute(
        select(
            func.count(Submission.id),
            func.count(func.distinct(Submission.worker_id)),
            func.count(Submission.id).filter(Submission.review_state == "pending"),
        ).where(Submission.project_id == project.id)
    ).one()
    return Progress(items, complete, submissions, workers, pending, gold, max(0, saved))


def project_view(db: Database, actor: Actor, project_id: int) -> dict[str, Any]:
    """The project as ``actor`` may see it: spec, disclosure, progress, own consent."""
    with db.transaction(readonly=True) as session:
        project = project_for_anyone(session, actor, project_id)
        view = _summary(session, project)
        view["progress"] = _progress(session, project).__dict__
        if actor.role == "worker":
            view["consented"] = has_consented(session, actor, project)
            view["record"] = requester_record(session, project.org_id)
            view["notice_ends_local"] = _in_zone(
                project.notice_ends_at,
                session.scalar(select(User.time_zone).where(User.id == actor.id)),
            )
            _hide_requester(view)
        return view


def _in_zone(at: datetime | None, zone: str | None) -> dict[str, str] | None:
    """``at`` as a worker reads it: in their own time zone (UTC when unset or unknown)."""
    if at is None:
        return None
    try:
        tz = ZoneInfo(zone) if zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = UTC, None
    return {"at": at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), "zone": zone or "UTC"}


def _summary(session: Session, project: Project) -> dict[str, Any]:
    spec = project.spec
    org = session.get(Organisation, project.org_id)
    return {
        "id": project.id,
        "name": project.name,
        "requester": org.name if org else "",
        "state": project.state,
        "task": spec["task"],
        "overlap": spec["overlap"],
        "gold_rate": spec.get("gold_rate"),
        "qualification": spec.get("qualification"),
        "skills": spec.get("skills", []),
        "max_pending": spec.get("max_pending", 1),
        "daily_cap": spec.get("daily_cap"),
        "lease_minutes": project.lease_minutes,
        "pay": spec["pay"],
        "hazards": [describe(c) for c in spec.get("hazards", [])],
        "severity_examples": spec.get("severity_examples", {}),
        "support": spec.get("support"),
        "notice_days": spec.get("notice_days", 7),
        "notice_ends_at": project.notice_ends_at.isoformat() if project.notice_ends_at else None,
        "disclosure": {"version": project.disclosure_version, **spec["disclosure"]},
        "terms": terms_of(
            spec,
            lease_minutes=project.lease_minutes,
            appeal_deadline_days=get_settings().appeal_deadline_days,
        ),
        "created_at": project.created_at.isoformat(),
    }


def _hide_requester(view: dict[str, Any]) -> None:
    """Workers learn the requester's name only where the disclosure makes it public,
    and nothing of a model's address, key or system prompt."""
    view["task"] = task_for_workers(view["task"])
    if not view["disclosure"].get("identity_public", False):
        view["requester"] = None


def list_projects(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """Requesters: their organisations' projects. Workers: live projects open to them."""
    with db.transaction(readonly=True) as session:
        query = select(Project).order_by(Project.id)
        if actor.role == "worker":
            # A suspended project stays listed while its notice runs; a paused one
            # too, its card saying so.
            in_notice = and_(Project.state == "suspended", Project.notice_ends_at > utcnow())
            query = query.where(or_(Project.state.in_(("live", "paused")), in_notice))
        elif not actor.is_admin:
            query = query.join(Membership, Membership.org_id == Project.org_id).where(
                Membership.user_id == actor.id
            )
        views = []
        records: dict[int, RequesterRecord] = {}
        for project in session.scalars(query):
            view = _summary(session, project)
            view["progress"] = _progress(session, project).__dict__
            if actor.role == "worker":
                view["consented"] = has_consented(session, actor, project)
                if project.org_id not in records:
                    records[project.org_id] = requester_record(session, project.org_id)
                view["record"] = records[project.org_id]
                _hide_requester(view)
            views.append(view)
        return views


def consent(db: Database, actor: Actor, project_id: int) -> dict[str, Any]:
    """Record consent to the current disclosure; first consent gives a pseudonym."""
    with db.transaction() as session:
        project = project_for_worker(session, actor, project_id)
        if project.state != "live":
            # A paused or stopping project takes no new consent: nobody signs up for
            # work that is not being handed out.
            raise Conflict(
                f"the project is {project.state}; consent opens when it is live again",
                field="project_id",
                code="project_not_live",
            )
        if not has_consented(session, actor, project):
            session.add(
                Consent(
                    project_id=project.id,
                    user_id=actor.id,
                    disclosure_version=project.disclosure_version,
                )
            )
        pseudonym = session.scalar(
            select(ProjectWorker.pseudonym).where(
                ProjectWorker.project_id == project.id, ProjectWorker.user_id == actor.id
            )
        )
        if pseudonym is None:
            pseudonym = f"w-{secrets.token_hex(5)}"
            session.add(ProjectWorker(project_id=project.id, user_id=actor.id, pseudonym=pseudonym))
        return {"project_id": project.id, "disclosure_version": project.disclosure_version}


def set_state(
    db: Database, actor: Actor, project_id: int, state: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """Pause (no new leases) or reopen a project, telling its workers; a pause that
    outlasts FAIRLOOP_PAUSE_LIMIT_DAYS becomes a suspension (:mod:`.suspend`)."""
    from fairloop.services.suspend import set_paused

    if state not in ("live", "paused"):
        raise InvalidInput(f"unknown state {state!r}", field="state")
    return set_paused(db, actor, project_id, paused=state == "paused", now=now)


def revise_disclosure(
    db: Database, actor: Actor, project_id: int, disclosure: object
) -> dict[str, Any]:
    """A changed disclosure is a new version: every worker must consent again."""
    from pydantic import ValidationError

    from fairloop.domain.specs import Disclosure as DisclosureSpec
    from fairloop.domain.specs import first_error

    try:
        body = DisclosureSpec.model_validate(disclosure).model_dump()
    except ValidationError as exc:
        raise first_error(exc, prefix="disclosure.") from None
    with db.transaction() as session:
        project = project_for_requester(session, actor, project_id)
        if body == project.spec["disclosure"]:
            return {"id": project.id, "disclosure_version": project.disclosure_version}
        project.disclosure_version += 1
        project.spec = {**project.spec, "disclosure": body}
        session.add(
            Disclosure(project_id=project.id, version=project.disclosure_version, body=body)
        )
        audit.record(session, actor, "project.disclosure", f"project:{project.id}")
        notify_disclosure_change(session, project)
        return {"id": project.id, "disclosure_version": project.disclosure_version}


def notify_disclosure_change(session: Session, project: Project) -> None:
    """Tell everyone who consented to an earlier version that the disclosure changed."""
    workers = session.scalars(
        select(Consent.user_id).where(Consent.project_id == project.id).distinct()
    )
    for worker_id in workers:
        post_notice(
            session,
            user_id=worker_id,
            kind="disclosure",
            project_id=project.id,
            text=(
                f"What {project.name} is for has changed (version "
                f"{project.disclosure_version}). Read it again and consent to keep working."
            ),
        )
