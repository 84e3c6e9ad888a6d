"""Each human-feedback dataset holds what workers submitted, and its Parquet file loads
with pyarrow and with Hugging Face ``datasets`` in the layout trainers read."""

from __future__ import annotations

import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fairloop.domain.specs import parse_spec
from fairloop.errors import InvalidInput
from fairloop.io.writers import write_rows
from fairloop.services.exports import columns_for, export_rows
from fairloop.services.projects import create_project
from fairloop.services.work.assign import lease_next
from fairloop.services.work.submit import submit
from tests import factories as f
from tests.factories.feedback import CONVERSATION, feedback_spec, item

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

CHAT = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))


class Project:
    """A project of one type with workers who answer through the services."""

    def __init__(self, db, kind, items, *, chat=False, **overrides):
        self.db = db
        self.requester, _ = f.user(db, "requester")
        self.id = create_project(db, self.requester, parse_spec(feedback_spec(kind, **overrides)))
        if items:
            rows = [item(kind, n, chat=chat) for n in range(items)]
            f.add_items(db, self.requester, self.id, rows)
        self.workers = [f.consented_worker(db, self.id)[0] for _ in range(3)]

    def answer(self, worker, make):
        """Lease the worker's next item and answer ``make(lease)``; returns the lease."""
        lease = lease_next(self.db, worker, self.id)
        submit(
            self.db, worker, lease.id, make(lease), active_seconds=9, idempotency_key=f"k{lease.id}"
        )
        return lease

    def export(self, fmt):
        return list(export_rows(self.db, self.requester, self.id, fmt))

    def write(self, fmt, path):
        rows = export_rows(self.db, self.requester, self.id, fmt)
        count = write_rows(rows, path, columns_for(fmt))
        return count, rows


def pick(winner):
    return lambda lease: (
        {"preferred": "tie", "rationale": "same"}
        if winner == "tie"
        else {"preferred": winner, "strength": 1, "rationale": "clearer"}
    )


def test_dpo_from_compare_takes_the_majority_and_leaves_ties_out(db, tmp_path):
    p = Project(db, "compare", 3, overlap=3)
    # item 0: a, a, b -> a. item 1: b, tie, b -> b. item 2: a, b, tie -> tie.
    plan = {0: ["a", "a", "b"], 1: ["b", "tie", "b"], 2: ["a", "b", "tie"]}
    for w, worker in enumerate(p.workers):
        for _ in range(3):
            p.answer(worker, lambda lease, w=w: pick(plan[int(lease.external_id[-1])][w])(lease))
    rows = p.export("dpo")
    assert [(r["external_id"], r["prompt"], r["chosen"], r["rejected"]) for r in rows] == [
        ("compare-0", "Question 0?", "A0", "B0"),
        ("compare-1", "Question 1?", "B1", "A1"),
    ]
    assert rows[0]["votes"] == 3 and rows[0]["agreement"] == pytest.approx(2 / 3)
    count, written = p.write("dpo", tmp_path / "dpo.jsonl")
    assert count == 2 and written.left_out == 1


def test_dpo_parquet_with_conversation_prompts_loads_as_trl_reads_it(db, tmp_path):
    from datasets import load_dataset

    p = Project(db, "compare", 2, chat=True, overlap=1)
    for _ in range(2):
        p.answer(p.workers[0], pick("b"))
    path = tmp_path / "dpo.parquet"
    count, _ = p.write("dpo", path)
    assert count == 2
    table = pq.read_table(path)
    assert table.schema.field("prompt").type == CHAT
    assert table.schema.field("chosen").type == CHAT
    assert table.schema.field("chosen_rating").type == pa.float64()
    ds = load_dataset("parquet", data_files=str(path), split="train")
    assert ds[0]["prompt"] == [{"role": "user", "content": "Question 0?"}]
    assert ds[0]["chosen"] == [{"role": "assistant", "content": "B0"}]
    assert ds[0]["rejected"] == [{"role": "assistant", "content": "A0"}]


def test_dpo_parquet_with_text_prompts_keeps_strings(db, tmp_path):
    from datasets import load_dataset

    p = Project(db, "compare", 1, overlap=1)
    p.answer(p.workers[0], pick("a"))
    path = tmp_path / "dpo.parquet"
    p.write("dpo", path)
    assert pq.read_table(path).schema.field("prompt").type == pa.string()
    row = load_dataset("parquet", data_files=str(path), split="train")[0]
    assert (row["prompt"], row["chosen"], row["rejected"]) == ("Question 0?", "A0", "B0")


def test_dpo_and_rankings_from_rank(db, tmp_path):
    p = Project(db, "rank", 1, overlap=3)
    orders = [["q", ["p", "s"], "r"], ["q", "p", "s", "r"], ["p", "q", "s", "r"]]
    for worker, order in zip(p.workers, orders, strict=True):
        p.answer(worker, lambda lease, order=order: {"order": order})
    (ranking,) = p.export("rankings")
    # mean places: q 1.33, p 2.17, s 2.83, r 4
    assert ranking["order"] == ["q", "p", "s", "r"]
    assert ranking["mean_place"]["p"] == pytest.approx((2.5 + 2 + 1) / 3)
    assert ranking["submissions"] == 3
    (pair,) = p.export("dpo")
    assert (pair["chosen"], pair["rejected"], pair["source"]) == ("q0", "r0", "rank")
    p.write("rankings", tmp_path / "rankings.csv")
    assert "q" in (tmp_path / "rankings.csv").read_text()


def test_ratings_and_dpo_pairs_from_rate(db):
    p = Project(db, "rate", 0, overlap=3)
    shared = {"prompt": "Name a prime."}
    f.add_items(
        db,
        p.requester,
        p.id,
        [
            {"id": "good", "data": {**shared, "response": "7"}},
            {"id": "bad", "data": {**shared, "response": "9"}},
        ],
    )
    scores = {"good": [7, 6, 6], "bad": [2, 3, 1]}
    for w, worker in enumerate(p.workers):
        for _ in range(2):
            p.answer(
                worker,
                lambda lease, w=w: {
                    "ratings": {"helpfulness": scores[lease.external_id][w], "honesty": 5},
                    "flags": ["factual_error"] if lease.external_id == "bad" else [],
                },
            )
    rows = {(r["external_id"], r["criterion"]): r for r in p.export("ratings")}
    good = rows[("good", "helpfulness")]
    assert (good["mean"], good["median"], good["count"]) == (pytest.approx(19 / 3), 6.0, 3)
    assert rows[("bad", "flag:factual_error")]["flagged"] == 3
    assert rows[("good", "flag:factual_error")]["flagged"] == 0
    (pair,) = p.export("dpo")
    assert (pair["prompt"], pair["chosen"], pair["rejected"]) == ("Name a prime.", "7", "9")
    assert (pair["chosen_rating"], pair["rejected_rating"]) == (pytest.approx(19 / 3), 2.0)


def test_sft_from_write_keeps_the_draft_and_the_diff(db, tmp_path):
    from datasets import load_dataset

    p = Project(db, "write", 1, overlap=1)
    p.answer(p.workers[0], lambda lease: {"text": "A careful draft."})
    (row,) = p.export("sft")
    assert row["messages"] == [
        {"role": "user", "content": "Question 0?"},
        {"role": "assistant", "content": "A careful draft."},
    ]
    assert row["draft"] == "A draft."
    assert "-A draft." in row["diff"] and "+A careful draft." in row["diff"]
    path = tmp_path / "sft.parquet"
    p.write("sft", path)
    assert pq.read_table(path).schema.field("messages").type == CHAT
    ds = load_dataset("parquet", data_files=str(path), split="train")
    assert ds[0]["messages"] == row["messages"]


def test_sft_from_converse(db, tmp_path):
    p = Project(db, "converse", 1, overlap=1)
    p.answer(p.workers[0], lambda lease: {"messages": CONVERSATION})
    (row,) = p.export("sft")
    assert row["messages"] == CONVERSATION and row["worker"].startswith("w-")
    p.write("sft", tmp_path / "sft.jsonl")
    assert json.loads((tmp_path / "sft.jsonl").read_text())["messages"] == CONVERSATION


def test_a_dataset_the_type_cannot_give_is_refused_naming_the_format(db):
    p = Project(db, "converse", 1)
    with pytest.raises(InvalidInput) as refused:
        p.export("dpo")
    assert refused.value.field == "format"
    assert "sft" in refused.value.message
    for fmt in ("ratings", "rankings", "aggregated"):
        with pytest.raises(InvalidInput):
            p.export(fmt)


def test_prompt_writing_goes_to_raw_not_sft(db):
    p = Project(db, "write", 0, overlap=1, task={"mode": "prompt"})
    f.add_items(db, p.requester, p.id, [{"id": "p1", "data": {"category": "brainstorming"}}])
    p.answer(p.workers[0], lambda lease: {"text": "Ten names for a bakery, please."})
    (row,) = p.export("raw")
    assert json.loads(row["answer"]) == {"text": "Ten names for a bakery, please."}
    with pytest.raises(InvalidInput) as refused:
        p.export("sft")
    assert refused.value.field == "format"
