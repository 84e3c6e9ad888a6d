"""Builders of users, projects and items for tests, through the real services."""

from __future__ import annotations

import copy
import itertools
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from fairloop.db.engine import Database
from fairloop.db.models import Base
from fairloop.domain.actors import Actor
from fairloop.domain.specs import parse_spec
from fairloop.io.items import ItemFile
from fairloop.services.accounts import create_user
from fairloop.services.import_items import import_items
from fairloop.services.projects import consent, create_project
from fairloop.services.work.submit import submit

PASSWORD = "correct horse battery"
_seq = itertools.count(1)

SPEC: dict[str, Any] = {
    "name": "Toxicity",
    "disclosure": {
        "purpose": "Label comments as toxic or not.",
        "end_use": "A toxicity classifier trained by Test Lab.",
        "data_use": "Test Lab keeps the labels for one year under CC BY 4.0.",
        "withdrawal": "Stop any time; all work done is paid.",
        "contact": "lab@example.org",
    },
    "task": {"type": "label", "instructions": "Is it **toxic**?", "labels": ["toxic", "not_toxic"]},
    "overlap": 3,
    "lease_minutes": 30,
    "pay": {
        "currency": "USD",
        "per_task": "0.20",
        "estimated_seconds": 30,
        "hourly_floor": "12.00",
    },
}


HAZARD_FIELDS: dict[str, Any] = {
    "support": {
        "contact": "Counsellor on call: +1 555 0100, care@example.org",
        "resources": "Free sessions with a licensed counsellor; a quiet room.",
    },
    "severity_examples": {
        "1": "A news headline about an assault.",
        "2": "A description of a fight without injuries shown.",
        "3": "A detailed account of an injury.",
        "4": "Graphic images of serious injury.",
    },
}
"""What a spec must add when it declares hazards."""


def hazard_spec(hazards: list[str], **overrides: Any) -> dict[str, Any]:
    """Overrides for :func:`project` declaring ``hazards`` with support and examples."""
    return {**copy.deepcopy(HAZARD_FIELDS), "hazards": hazards, **overrides}


def spec(**overrides: Any) -> dict[str, Any]:
    body = copy.deepcopy(SPEC)
    body.update(overrides)
    return body


def user(
    db: Database, role: str = "worker", *, org: str | None = None, password: str | None = PASSWORD
) -> tuple[Actor, str]:
    """A user with ``password`` (PASSWORD); returns (actor, API token).

    ``password=None`` makes a token-only user: no argon2 hash, which costs about half a
    second a user here, so property tests that make many users pass it."""
    n = next(_seq)
    if role == "requester" and org is None:
        org = "Test Lab"
    return create_user(db, f"{role}{n}@example.org", role=role, password=password, org=org)


def project(db: Database, requester: Actor, *, items: int = 0, **overrides: Any) -> int:
    project_id = create_project(db, requester, parse_spec(spec(**overrides)))
    if items:
        add_items(
            db,
            requester,
            project_id,
            [{"id": f"i{i}", "data": {"text": f"comment {i}"}} for i in range(items)],
        )
    return project_id


def qualified_project(db: Database, requester: Actor, test: str = "t", work: str = "w") -> int:
    """A project whose one-item qualification test (the gold item ``test``) must be
    passed before its one work item ``work``."""
    project_id = project(db, requester, overlap=1, qualification={"items": 1, "pass": 1.0})
    rows = [{"data": {"text": test}, "gold": {"label": "toxic"}}, {"data": {"text": work}}]
    add_items(db, requester, project_id, rows)
    return project_id


def add_items(db: Database, requester: Actor, project_id: int, rows: list[dict[str, Any]]) -> int:
    source = ItemFile("test", None, len(rows), iter(enumerate(rows, start=1)))
    return import_items(db, requester, project_id, source)


def consented_worker(
    db: Database, project_id: int, *, password: str | None = PASSWORD
) -> tuple[Actor, str]:
    actor, token = user(db, "worker", password=password)
    consent(db, actor, project_id)
    return actor, token


def row_counts(db: Database) -> dict[str, int]:
    """Rows per table: compared before and after a refused request."""
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


def post_answer(api: Any, assignment_id: int, label: str, *, key: str, seconds: int = 3) -> Any:
    """POST a label answer to an assignment over the API; returns the response."""
    return api.post(
        f"/api/v1/assignments/{assignment_id}/submission",
        json={"answer": {"label": label}, "active_seconds": seconds},
        headers={"Idempotency-Key": key},
    )


def work_through(
    db: Database,
    project_id: int,
    workers: list[Actor],
    answer_of: Any = lambda worker, external_id: {"label": "toxic"},
    *,
    seconds: int = 4,
) -> int:
    """Each worker in turn leases and answers (``answer_of(worker, external_id)``)
    until no work is left for them; returns the number of submissions."""
    from fairloop.services.work.assign import lease_next
    from fairloop.services.work.submit import submit

    count = 0
    for worker in workers:
        while (lease := lease_next(db, worker, project_id)) is not None:
            answer = answer_of(worker, lease.external_id)
            submit(
                db, worker, lease.id, answer, active_seconds=seconds, idempotency_key=f"k{lease.id}"
            )
            count += 1
    return count


def submissions_of(db: Database, worker_id: int) -> list[int]:
    """Ids of a worker's submissions, oldest first."""
    from fairloop.db.models import Submission

    with db.engine.connect() as conn:
        return list(
            conn.scalars(
                select(Submission.id)
                .where(Submission.worker_id == worker_id)
                .order_by(Submission.id)
            )
        )


def answer_label(
    db: Database,
    worker: Actor,
    assignment_id: int,
    *,
    label: str = "toxic",
    seconds: int = 0,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Submit ``label`` for the worker's assignment through the service, once (the
    key is the assignment's)."""
    stored, _replayed = submit(
        db,
        worker,
        assignment_id,
        {"label": label},
        active_seconds=seconds,
        idempotency_key=f"k{assignment_id}",
        now=now,
    )
    return stored
