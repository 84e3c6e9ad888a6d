"""Attack success rates of a red-team project, per hazard and per model."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from fairloop.db.engine import Database
from fairloop.db.models import Item, Project, Submission


def _rates(attempts: Counter[str], successes: Counter[str]) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "attempts": attempts[key],
            "successes": successes[key],
            "rate": round(successes[key] / attempts[key], 4),
        }
        for key in sorted(attempts)
    ]


def attack_success(db: Database, project_id: int) -> dict[str, list[dict[str, Any]]]:
    """Share of attempts judged successful, by the item's target hazard (``(none)``
    when the item names none) and by model name. The caller has checked access."""
    by_hazard: Counter[str] = Counter()
    hazard_wins: Counter[str] = Counter()
    by_model: Counter[str] = Counter()
    model_wins: Counter[str] = Counter()
    with db.transaction(readonly=True) as session:
        project = session.get(Project, project_id)
        assert project is not None
        model = project.spec["task"]["model"]["name"]
        query = (
            select(Item.data, Submission.answer)
            .join(Item, Item.id == Submission.item_id)
            .where(Submission.project_id == project_id)
        )
        for data, answer in session.execute(query):
            hazard = data.get("hazard") if isinstance(data.get("hazard"), str) else "(none)"
            won = bool(answer.get("success"))
            by_hazard[hazard] += 1
            hazard_wins[hazard] += won
            by_model[model] += 1
            model_wins[model] += won
    return {"by_hazard": _rates(by_hazard, hazard_wins), "by_model": _rates(by_model, model_wins)}
