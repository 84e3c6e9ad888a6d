"""The spec examples parse, and the demo seeds one project of every task type (once)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from fairloop.db.models import Item, Project
from fairloop.domain.specs import TASK_TYPES, load_spec_text
from fairloop.services.demo.seed import seed_demo

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.mark.parametrize("kind", ["label", "rate", "compare", "rank", "write", "converse"])
def test_each_type_has_an_example_spec_that_parses(kind):
    path = EXAMPLES / f"{kind}.yaml"
    spec = load_spec_text(path.read_text(), source=path.name)
    assert spec.task.type == kind


def test_the_demo_seeds_a_project_of_each_type_once(db):
    _logins, added = seed_demo(db)
    assert added
    assert seed_demo(db)[1] is False
    with db.transaction(readonly=True) as session:
        counts = dict(
            session.execute(
                select(Project.task_type, func.count(Item.id))
                .join(Item, Item.project_id == Project.id)
                .group_by(Project.task_type)
            ).all()
        )
    for kind in ("label", "rate", "compare", "rank", "write", "converse"):
        assert kind in TASK_TYPES
        assert counts.get(kind, 0) >= 3, counts
