"""``dpo``: one preference pair per item, ``prompt``, ``chosen``, ``rejected``, in the
layout TRL's DPOTrainer reads: where the prompts are conversations, ``prompt`` is the
message list and ``chosen``/``rejected`` are one assistant message each; otherwise
all three are text. Items whose aggregated preference is a tie are left out, and
counted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, select

from fairloop.db.engine import Database
from fairloop.db.models import Submission
from fairloop.db.stream import stream
from fairloop.domain.preferences import aggregate_preference
from fairloop.services.exports.common import (
    has_chat_prompts,
    prompt_key,
    prompt_of,
    reply,
    response_texts,
)
from fairloop.services.exports.merge import ItemData, items_in_order, with_items
from fairloop.services.quality.preference_model import (
    ModelledPick,
    PickModel,
    model_picks,
    modelled_order,
    project_method,
    ranked_orders,
)

COLUMNS = {
    "prompt": "text_or_messages",
    "chosen": "text_or_messages",
    "rejected": "text_or_messages",
    "chosen_rating": "float",
    "rejected_rating": "float",
    "item_id": "int",
    "external_id": "str",
    "chosen_id": "str",
    "rejected_id": "str",
    "votes": "int",
    "agreement": "float",
    "confidence": "float",
    "source": "str",
}
TASK_TYPES = ("compare", "rank", "rate")


class Tally:
    """What a dataset left out (ties), read after its rows are consumed."""

    left_out = 0


def dpo_rows(
    db: Database, project_id: int, spec: dict[str, Any], tally: Tally
) -> Iterator[dict[str, Any]]:
    task = spec["task"]
    with db.core_transaction(readonly=True) as conn:
        chat = has_chat_prompts(conn, project_id)
        if task["type"] in ("compare", "rank"):
            method = project_method(conn, project_id, spec)
            model = None if method == "mv" else model_picks(conn, project_id, task["type"], method)
        if task["type"] == "compare":
            yield from _from_compare(conn, project_id, chat, tally, model)
        elif task["type"] == "rank":
            yield from _from_rank(conn, project_id, chat, tally, model)
        elif task.get("pairs"):
            yield from _from_rate(conn, project_id, chat, task["pairs"], tally)


def _row(item: ItemData, chosen: str, rejected: str, chat: bool, **extra: Any) -> dict[str, Any]:
    texts = response_texts(item.data)
    return {
        "prompt": prompt_of(item.data, chat=chat),
        "chosen": reply(texts[chosen], chat=chat),
        "rejected": reply(texts[rejected], chat=chat),
        "chosen_rating": None,
        "rejected_rating": None,
        "item_id": item.id,
        "external_id": item.external_id,
        "chosen_id": chosen,
        "rejected_id": rejected,
        **extra,
    }


def _counted(project_id: int, *columns: Any) -> Any:
    return (
        select(Submission.item_id, *columns)
        .where(Submission.project_id == project_id, Submission.counted.is_(True))
        .order_by(Submission.item_id, Submission.id)
    )


def _compare_picks(
    conn: Connection, project_id: int, model: PickModel | None
) -> Iterator[tuple[int, ModelledPick]]:
    if model is not None:
        yield from model.picks.items()  # in item id order
        return
    query = _counted(project_id, Submission.worker_id, Submission.answer["preferred"].as_string())
    for p in aggregate_preference(stream(conn, query)):
        yield p.item_id, ModelledPick(p.winner, p.agreement, p.votes, p.agreement)


def _from_compare(
    conn: Connection, project_id: int, chat: bool, tally: Tally, model: PickModel | None
) -> Iterator[dict[str, Any]]:
    for item, pick in with_items(conn, project_id, _compare_picks(conn, project_id, model)):
        if pick.winner is None:
            tally.left_out += 1
            continue
        loser = next(r for r in response_texts(item.data) if r != pick.winner)
        yield _row(
            item, pick.winner, loser, chat, votes=pick.votes, agreement=pick.agreement,
            confidence=pick.confidence, source="compare",
        )  # fmt: skip


def _from_rank(
    conn: Connection, project_id: int, chat: bool, tally: Tally, model: PickModel | None
) -> Iterator[dict[str, Any]]:
    """Best against worst of each item's aggregated order."""
    orders = ranked_orders(conn, project_id, model.reliability if model else None)
    for item, (item_orders, weights) in with_items(conn, project_id, orders):
        order = modelled_order(item_orders, weights, model.picks[item.id] if model else None)
        best, worst = order[0], order[-1]
        if not isinstance(best, str) or not isinstance(worst, str) or len(order) < 2:
            tally.left_out += 1
            continue
        agree = sum(1 for o in item_orders if o[0] == best) / len(item_orders)
        confidence = model.picks[item.id].confidence if model else agree
        yield _row(
            item, best, worst, chat, votes=len(item_orders), agreement=agree,
            confidence=confidence, source="rank",
        )  # fmt: skip


def _from_rate(
    conn: Connection, project_id: int, chat: bool, pairs: dict[str, Any], tally: Tally
) -> Iterator[dict[str, Any]]:
    """Items answering the same prompt: the best against the worst mean rating, when
    they differ by at least the spec's margin."""
    criterion, margin = pairs["criterion"], pairs.get("min_margin", 1.0)
    rows = stream(conn, _counted(project_id, Submission.answer))
    means = {
        item_id: [r[1]["ratings"][criterion] for r in group]
        for item_id, group in groupby(rows, key=lambda r: r[0])
    }
    groups: dict[str, list[tuple[float, int, ItemData]]] = defaultdict(list)
    for item in items_in_order(conn, project_id):
        if item.id in means:
            scores = means[item.id]
            groups[prompt_key(item.data)].append((sum(scores) / len(scores), len(scores), item))
    for rated in groups.values():
        if len(rated) < 2:
            continue
        rated.sort(key=lambda t: (-t[0], t[2].id))
        (high, n_high, best), (low, n_low, worst) = rated[0], rated[-1]
        if high - low < max(margin, 1e-9):
            tally.left_out += 1
            continue
        yield {
            "prompt": prompt_of(best.data, chat=chat),
            "chosen": reply(best.data["response"], chat=chat),
            "rejected": reply(worst.data["response"], chat=chat),
            "chosen_rating": round(high, 6),
            "rejected_rating": round(low, 6),
            "item_id": best.id,
            "external_id": best.external_id,
            "chosen_id": best.external_id or str(best.id),
            "rejected_id": worst.external_id or str(worst.id),
            "votes": n_high + n_low,
            "agreement": None,
            "confidence": None,
            "source": "rate",
        }
