"""The export registry: a project is offered exactly the datasets it can give, every
offered one exports, and every other is refused naming the ones it can."""

from __future__ import annotations

import pytest

from fairloop.domain.specs import parse_spec
from fairloop.errors import InvalidInput
from fairloop.services.exports import FORMATS, export_rows, formats_for
from fairloop.services.projects import create_project
from fairloop.services.work.assign import lease_next
from fairloop.services.work.submit import submit
from tests import factories as f
from tests.factories.feedback import TASKS, feedback_spec, item

OFFERED = [
    ({"type": "label", "labels": ["a", "b"]}, ["raw", "aggregated"]),
    (TASKS["compare"], ["raw", "dpo"]),
    (TASKS["rank"], ["raw", "dpo", "rankings"]),
    ({k: v for k, v in TASKS["rate"].items() if k != "pairs"}, ["raw", "ratings"]),
    (TASKS["rate"], ["raw", "dpo", "ratings"]),
    (TASKS["write"], ["raw", "sft"]),
    ({**TASKS["write"], "mode": "prompt"}, ["raw"]),
    (TASKS["converse"], ["raw", "sft"]),
    ({"type": "redteam"}, ["raw", "aggregated", "redteam"]),
    ({"type": "record"}, ["raw", "record"]),
]


@pytest.mark.parametrize(("task", "offered"), OFFERED, ids=lambda v: str(v)[:40])
def test_each_task_is_offered_the_datasets_it_can_give(task, offered):
    assert formats_for(task) == offered


def _answered_project(db, kind: str, answer: dict) -> tuple:
    requester, _ = f.user(db, "requester")
    spec = f.spec() if kind == "label" else feedback_spec(kind)
    project_id = create_project(db, requester, parse_spec(spec))
    rows = [{"id": "i1", "data": {"text": "hello"}}] if kind == "label" else [item(kind, 1)]
    f.add_items(db, requester, project_id, rows)
    worker, _ = f.consented_worker(db, project_id)
    lease = lease_next(db, worker, project_id)
    submit(db, worker, lease.id, answer, active_seconds=5, idempotency_key="k")
    return requester, project_id, spec["task"]


@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        ("label", {"label": "toxic"}),
        ("compare", {"preferred": "a", "strength": 2, "rationale": "clearer"}),
    ],
)
def test_every_offered_dataset_exports_and_every_other_is_refused(db, kind, answer):
    requester, project_id, task = _answered_project(db, kind, answer)
    offered = formats_for(task)
    for fmt in FORMATS:
        if fmt in offered:
            assert list(export_rows(db, requester, project_id, fmt)), fmt
            continue
        with pytest.raises(InvalidInput) as refused:
            export_rows(db, requester, project_id, fmt)
        assert refused.value.field == "format"
        assert f"this project exports: {', '.join(offered)}" in refused.value.message
