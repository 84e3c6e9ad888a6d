"""The ``dpo`` and ``rankings`` datasets decided by the project's aggregation method:
Dawid-Skene over workers' top picks once a project is large, majority vote below."""

from __future__ import annotations

import json
import random

import pytest

from fairloop.domain.preferences import aggregate_order
from fairloop.domain.specs import parse_spec
from fairloop.quality import dawid_skene
from fairloop.services.exports import export_rows
from fairloop.services.projects import create_project
from tests import factories as f
from tests.factories.feedback import feedback_spec, item

ACCURACIES = [0.95, 0.9, 0.55, 0.5]


def crowd(db, kind: str, *, items: int, method: str = "auto"):
    """A project of ``kind`` whose every item has a known best response, answered by
    workers of ACCURACIES; returns (requester, project id, truth by external id)."""
    requester, _ = f.user(db, "requester")
    spec = feedback_spec(kind, overlap=len(ACCURACIES), quality={"method": method})
    project_id = create_project(db, requester, parse_spec(spec))
    rows = [item(kind, n) for n in range(items)]
    f.add_items(db, requester, project_id, rows)
    rng = random.Random(11)
    ids = [r["id"] for r in rows[0]["data"]["responses"]]
    truth = {r["id"]: rng.choice(ids) for r in rows}
    workers = [f.consented_worker(db, project_id)[0] for _ in ACCURACIES]
    skill = {w.id: a for w, a in zip(workers, ACCURACIES, strict=True)}

    def answer_of(worker, external_id):
        best = truth[external_id]
        pick = (
            best if rng.random() < skill[worker.id] else rng.choice([i for i in ids if i != best])
        )
        if kind == "compare":
            return {"preferred": pick, "strength": 1, "rationale": "clearer"}
        return {"order": [pick, *[i for i in ids if i != pick]]}

    f.work_through(db, project_id, workers, answer_of)
    return requester, project_id, truth


def test_large_compare_projects_choose_by_dawid_skene_as_the_library_does(db):
    requester, project_id, truth = crowd(db, "compare", items=150)
    raw = list(export_rows(db, requester, project_id, "raw"))
    ids = {"a": "0", "b": "1"}
    reference = dawid_skene(
        [r["item_id"] for r in raw],
        [r["worker"] for r in raw],
        [ids[json.loads(r["answer"])["preferred"]] for r in raw],
    )
    expected = dict(zip(reference.items.tolist(), reference.labels.tolist(), strict=True))
    confidence = dict(zip(reference.items.tolist(), reference.confidence.tolist(), strict=True))
    rows = list(export_rows(db, requester, project_id, "dpo"))
    # Four votes split two and two leave majority vote with a tie; the model decides them.
    assert len(rows) == 150
    for row in rows:
        assert ids[row["chosen_id"]] == expected[row["item_id"]]
        assert row["confidence"] == pytest.approx(confidence[row["item_id"]], abs=1e-6)
    right = sum(row["chosen_id"] == truth[row["external_id"]] for row in rows)
    assert right / len(rows) >= 0.95


def test_majority_vote_leaves_split_items_out(db):
    requester, project_id, _ = crowd(db, "compare", items=150, method="mv")
    rows = list(export_rows(db, requester, project_id, "dpo"))
    assert 0 < len(rows) < 150
    assert all(row["confidence"] == row["agreement"] > 0.5 for row in rows)


def test_rankings_weigh_reliable_workers_more(db):
    requester, project_id, truth = crowd(db, "rank", items=120)
    modelled = list(export_rows(db, requester, project_id, "rankings"))
    assert len(modelled) == 120
    assert all(0 < row["confidence"] <= 1 for row in modelled)
    tops = [row["order"][0] for row in modelled]
    right = sum(top == truth[row["external_id"]] for top, row in zip(tops, modelled, strict=True))
    assert right / len(modelled) >= 0.95
    # Mean place over equal weights lets the two careless workers tie or win.
    orders: dict[str, list] = {}
    for r in export_rows(db, requester, project_id, "raw"):
        orders.setdefault(r["external_id"], []).append(json.loads(r["answer"])["order"])
    plain = sum(aggregate_order(o)[0] == truth[ext] for ext, o in orders.items())
    assert plain < right
    pairs = list(export_rows(db, requester, project_id, "dpo"))
    chosen = sum(p["chosen_id"] == truth[p["external_id"]] for p in pairs)
    assert chosen / len(pairs) >= 0.95
