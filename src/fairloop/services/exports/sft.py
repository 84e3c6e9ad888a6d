"""``sft``: ``messages`` in the OpenAI chat layout, one conversation per counted
submission: from ``write`` (the conversation so far plus the worker's assistant turn;
an edited model draft comes with the draft and the diff) and from ``converse``."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from fairloop.db.engine import Database
from fairloop.db.models import Item, Submission
from fairloop.db.stream import stream
from fairloop.services.exports.common import pseudonyms

COLUMNS = {
    "messages": "messages",
    "item_id": "int",
    "external_id": "str",
    "worker": "str",
    "draft": "str",
    "diff": "str",
    "submission_id": "int",
}
TASK_TYPES = ("write", "converse")


def draft_diff(draft: str, text: str) -> str:
    """A unified diff from the model's draft to the worker's text."""
    lines = difflib.unified_diff(
        draft.splitlines(keepends=True),
        text.splitlines(keepends=True),
        fromfile="draft",
        tofile="written",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def sft_rows(db: Database, project_id: int, spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    task = spec["task"]
    query = (
        select(Submission.id, Submission.worker_id, Submission.answer, Item.id, Item.external_id)
        .add_columns(Item.data)
        .join(Item, Item.id == Submission.item_id)
        .where(
            Submission.project_id == project_id,
            Submission.counted.is_(True),
            Item.gold.is_(None),
        )
        .order_by(Submission.id)
    )
    if task["type"] == "write" and task.get("mode", "response") != "response":
        return
    with db.core_transaction(readonly=True) as conn:
        names = pseudonyms(conn, project_id)
        for sub_id, worker_id, answer, item_id, external_id, data in stream(conn, query):
            draft = diff = None
            if task["type"] == "converse":
                messages = answer["messages"]
            else:
                text = answer["text"]
                messages = [*data["messages"], {"role": "assistant", "content": text}]
                if isinstance(data.get("draft"), str):
                    draft, diff = data["draft"], draft_diff(data["draft"], text)
            yield {
                "messages": messages,
                "item_id": item_id,
                "external_id": external_id,
                "worker": names.get(worker_id),
                "draft": draft,
                "diff": diff,
                "submission_id": sub_id,
            }
