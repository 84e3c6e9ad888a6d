"""The quality library inside the platform: the aggregated export's method, the
requester's agreement and reliability figures, both databases."""

from __future__ import annotations

import json
import random

import krippendorff
import numpy as np
import pytest

from fairloop.domain.actors import Actor
from fairloop.errors import InvalidInput, NotFound
from fairloop.quality import dawid_skene
from fairloop.services.exports import export_rows
from fairloop.services.quality.report import project_quality
from tests import factories as f

LABELS = ["toxic", "not_toxic"]


def noisy_crowd(db, requester: Actor, *, items: int, accuracies, **spec):
    """A project whose items have a known true label, answered by workers of the given
    accuracies; returns (project id, workers, truth by external id)."""
    project_id = f.project(db, requester, items=items, overlap=len(accuracies), **spec)
    rng = random.Random(7)
    truth = {f"i{i}": rng.choice(LABELS) for i in range(items)}
    workers = [f.consented_worker(db, project_id)[0] for _ in accuracies]
    skill = {w.id: a for w, a in zip(workers, accuracies, strict=True)}

    def answer_of(worker, external_id):
        right = truth[external_id]
        if rng.random() < skill[worker.id]:
            return right
        return LABELS[1 - LABELS.index(right)]

    f.work_through(db, project_id, workers, lambda w, ext: {"label": answer_of(w, ext)})
    return project_id, workers, truth


def exported(db, requester, project_id, fmt="aggregated"):
    """Rows as a user reads them: raw answers come as stored JSON text."""
    rows = list(export_rows(db, requester, project_id, fmt))
    for row in rows:
        if isinstance(row.get("answer"), str):
            row["answer"] = json.loads(row["answer"])
    return rows


def test_large_projects_aggregate_by_dawid_skene_as_the_library_does(db):
    requester, _ = f.user(db, "requester")
    project_id, _, _ = noisy_crowd(db, requester, items=120, accuracies=[0.9, 0.8, 0.6, 0.55])
    rows = exported(db, requester, project_id)
    raw = exported(db, requester, project_id, "raw")
    assert {r["method"] for r in rows} == {"ds"}
    assert len(rows) == 120 and all(r["submissions"] == 4 for r in rows)
    reference = dawid_skene(
        [r["item_id"] for r in raw], [r["worker"] for r in raw], [r["answer"]["label"] for r in raw]
    )
    expected = dict(zip(reference.items.tolist(), reference.labels.tolist(), strict=True))
    confidence = dict(zip(reference.items.tolist(), reference.confidence.tolist(), strict=True))
    for row in rows:
        assert row["answer"] == {"label": expected[row["item_id"]]}
        assert row["confidence"] == pytest.approx(confidence[row["item_id"]], abs=1e-6)


def test_small_projects_use_majority_vote(db):
    requester, _ = f.user(db, "requester")
    project_id, _, _ = noisy_crowd(db, requester, items=10, accuracies=[1.0, 1.0, 0.0])
    rows = exported(db, requester, project_id)
    assert {r["method"] for r in rows} == {"mv"}
    assert all(r["confidence"] == pytest.approx(2 / 3, abs=1e-6) for r in rows)


def test_weighted_vote_trusts_the_worker_who_passes_gold(db):
    requester, _ = f.user(db, "requester")
    project_id = f.project(db, requester, overlap=3, quality={"method": "wmv"})
    f.add_items(db, requester, project_id, [{"id": "g1", "data": {"text": "g"}, "gold": "toxic"}])
    f.add_items(db, requester, project_id, [{"id": "d1", "data": {"text": "d"}}])
    expert, novice_a, novice_b = (f.consented_worker(db, project_id)[0] for _ in range(3))

    def answer_of(worker, external_id):
        good = "toxic" if external_id == "g1" else "not_toxic"
        bad = "not_toxic" if external_id == "g1" else "toxic"
        return good if worker is expert else bad

    f.work_through(
        db, project_id, [expert, novice_a, novice_b], lambda w, ext: {"label": answer_of(w, ext)}
    )
    (row,) = exported(db, requester, project_id)  # the gold item is not data
    assert row["external_id"] == "d1" and row["method"] == "wmv"
    assert row["answer"] == {"label": "not_toxic"}


def test_an_unknown_method_is_refused_naming_the_field(db):
    requester, _ = f.user(db, "requester")
    with pytest.raises(InvalidInput) as err:
        f.project(db, requester, quality={"method": "best"})
    assert err.value.field == "quality.method"


def test_agreement_and_reliability_for_the_requester(db):
    requester, _ = f.user(db, "requester")
    project_id, workers, _ = noisy_crowd(db, requester, items=30, accuracies=[0.95, 0.9, 0.6])
    raw = exported(db, requester, project_id, "raw")
    report = project_quality(db, requester, project_id)

    (question,) = report["questions"]
    items = sorted({r["item_id"] for r in raw})
    coders = sorted({r["worker"] for r in raw})
    matrix = np.full((len(coders), len(items)), np.nan)
    for r in raw:
        matrix[coders.index(r["worker"]), items.index(r["item_id"])] = LABELS.index(
            r["answer"]["label"]
        )
    assert question["question"] == "label" and question["workers"] == 3
    assert question["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"), abs=1e-9
    )
    rows = report["workers"]["rows"]
    assert sorted(r["worker"] for r in rows) == coders  # pseudonyms, never names
    assert not any(w.email in str(report) for w in workers)
    assert [r["reliability"] for r in rows] == sorted(r["reliability"] for r in rows)
    assert report["workers"]["summary"]["count"] == 3


def test_quality_of_another_organisations_project_is_not_found(db):
    requester, _ = f.user(db, "requester")
    stranger, _ = f.user(db, "requester", org="Other Lab")
    project_id = f.project(db, requester, items=2)
    with pytest.raises(NotFound):
        project_quality(db, stranger, project_id)


def test_quality_over_http_and_on_the_project_page(db, http):
    requester, token = f.user(db, "requester")
    project_id, _, _ = noisy_crowd(db, requester, items=5, accuracies=[1.0, 1.0])
    api = http(token)
    body = api.get(f"/api/v1/projects/{project_id}/quality").json()
    assert body["questions"][0]["alpha"] == pytest.approx(1.0)
    from tests.factories.web import login

    page = login(http, requester.email).get(f"/projects/{project_id}")
    assert page.status_code == 200
    assert 'id="agreement"' in page.text and "1.000" in page.text
    assert 'id="reliability"' in page.text and "w-" in page.text
